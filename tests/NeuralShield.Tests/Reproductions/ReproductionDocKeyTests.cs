using NeuralShield.Tests.Shared;

namespace NeuralShield.Tests.Reproductions;

/// <summary>
/// The committed key lists (keys/NAME.txt) agree with the keys the docs quote for each reproduction's JSON: a key renamed
/// in the code but not in the docs (or the other way round) fails here.
/// </summary>
public sealed class ReproductionDocKeyTests
{
    public static TheoryData<string, string, string> QuotedKeys() => new()
    {
        { "fooling", "docs/attacks/fooling.md", "min_confidence min_confidence_gradient min_confidence_evolutionary min_confidence_map_elites classes_fooled" },
        { "substitute", "docs/attacks/substitute.md", "oracle_queries substitute_accuracy oracle_accuracy transfer_success_rate transfer_success_rate_on_correct" },
        { "universal", "docs/attacks/universal-perturbation.md", "fooling_rate linf_norm fooling_rate_optimised linf_norm_optimised" },
        { "property", "docs/attacks/property-inference.md", "flattened_accuracy target_accuracy targets_test_accuracy" },
        {
            "poisoning", "docs/attacks/poisoning.md",
            "clean_accuracy backdoor.success_rate backdoor.clean_accuracy backdoor.clean_model_success_rate clean_label.success_rate label_flip.nearest_boundary.20 " +
            "online.points_to_flip.none online.points_to_flip.rate_limit online.points_to_flip.anomaly online.points_to_flip.validation_gate"
        },
        {
            "poisoning", "docs/defenses/data-defenses.md",
            "sanitization.clean_accuracy sanitization.activation.restored_accuracy sanitization.spectral.restored_accuracy sanitization.cosine.clean_accuracy " +
            "sanitization.cosine.knn_penultimate.restored_accuracy sanitization.cosine.oracle_remove.restored_accuracy"
        },
        {
            "adversarial-training", "docs/defenses/adversarial-training.md",
            "clean_accuracy accuracy_drop undefended_success_rate defended_success_rate adaptive_success_rate transfer_success_rate robust_accuracy " +
            "fgsm_error_undefended fgsm_error_fgsm_trained fgsm_trained_pgd40_error"
        },
        { "distillation", "docs/defenses/distillation.md", "clean_accuracy accuracy_drop undefended_success_rate defended_success_rate adaptive_success_rate transfer_success_rate" },
        { "saturation", "docs/defenses/saturation.md", "clean_accuracy accuracy_drop undefended_success_rate defended_success_rate adaptive_success_rate transfer_success_rate stabilised_fgsm_success_rate" },
        { "dpsgd", "docs/defenses/dp-sgd.md", "test_accuracy noise_multiplier non_private_test_accuracy wall_seconds" },
        {
            "keyed-transform", "docs/defenses/keyed-transform.md",
            "clean_accuracy_plain clean_accuracy_keyed substitute_accuracy_plain substitute_accuracy_keyed transfer_success_rate_plain transfer_success_rate_keyed " +
            "transfer_success_rate_keyed_from_plain_model"
        },
        { "detector", "docs/defenses/stateful-detection.md", "detection_rate" },
        { "cw", "docs/attacks/carlini-wagner.md", "clean_accuracy success_rate mean_l2 median_l2 seconds cpu_seconds" },
        {
            "hopskipjump", "docs/attacks/hopskipjump.md",
            "clean_accuracy q1000.success_rate q1000.median_l2 q1000.mean_queries boundary.q1000.median_l2 boundary.q5000.median_l2 deepfool.median_l2 lenet5_clean_accuracy"
        },
    };

    [Theory]
    [MemberData(nameof(QuotedKeys))]
    public void The_docs_quote_keys_of_the_committed_list(string reproduction, string doc, string keys)
    {
        var text = File.ReadAllText(Path.Combine(ExternalProcess.RepositoryRoot(), doc));
        var committed = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Reproductions", "keys", reproduction + ".txt")).ToHashSet(StringComparer.Ordinal);
        foreach (var key in keys.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.True(text.Contains($"`{key}`", StringComparison.Ordinal), $"{doc} does not quote `{key}`");
            Assert.True(committed.Contains("metrics." + key), $"keys/{reproduction}.txt lacks metrics.{key}, which {doc} quotes");
        }
    }
}
