using NeuralShield.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Data;

public class AdultTests
{
    private const string Row1 = "39, State-gov, 77516, Bachelors, 13, Never-married, Adm-clerical, Not-in-family, White, Male, 2174, 0, 40, United-States, <=50K";
    private const string Row2 = "50, Self-emp-not-inc, 83311, Bachelors, 13, Married-civ-spouse, Exec-managerial, Husband, White, Male, 0, 0, 13, United-States, >50K";
    private const string Row3 = "38, ?, 215646, HS-grad, 9, Divorced, ?, Not-in-family, Black, Female, 0, 0, 40, ?, <=50K";

    [Fact]
    public void The_real_files_give_32561_training_and_16281_test_rows()
    {
        using var adult = AdultDataset.Load(SharedData.Adult);
        Assert.Equal(32_561, adult.Train.Count);
        Assert.Equal(16_281, adult.Test.Count);
        Assert.Equal(adult.Train.FeatureCount, adult.Test.FeatureCount);
        Assert.Equal(adult.FeatureNames.Count, (int)adult.Train.FeatureCount);
        Assert.Equal(adult.FeatureNames, adult.Train.FeatureNames);
        Assert.Equal(["<=50K", ">50K"], adult.Train.ClassNames);
        Assert.Equal(new long[] { 24_720, 7_841 }, adult.Train.ClassCounts());
        Assert.Equal(new long[] { 12_435, 3_846 }, adult.Test.ClassCounts());
        Assert.Equal(14, adult.Columns.Count);
        Assert.Contains("workclass=?", adult.FeatureNames);
        Assert.Contains("sex=Female", adult.FeatureNames);
        Assert.Equal(6, adult.NumericFeatures.Count);
        Assert.Equal("age", adult.FeatureNames[0]);
    }

    [Fact]
    public void Numeric_training_features_are_standardised_and_one_hot_groups_sum_to_one()
    {
        using var adult = AdultDataset.Load(
            Path.Combine(SharedData.Adult, "adult.data.gz"), Path.Combine(SharedData.Adult, "adult.test.gz"));
        using var numericIndex = tensor(adult.NumericFeatures.Select(i => (long)i).ToArray());
        using var numeric = adult.Train.Features.index_select(1, numericIndex).to_type(ScalarType.Float64);
        using var mean = numeric.mean([0]);
        using var std = numeric.std(0, unbiased: false);
        Assert.All(mean.data<double>().ToArray(), m => Assert.InRange(m, -1e-4, 1e-4));
        Assert.All(std.data<double>().ToArray(), s => Assert.InRange(s, 1 - 1e-4, 1 + 1e-4));

        foreach (var column in adult.Columns.Where(c => c.IsCategorical))
        {
            using var group = adult.Train.Features.narrow(1, column.Offset, column.Width).sum([1]);
            Assert.True(group.eq(1f).all().item<bool>(), $"{column.Name} is not one-hot in the training set.");
            using var testGroup = adult.Test.Features.narrow(1, column.Offset, column.Width).sum([1]);
            Assert.True(testGroup.le(1f).all().item<bool>());
            Assert.Equal(column.Categories!.Order(StringComparer.Ordinal), column.Categories);
        }
    }

