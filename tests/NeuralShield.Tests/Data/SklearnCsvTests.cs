using NeuralShield.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Data;

public class SklearnCsvTests
{
    private static string Sklearn(string name) => Path.Combine(SharedData.Sklearn, name);

    [Fact]
    public void Iris_has_150_rows_4_features_3_named_classes()
    {
        using var iris = SklearnCsv.Load(Sklearn("iris.csv"));
        Assert.Equal(new long[] { 150, 4 }, iris.Features.shape);
        Assert.Equal(["setosa", "versicolor", "virginica"], iris.ClassNames);
        Assert.Equal(new long[] { 50, 50, 50 }, iris.ClassCounts());
        Assert.Equal(new[] { 5.1f, 3.5f, 1.4f, 0.2f }, iris.Features[0].data<float>().ToArray());
        Assert.Equal(0L, iris.Labels[0].item<long>());
        Assert.Equal(2L, iris.Labels[149].item<long>());
    }

    [Fact]
    public void Wine_and_breast_cancer_load_with_their_header_counts()
    {
        using var wine = SklearnCsv.Load(Sklearn("wine_data.csv"));
        Assert.Equal(new long[] { 178, 13 }, wine.Features.shape);
        Assert.Equal(3, wine.ClassCount);
        Assert.Equal(new long[] { 59, 71, 48 }, wine.ClassCounts());

        using var cancer = SklearnCsv.Load(Sklearn("breast_cancer.csv"));
        Assert.Equal(new long[] { 569, 30 }, cancer.Features.shape);
        Assert.Equal(["malignant", "benign"], cancer.ClassNames);
        Assert.Equal(new long[] { 212, 357 }, cancer.ClassCounts());
    }

    [Fact]
    public void Digits_file_has_no_header_and_loads_from_gzip()
    {
        using var digits = SklearnCsv.Load(Sklearn("digits.csv.gz"));
        Assert.Equal(new long[] { 1797, 64 }, digits.Features.shape);
        Assert.Equal(10, digits.ClassCount);
        Assert.Equal(1797L, digits.ClassCounts().Sum());
        Assert.Equal(16f, digits.Features.max().item<float>());
        Assert.Equal(0L, digits.Labels[0].item<long>());
    }

    [Fact]
    public void Embedded_digits_are_8x8_images_in_unit_range()
    {
        using var digits = Datasets.Digits();
        Assert.Equal(new long[] { 1797, 1, 8, 8 }, digits.Features.shape);
        Assert.Equal(10, digits.ClassCount);
        var counts = digits.ClassCounts();
        Assert.Equal(1797L, counts.Sum());
        Assert.All(counts, c => Assert.InRange(c, 170, 190));
        Assert.Equal(0f, digits.Features.min().item<float>());
        Assert.Equal(1f, digits.Features.max().item<float>());
        using var file = SklearnCsv.Load(Sklearn("digits.csv.gz"));
        using var scaled = file.Features.div(16).reshape(1797, 1, 8, 8);
        Assert.True(scaled.allclose(digits.Features, rtol: 0, atol: 0));
        Assert.Equal(file.Labels.data<long>().ToArray(), digits.Labels.data<long>().ToArray());
    }

    [Fact]
    public void Embedded_digits_return_fresh_tensors_each_call()
    {
        using var a = Datasets.Digits();
        a.Features.zero_();
        using var b = Datasets.Digits();
        Assert.NotSame(a.Features, b.Features);
        Assert.Equal(1f, b.Features.max().item<float>());
    }

    [Fact]
    public void Header_can_be_forced_and_labels_may_be_written_as_floats()
    {
        using var dir = new TempDir();
        var path = dir.WriteText("numeric-names.csv", "3,2,0,1\n1.5,2,0.0\n-1,2e1,1\n0,0,1.000e+00\n");
        using var data = SklearnCsv.Load(path, hasHeader: true);
        Assert.Equal(new long[] { 3, 2 }, data.Features.shape);
        Assert.Equal(["0", "1"], data.ClassNames);
        Assert.Equal(new long[] { 0, 1, 1 }, data.Labels.data<long>().ToArray());
        Assert.Equal(new[] { 1.5f, 2f, -1f, 20f, 0f, 0f }, data.Features.data<float>().ToArray());

        var noHeader = dir.WriteText("plain.csv", "1,2,0\r\n3,4,1\r\n\r\n5,6,2\r\n");
        using var plain = SklearnCsv.Load(noHeader, hasHeader: false);
        Assert.Equal(3, plain.ClassCount);
        Assert.Equal(3, plain.Count);
        Assert.Equal(new long[] { 0, 1, 2 }, plain.Labels.data<long>().ToArray());
    }

