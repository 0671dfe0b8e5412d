namespace NeuralShield;

/// <summary>The common root of every attack of the library.</summary>
public interface IAttack
{
    /// <summary>Name, family, access, paper and goals of the attack.</summary>
    AttackDescriptor Descriptor { get; }
}