    [Fact]
    public void The_encoder_is_fit_on_the_training_file_only()
    {
        using var dir = new TempDir();
        var train = dir.WriteText("adult.data", $"{Row1}\n{Row2}\n{Row3}\n\n");
        var testRow = "20, Never-worked, 100000, Doctorate, 16, Never-married, ?, Own-child, White, Male, 0, 0, 20, Atlantis, >50K.";
        var test = dir.WriteText("adult.test", $"|1x3 Cross validator\n{testRow}\n\n");
        using var adult = AdultDataset.Load(dir.Path);

        Assert.Equal(3, adult.Train.Count);
        Assert.Equal(1, adult.Test.Count);
        Assert.Equal(["?", "Self-emp-not-inc", "State-gov"], adult.Columns[1].Categories);
        var ages = new[] { 39.0, 50.0, 38.0 };
        var mean = ages.Average();
        var std = Math.Sqrt(ages.Select(a => (a - mean) * (a - mean)).Average());
        Assert.Equal(mean, adult.Columns[0].Mean, 1e-12);
        Assert.Equal(std, adult.Columns[0].Std, 1e-12);
        var x = adult.Test.Features[0].data<float>().ToArray();
        Assert.Equal((float)((20 - mean) / std), x[0], 1e-5f);
        // Unseen categories (Never-worked, Doctorate, Own-child, Atlantis) encode as all zeros.
        foreach (var name in new[] { "workclass", "education", "relationship", "native-country" })
        {
            var column = adult.Columns.Single(c => c.Name == name);
            Assert.All(x.Skip(column.Offset).Take(column.Width), v => Assert.Equal(0f, v));
        }
        Assert.Equal(1f, x[adult.FeatureNames.ToList().IndexOf("occupation=?")]);
        Assert.Equal(1L, adult.Test.Labels[0].item<long>());
        // sex has only Female and Male; capital-loss is constant, so its std falls back to 1.
        Assert.Equal(["Female", "Male"], adult.Columns[9].Categories);
        Assert.Equal(1.0, adult.Columns[11].Std);
    }

    [Fact]
    public void Wrong_column_count_is_rejected_naming_file_and_line()
    {
        using var dir = new TempDir();
        var train = dir.WriteText("adult.data", $"{Row1}\n{Row2}\n{Row3[..Row3.LastIndexOf(',')]}\n");
        var test = dir.WriteText("adult.test", Row1 + ".\n");
        var e = Assert.Throws<InvalidDataException>(() => AdultDataset.Load(train, test));
        Assert.Contains(train, e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("found 14", e.Message);
    }

    [Fact]
    public void Non_numeric_value_in_a_numeric_column_is_rejected_naming_file_and_line()
    {
        using var dir = new TempDir();
        var train = dir.WriteText("adult.data", $"{Row1}\n{Row2}\n");
        var test = dir.WriteText("adult.test", $"|1x3 Cross validator\n{Row1}.\n{Row2.Replace("83311", "8x3311")}.\n");
        var e = Assert.Throws<InvalidDataException>(() => AdultDataset.Load(train, test));
        Assert.Contains(test, e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("fnlwgt", e.Message);
        Assert.Contains("'8x3311'", e.Message);
    }

    [Fact]
    public void Unknown_label_is_rejected_naming_file_and_line()
    {
        using var dir = new TempDir();
        var train = dir.WriteText("adult.data", $"{Row1}\n\n{Row2.Replace(">50K", "50K+")}\n");
        var test = dir.WriteText("adult.test", Row1 + ".\n");
        var e = Assert.Throws<InvalidDataException>(() => AdultDataset.Load(train, test));
        Assert.Contains(train, e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("'50K+'", e.Message);
    }

    [Fact]
    public void Missing_directory_and_files_are_reported()
    {
        using var dir = new TempDir();
        var missing = dir.File("none");
        var d = Assert.Throws<DirectoryNotFoundException>(() => AdultDataset.Load(missing));
        Assert.Contains(missing, d.Message);
        var f = Assert.Throws<FileNotFoundException>(() => AdultDataset.Load(dir.Path));
        Assert.Contains("adult.data", f.Message);
        dir.WriteText("adult.data", Row1 + "\n");
        f = Assert.Throws<FileNotFoundException>(() => AdultDataset.Load(dir.Path));
        Assert.Contains("adult.test", f.Message);
        var e = Assert.Throws<InvalidDataException>(() => AdultDataset.Load(dir.File("adult.data"), dir.WriteText("adult.test", "|only a comment\n")));
        Assert.Contains(dir.File("adult.test"), e.Message);
    }
}
