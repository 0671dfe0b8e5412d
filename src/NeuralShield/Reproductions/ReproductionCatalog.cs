using System.Reflection;

namespace NeuralShield.Reproductions;

/// <summary>Every reproduction of the library, by name.</summary>
internal static class ReproductionCatalog
{
    /// <summary>The reproductions, by name (ordinal order).</summary>
    public static IReadOnlyDictionary<string, IReproduction> All { get; } = In(typeof(ReproductionCatalog).Assembly);

    /// <summary>The reproductions <paramref name="assembly"/> defines (classes with a parameterless constructor), by name in ordinal order.</summary>
    internal static IReadOnlyDictionary<string, IReproduction> In(Assembly assembly) => assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IReproduction).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
        .Select(t => (IReproduction)Activator.CreateInstance(t)!)
        .OrderBy(e => e.Name, StringComparer.Ordinal)
        .ToDictionary(e => e.Name, StringComparer.Ordinal);
}
