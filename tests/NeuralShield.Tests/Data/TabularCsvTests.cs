using NeuralShield.Data;

namespace NeuralShield.Tests.Data;

public class TabularCsvTests
{
    private const string Csv = """
        age, job, hours, income
        39, clerk, 40.5, <=50K
        50, manager, 13, >50K
        38, clerk, 40, <=50K
        """;

    [Fact]
    public void Numbers_stay_numbers_text_columns_become_one_hot_groups_and_the_named_column_the_label()
    {
        using var dir = new TempDir();
        using var table = TabularCsv.Load(dir.WriteText("people.csv", Csv), "income");
        var data = table.Data;
        Assert.Equal(["<=50K", ">50K"], data.ClassNames);
        Assert.Equal(new long[] { 0, 1, 0 }, data.Labels.data<long>().ToArray());
        Assert.Equal(["age", "job=clerk", "job=manager", "hours"], data.FeatureNames);
        Assert.Equal(new float[] { 50, 0, 1, 13 }, data.Features[1].data<float>().ToArray());
        var schema = table.Schema;
        Assert.True(schema["age"].IsInteger);
        Assert.Equal((38, 50), (schema["age"].Minimum, schema["age"].Maximum));
        Assert.False(schema["hours"].IsInteger);
        Assert.True(schema["job"].IsCategorical);
        Assert.Equal(["39", "clerk", "40.5"], schema.Decode(data.Features, 0));
    }

    [Fact]
    public void Whole_number_labels_are_class_indices()
    {
        using var dir = new TempDir();
        using var table = TabularCsv.Load(dir.WriteText("digits.csv", "a,b,y\n1,2,1\n3,4,0\n5,6,2\n"), "y");
        Assert.Equal(3, table.Data.ClassCount);
        Assert.Equal(new long[] { 1, 0, 2 }, table.Data.Labels.data<long>().ToArray());
    }

    [Fact]
    public void A_missing_label_column_a_ragged_row_and_one_class_are_refused()
    {
        using var dir = new TempDir();
        var path = dir.WriteText("people.csv", Csv);
        var e = Assert.Throws<ArgumentException>(() => TabularCsv.Load(path, "salary"));
        Assert.Equal("labelColumn", e.ParamName);
        Assert.Contains("age, job, hours, income", e.Message);
        var ragged = dir.WriteText("ragged.csv", "a,b,y\n1,2,0\n3,1\n");
        Assert.Contains("line 3", Assert.Throws<InvalidDataException>(() => TabularCsv.Load(ragged, "y")).Message);
        var single = dir.WriteText("single.csv", "a,y\n1,yes\n2,yes\n");
        Assert.Contains("one class", Assert.Throws<InvalidDataException>(() => TabularCsv.Load(single, "y")).Message);
        Assert.Throws<FileNotFoundException>(() => TabularCsv.Load(dir.File("absent.csv"), "y"));
    }
}