    [Fact]
    public void Wrong_header_sample_count_is_rejected_naming_file_and_line()
    {
        using var dir = new TempDir();
        var path = dir.WriteText("iris-short.csv", "4,2,a,b\n1,2,0\n3,4,1\n5,6,1\n");
        var e = Assert.Throws<InvalidDataException>(() => SklearnCsv.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 1", e.Message);
        Assert.Contains("4 samples", e.Message);
    }

    [Fact]
    public void Wrong_header_feature_count_is_reported_on_the_first_row()
    {
        using var dir = new TempDir();
        var path = dir.WriteText("features.csv", "2,3,a,b\n1,2,0\n3,4,1\n");
        var e = Assert.Throws<InvalidDataException>(() => SklearnCsv.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 2", e.Message);
        Assert.Contains("expected 4 fields", e.Message);
    }

    [Fact]
    public void Non_numeric_cell_is_rejected_naming_file_and_line()
    {
        using var dir = new TempDir();
        var path = dir.WriteText("cells.csv", "3,2,a,b\n1,2,0\n3,x4,1\n5,6,1\n");
        var e = Assert.Throws<InvalidDataException>(() => SklearnCsv.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("'x4'", e.Message);

        var nan = dir.WriteText("nan.csv", "1,2,0\n1,NaN,1\n");
        e = Assert.Throws<InvalidDataException>(() => SklearnCsv.Load(nan));
        Assert.Contains(nan, e.Message);
        Assert.Contains("line 2", e.Message);
    }

    [Fact]
    public void Ragged_row_is_rejected_naming_file_and_line()
    {
        using var dir = new TempDir();
        var path = dir.WriteText("ragged.csv", "1,2,0\n3,4,1\n5,6,7,1\n");
        var e = Assert.Throws<InvalidDataException>(() => SklearnCsv.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("found 4", e.Message);
    }

    [Theory]
    [InlineData("2,2,a,b\n1,2,0\n3,4,2\n", "line 3")] // beyond the named classes
    [InlineData("1,2,0\n3,4,-1\n", "line 2")]
    [InlineData("1,2,0\n3,4,0.5\n", "line 2")]
    public void Bad_labels_are_rejected_naming_file_and_line(string text, string line)
    {
        using var dir = new TempDir();
        var path = dir.WriteText("labels.csv", text);
        var e = Assert.Throws<InvalidDataException>(() => SklearnCsv.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(line, e.Message);
    }

    [Fact]
    public void Empty_missing_and_truncated_files_are_reported()
    {
        using var dir = new TempDir();
        var empty = dir.WriteText("empty.csv", "\n\n");
        var e = Assert.Throws<InvalidDataException>(() => SklearnCsv.Load(empty));
        Assert.Contains(empty, e.Message);

        var missing = dir.File("missing.csv");
        var f = Assert.Throws<FileNotFoundException>(() => SklearnCsv.Load(missing));
        Assert.Contains(missing, f.Message);

        var gz = File.ReadAllBytes(Sklearn("digits.csv.gz"));
        var cut = dir.Write("digits-cut.csv.gz", gz[..(gz.Length * 2 / 3)]);
        e = Assert.Throws<InvalidDataException>(() => SklearnCsv.Load(cut));
        Assert.Contains(cut, e.Message);
    }

    [Fact]
    public void A_single_class_without_names_is_rejected()
    {
        using var dir = new TempDir();
        var path = dir.WriteText("one.csv", "1,2,0\n3,4,0\n");
        var e = Assert.Throws<InvalidDataException>(() => SklearnCsv.Load(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_stray_label_is_refused_naming_file_line_and_value()
    {
        using var dir = new TempDir();
        var lines = Enumerable.Range(0, 20).Select(i => $"{i * 0.5},{i},{i % 10}").ToList();
        lines.Insert(7, "1.5,2.5,65535");
        var path = dir.WriteText("stray.csv", string.Join("\n", lines) + "\n");
        var e = Assert.Throws<InvalidDataException>(() => SklearnCsv.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 8", e.Message);
        Assert.Contains("label 65535", e.Message);
        Assert.Contains("65536 classes", e.Message);
        Assert.Contains("65525 of them have no sample", e.Message);
        Assert.Contains("first: 10, 11, 12, 13, 14, ...", e.Message);
    }

    [Fact]
    public void A_gap_in_the_labels_names_the_first_label_above_it()
    {
        using var dir = new TempDir();
        var path = dir.WriteText("gap.csv", "1,2,0\n3,4,4\n5,6,3\n7,8,1\n9,9,3\n");
        var e = Assert.Throws<InvalidDataException>(() => SklearnCsv.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 3", e.Message); // the first 3, the smallest label above the missing class 2
        Assert.Contains("label 3", e.Message);
        Assert.Contains("1 of them have no sample (first: 2)", e.Message);
    }

    [Fact]
    public void An_explicit_class_count_allows_classes_without_samples()
    {
        using var dir = new TempDir();
        var path = dir.WriteText("sparse.csv", "1,2,0\n3,4,2\n5,6,2\n");
        using var data = SklearnCsv.Load(path, classCount: 5);
        Assert.Equal(5, data.ClassCount);
        Assert.Equal(new long[] { 1, 0, 2, 0, 0 }, data.ClassCounts());
        Assert.Equal(new long[] { 0, 2, 2 }, data.Labels.data<long>().ToArray());

        var e = Assert.Throws<InvalidDataException>(() => SklearnCsv.Load(path, classCount: 2));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 2", e.Message);
        Assert.Contains("label 2", e.Message);

        Assert.Throws<ArgumentOutOfRangeException>(() => SklearnCsv.Load(path, classCount: 1));
    }

    [Fact]
    public void An_explicit_class_count_must_match_the_named_classes()
    {
        using var dir = new TempDir();
        var path = dir.WriteText("named.csv", "2,2,a,b\n1,2,0\n3,4,1\n");
        using var data = SklearnCsv.Load(path, classCount: 2);
        Assert.Equal(["a", "b"], data.ClassNames);
        var e = Assert.Throws<InvalidDataException>(() => SklearnCsv.Load(path, classCount: 3));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 1", e.Message);
    }

    [Fact]
    public void Named_classes_may_have_no_samples()
    {
        using var dir = new TempDir();
        var path = dir.WriteText("named-gap.csv", "2,2,a,b,c\n1,2,0\n3,4,2\n");
        using var data = SklearnCsv.Load(path);
        Assert.Equal(new long[] { 1, 0, 1 }, data.ClassCounts());
    }
}
