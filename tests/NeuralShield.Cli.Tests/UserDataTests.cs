using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace NeuralShield.Cli.Tests;

/// <summary><c>audit --data</c> on the data users have: image folders, CSV with a named label, Adult with a schema file.</summary>
public sealed class UserDataTests
{
    private static void AssertOneLine(int code, string[] errors, string starts, string named)
    {
        Assert.Equal(1, code);
        var line = Assert.Single(errors);
        Assert.StartsWith("neuralshield: " + starts, line);
        Assert.Contains(named, line);
        Assert.DoesNotContain("   at ", line);
    }

    [Fact]
    public void An_image_folder_of_pngs_of_mixed_sizes_is_audited_at_the_given_input_size()
    {
        using var folder = new TempFolder();
        var images = folder.Create("images");
        var colours = new[] { ("red", new Rgb24(220, 20, 20)), ("blue", new Rgb24(20, 20, 220)) };
        foreach (var (name, colour) in colours)
        {
            var dir = Directory.CreateDirectory(Path.Combine(images, name)).FullName;
            for (var i = 0; i < 15; i++)
            {
                using var image = new Image<Rgb24>(10 + i, 30 - i, colour);
                image.Save(Path.Combine(dir, $"{i}.png"));
            }
        }
        var (code, _, errors) = InProcess.Run("audit", "--threads", "1", "--quiet", "--out", folder.Path, "--data", $"images:{images}@3x6x6",
            "--attacks", "fgsm-0.1", "--epochs", "3");
        Assert.True(code == 0, string.Join("\n", errors));
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "report.json")));
        Assert.Contains("image folder", document.RootElement.GetProperty("dataset").GetString());
        Assert.Equal("fgsm-0.1", document.RootElement.GetProperty("results")[0].GetProperty("key").GetString());

        File.WriteAllText(Path.Combine(images, "red", "broken.png"), "not a png");
        (code, _, errors) = InProcess.Run("audit", "--threads", "1", "--quiet", "--out", folder.Path, "--data", $"images:{images}@3x6x6");
        AssertOneLine(code, errors, "--data images:", "broken.png");
    }

    [Fact]
    public void A_csv_without_the_named_label_column_and_a_schema_naming_an_unknown_column_are_one_line_and_exit_code_one()
    {
        using var folder = new TempFolder();
        var csv = Path.Combine(folder.Path, "people.csv");
        File.WriteAllText(csv, "age,job,income\n" + string.Join("\n", Enumerable.Range(0, 40).Select(i => $"{20 + i},{(i % 3 == 0 ? "clerk" : "cook")},{i % 2}")) + "\n");
        var (code, _, errors) = InProcess.Run("audit", "--threads", "1", "--quiet", "--out", folder.Path, "--data", csv, "--label", "salary");
        AssertOneLine(code, errors, "--data " + csv, "'salary'");

        var schema = Path.Combine(folder.Path, "schema.json");
        File.WriteAllText(schema, """{"immutable": ["height"]}""");
        (code, _, errors) = InProcess.Run("audit", "--threads", "1", "--quiet", "--out", folder.Path, "--data", csv, "--label", "income", "--schema", schema);
        AssertOneLine(code, errors, "--schema " + schema, "'height'");
    }

    [Fact]
    public void A_csv_with_a_label_column_and_a_schema_reports_evasion_on_valid_records()
    {
        using var folder = new TempFolder();
        var csv = Path.Combine(folder.Path, "people.csv");
        File.WriteAllText(csv, "age,job,hours,income\n" + string.Join("\n", Enumerable.Range(0, 200).Select(i =>
            $"{20 + i % 50},{(i % 3 == 0 ? "clerk" : i % 3 == 1 ? "cook" : "pilot")},{30 + i % 20},{(i % 50 > 25 ? 1 : 0)}")) + "\n");
        var schema = Path.Combine(folder.Path, "schema.json");
        File.WriteAllText(schema, """{"immutable": ["age"], "bounds": {"hours": [30, 60]}}""");
        var (code, _, errors) = InProcess.Run("audit", "--threads", "1", "--quiet", "--out", folder.Path, "--data", csv, "--label", "income", "--schema", schema,
            "--attacks", "fgsm-0.1", "--epochs", "3");
        Assert.True(code == 0, string.Join("\n", errors));
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "report.json")));
        var tabular = document.RootElement.GetProperty("results")[0].GetProperty("tabular");
        var rate = tabular.GetProperty("constrained_success_rate").GetDouble();
        Assert.InRange(rate, 0, 1);
        foreach (var example in tabular.GetProperty("examples").EnumerateArray())
            foreach (var change in example.GetProperty("changes").EnumerateArray())
                Assert.NotEqual("age", change.GetProperty("column").GetString());
    }

    [Fact]
    public void Training_data_of_the_wrong_width_or_for_a_zoo_model_is_one_line_and_exit_code_one()
    {
        using var folder = new TempFolder();
        var narrow = Path.Combine(folder.Path, "narrow.csv");
        File.WriteAllText(narrow, string.Join("\n", Enumerable.Range(0, 20).Select(i => $"{i % 7},{i % 3},{i % 2}")) + "\n");
        var model = Path.Combine(folder.Path, "model.onnx");
        File.Copy(Path.Combine(DataFolders.FindAbove(Path.Combine("shared", "models"), [AppContext.BaseDirectory])!, "mnist-8.onnx"), model);
        var (code, _, errors) = InProcess.Run("audit", "--threads", "1", "--quiet", "--out", folder.Path, "--model", model,
            "--data", "mnist:" + AuditCommandTests.Shared("data", "mnist"), "--train-samples", "60", "--samples", "20", "--train-data", narrow, "--attacks", "membership-loss");
        AssertOneLine(code, errors, "--", "--train-data");
        (code, _, errors) = InProcess.Run("audit", "--threads", "1", "--quiet", "--out", folder.Path, "--data", "digits", "--train-data", narrow);
        AssertOneLine(code, errors, "--train-data", "zoo");
    }
}
