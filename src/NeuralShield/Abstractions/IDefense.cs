namespace NeuralShield;

/// <summary>The common root of every defense of the library.</summary>
public interface IDefense
{
    /// <summary>Name, kind, paper and the families it counters.</summary>
    DefenseDescriptor Descriptor { get; }
}
