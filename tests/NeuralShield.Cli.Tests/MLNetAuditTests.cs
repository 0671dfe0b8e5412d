using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralShield.Data;

namespace NeuralShield.Cli.Tests;

/// <summary>An Adult row as ML.NET reads it.</summary>
public sealed class AdultMLNetRow
{
    public float[] Features { get; set; } = [];

    public bool Label { get; set; }
}

/// <summary><c>audit --model FILE.zip</c>: an ML.NET model trained here on Adult, audited from the command line.</summary>
public sealed class MLNetAuditTests
{
    [Fact]
    public void A_fasttree_model_is_audited_with_membership_from_its_training_data_and_a_substitute()
    {
        using var folder = new TempFolder();
        var (model, train, data) = FastTreeOnAdult(folder.Path, members: 600, others: 1500);
        var (code, output, errors) = InProcess.Run("audit", "--threads", "1", "--quiet", "--out", folder.Path, "--model", model, "--data", data,
            "--train-data", train, "--attacks", "membership-loss,membership-lira,substitute-transfer", "--samples", "100", "--epochs", "3");
        Assert.True(code == 0, string.Join("\n", errors));
        Assert.DoesNotContain("--train-data", output);
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "report.json")));
        var results = document.RootElement.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(3, results.Length);
        foreach (var r in results)
        {
            Assert.False(r.TryGetProperty("skipped", out var skipped) && skipped.ValueKind == JsonValueKind.String, r.ToString());
            Assert.False(r.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String, r.ToString());
        }
        var accuracy = document.RootElement.GetProperty("models")[0].GetProperty("clean_accuracy").GetDouble();
        Assert.True(accuracy > 0.75, $"clean accuracy {accuracy}");

        // Without the training data the membership rows are skipped and the hint names the option.
        (code, output, errors) = InProcess.Run("audit", "--threads", "1", "--quiet", "--out", folder.Path, "--model", model, "--data", data,
            "--attacks", "membership-loss", "--samples", "50", "--epochs", "1");
        Assert.True(code == 0, string.Join("\n", errors));
        Assert.Contains("--train-data FILE", output);
    }

    [Fact]
    public void A_truncated_model_zip_is_one_line_and_exit_code_one()
    {
        using var folder = new TempFolder();
        var (model, _, data) = FastTreeOnAdult(folder.Path, members: 200, others: 300);
        var bytes = File.ReadAllBytes(model);
        var truncated = Path.Combine(folder.Path, "truncated.zip");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 3)]);
        var (code, output, errors) = InProcess.Run("audit", "--threads", "1", "--quiet", "--out", folder.Path, "--model", truncated, "--data", data);
        Assert.Equal(1, code);
        var line = Assert.Single(errors);
        // A damaged zip is refused before any reader tries it (ModelFiles: TorchScript, state_dict or ML.NET alike).
        Assert.StartsWith($"neuralshield: --model {truncated}: ", line);
        Assert.Contains("cut short or damaged", line);
        Assert.DoesNotContain("   at ", output + line);
    }

    /// <summary>A FastTree model trained on <paramref name="members"/> Adult training rows (saved as CSV too) and a CSV of other rows.</summary>
    private static (string Model, string Train, string Data) FastTreeOnAdult(string folder, int members, int others)
    {
        var adultFolder = DataFolders.ResolveAdult(null, [Directory.GetCurrentDirectory(), AppContext.BaseDirectory]);
        using var adult = AdultDataset.Load(adultFolder);
        using var shuffled = adult.Train.Shuffle(5);
        using var memberRows = shuffled.Slice(0, members);
        using var otherRows = shuffled.Slice(members, others);
        var ml = new MLContext(seed: 1);
        var schema = SchemaDefinition.Create(typeof(AdultMLNetRow));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, (int)memberRows.FeatureCount);
        var view = ml.Data.LoadFromEnumerable(Rows(memberRows).Select(r => new AdultMLNetRow { Features = r.X, Label = r.Y == 1 }), schema);
        var model = ml.BinaryClassification.Trainers.FastTree(numberOfLeaves: 16, numberOfTrees: 50, minimumExampleCountPerLeaf: 2).Fit(view);
        var path = Path.Combine(folder, "fasttree.zip");
        ml.Model.Save(model, view.Schema, path);
        return (path, WriteCsv(Path.Combine(folder, "train.csv"), memberRows), WriteCsv(Path.Combine(folder, "data.csv"), otherRows));
    }

    private static IEnumerable<(float[] X, long Y)> Rows(LabeledData data)
    {
        var width = (int)data.FeatureCount;
        var x = data.Features.data<float>().ToArray();
        var y = data.Labels.data<long>().ToArray();
        for (var i = 0; i < y.Length; i++) yield return (x.AsSpan(i * width, width).ToArray(), y[i]);
    }

    private static string WriteCsv(string path, LabeledData data)
    {
        var text = new StringBuilder();
        foreach (var (x, y) in Rows(data))
            text.Append(string.Join(',', x.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))).Append(',').Append(y).Append('\n');
        File.WriteAllText(path, text.ToString());
        return path;
    }
}
