using ArchUnitNET.Domain;
using ArchUnitNET.Fluent;
using ArchUnitNET.Fluent.Slices;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace NeuralShield.Tests.Architecture;

/// <summary>
/// The folder rules of the core library (docs/architecture.md), checked on its compiled types: every reference a type
/// makes counts, fully qualified or through a using. Each folder is its namespace; a rule that fails names the types.
/// </summary>
public sealed class FolderRuleTests
{
    private static readonly ArchUnitNET.Domain.Architecture Core =
        new ArchLoader().LoadAssemblies(typeof(NeuralShield.Models.IClassifier).Assembly).Build();

    private static IObjectProvider<IType> In(string folder) => Types().That().ResideInNamespaceOrBelow("NeuralShield." + folder).As(folder);

    private static ArchUnitNET.Fluent.Syntax.Elements.Types.GivenTypesConjunction Of(string folder) =>
        Types().That().ResideInNamespaceOrBelow("NeuralShield." + folder);

    /// <summary>Folder A must not use folder B, with the reason.</summary>
    public static TheoryData<string, string, string> Rules => new()
    {
        { "Metrics", "Attacks", "metrics are computed from tensors and models, not from attacks" },
        { "Metrics", "Defenses", "metrics are computed from tensors and models, not from defenses" },
        { "Metrics", "Evaluation", "the evaluation layer uses metrics, not the reverse" },
        { "Models", "Attacks", "models know nothing of the attacks on them" },
        { "Models", "Defenses", "models know nothing of the defenses around them" },
        { "Data", "Attacks", "data sets know nothing of attacks" },
        { "Training", "Attacks", "training knows nothing of attacks (defenses plug in as training steps)" },
        { "Attacks", "Evaluation", "attacks are used by the evaluation layer, not the reverse" },
        { "Defenses", "Evaluation", "defenses are evaluated by the evaluation layer, not the reverse" },
        { "Attacks", "Audit", "nothing but the audit uses the audit" },
        { "Defenses", "Audit", "nothing but the audit uses the audit" },
        { "Evaluation", "Audit", "the audit runs on the evaluation layer, not the reverse" },
        { "Metrics", "Audit", "nothing but the audit uses the audit" },
        { "Reports", "Audit", "nothing but the audit uses the audit" },
        { "Training", "Audit", "nothing but the audit uses the audit" },
        { "Reproductions", "Audit", "the reproductions and the audit are two settings over the evaluation layer" },
        { "Audit", "Reproductions", "the reproductions and the audit are two settings over the evaluation layer" },
        { "Evaluation", "Reproductions", "nothing in the library uses the reproductions (only the tool runs them)" },
        { "Attacks", "Reproductions", "nothing in the library uses the reproductions (only the tool runs them)" },
        { "Defenses", "Reproductions", "nothing in the library uses the reproductions (only the tool runs them)" },
        { "Training", "Reproductions", "nothing in the library uses the reproductions (only the tool runs them)" },
        { "Reports", "Reproductions", "nothing in the library uses the reproductions (only the tool runs them)" },
        { "Recording", "Audit", "nothing but the audit uses the audit" },
        { "Attacks", "Recording", "the recording experiment uses the attacks and defenses, not the reverse" },
        { "Defenses", "Recording", "the recording experiment uses the attacks and defenses, not the reverse" },
        { "Training", "Recording", "the on-line learner knows nothing of what is measured on it" },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void AFolderDoesNotUseWhatItMustNot(string folder, string forbidden, string reason)
    {
        IArchRule rule = Of(folder).Should().NotDependOnAny(In(forbidden)).Because(reason);
        rule.Check(Core);
    }

    /// <summary>
    /// Abstractions/ (the root namespace NeuralShield: IAttack, IDefense, the descriptors, the one paper registry,
    /// InputBounds, OptionsBase, RunOptions, Guard) is the vocabulary every folder speaks in: it uses no folder of the library.
    /// </summary>
    [Fact]
    public void TheAbstractionsUseNoFolderOfTheLibrary()
    {
        var vocabulary = Core.Types.Where(t => t.Namespace?.FullName == "NeuralShield").ToList();
        Assert.Contains(vocabulary, t => t.Name == "IAttack");
        Assert.Contains(vocabulary, t => t.Name == "Papers");
        Assert.Contains(vocabulary, t => t.Name == "InputBounds");
        var uses = vocabulary
            .SelectMany(t => t.Dependencies.Select(d => (From: t.FullName, To: d.Target?.Namespace?.FullName)))
            .Where(d => d.To?.StartsWith("NeuralShield.", StringComparison.Ordinal) == true)
            .Select(d => $"{d.From} -> {d.To}")
            .Distinct()
            .ToList();
        Assert.True(uses.Count == 0, "the abstractions use folders of the library: " + string.Join("; ", uses));
    }

    /// <summary>Namespace → the namespaces of the core its types use (every dependency ArchUnitNET reads: fields, calls, signatures, base types).</summary>
    private static Dictionary<string, HashSet<string>> NamespaceGraph()
    {
        var graph = new Dictionary<string, HashSet<string>>();
        foreach (var type in Core.Types.Where(t => t.Namespace?.FullName.StartsWith("NeuralShield", StringComparison.Ordinal) == true))
        {
            var from = type.Namespace.FullName;
            if (!graph.TryGetValue(from, out var targets)) graph[from] = targets = [];
            foreach (var to in type.Dependencies.Select(d => d.Target?.Namespace?.FullName).OfType<string>())
                if (to != from && to.StartsWith("NeuralShield", StringComparison.Ordinal)) targets.Add(to);
        }
        return graph;
    }

    /// <summary>The strongly connected components of more than one namespace (Tarjan).</summary>
    private static List<List<string>> Cycles(Dictionary<string, HashSet<string>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var result = new List<List<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            foreach (var w in graph.GetValueOrDefault(v) ?? [])
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (stack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); component.Add(x); } while (x != v);
            if (component.Count > 1) result.Add([.. component.Order()]);
        }
        foreach (var v in graph.Keys.Order()) if (!index.ContainsKey(v)) Visit(v);
        return result;
    }

    [Fact]
    public void NoCycleBetweenFolders()
    {
        var cycles = Cycles(NamespaceGraph());
        Assert.True(cycles.Count == 0, "cycles between folders: " + string.Join("; ", cycles.Select(c => string.Join(" <-> ", c))));
    }

    [Fact]
    public void TheRulesCatchAForbiddenUse()
    {
        // The checks are not vacuous: the audit does use the evaluation layer and the attacks.
        Assert.False(Of("Audit").Should().NotDependOnAny(In("Evaluation")).HasNoViolations(Core));
        Assert.False(Of("Evaluation").Should().NotDependOnAny(In("Attacks")).HasNoViolations(Core));
        Assert.NotEmpty(NamespaceGraph()["NeuralShield.Audit"]);
        var found = Assert.Single(Cycles(new() { ["a"] = ["b"], ["b"] = ["c"], ["c"] = ["a", "d"], ["d"] = [] }));
        Assert.Equal(["a", "b", "c"], found);
    }
}
