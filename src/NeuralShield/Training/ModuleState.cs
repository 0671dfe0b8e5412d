namespace NeuralShield.Training;

/// <summary>Copies of a module's state (parameters and buffers), to keep the best epoch or to load cached weights.</summary>
public static class ModuleState
{
    /// <summary>A detached copy of every entry of <paramref name="module"/>'s state dictionary; dispose it with <see cref="Dispose"/>.</summary>
    public static Dictionary<string, Tensor> Snapshot(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
    }

    /// <summary>Copies <paramref name="state"/> into <paramref name="module"/> in place; every entry must exist with the same shape.</summary>
    /// <exception cref="ArgumentException">An entry is missing from the module or has another shape (nothing is copied then).</exception>
    public static void Restore(nn.Module module, IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(state);
        using var _ = no_grad();
        var target = module.state_dict();
        // Every entry is checked before any is copied, so a refused state leaves the module as it was.
        foreach (var (name, value) in state)
        {
            if (!target.TryGetValue(name, out var entry))
                throw new ArgumentException($"The module has no state entry '{name}'.", nameof(state));
            if (!entry.shape.SequenceEqual(value.shape))
                throw new ArgumentException($"State entry '{name}' has shape [{string.Join(", ", value.shape)}]; the module's is [{string.Join(", ", entry.shape)}].", nameof(state));
        }
        foreach (var (name, value) in state) target[name].copy_(value);
    }

    /// <summary>Disposes the tensors of a snapshot (null is ignored).</summary>
    public static void Dispose(Dictionary<string, Tensor>? state)
    {
        if (state is null) return;
        foreach (var t in state.Values) t.Dispose();
    }
}
