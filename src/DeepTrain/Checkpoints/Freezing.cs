using DeepTrain.Layers;

namespace DeepTrain.Checkpoints;

/// <summary>
/// Freezes and unfreezes parameters by a pattern over their full names (see <see cref="NamePattern"/>:
/// <c>hidden[123]</c> selects every parameter of layers hidden1 to hidden3). A frozen parameter has
/// <see cref="Tensor.Trainable"/> false, so optimizers leave it alone, and <see cref="Tensor.RequiresGrad"/> false,
/// so the backward pass computes no gradient for it (and stops below the topmost frozen layer when everything under
/// it is frozen). A BatchNorm layer whose parameters are all frozen runs in inference mode: its moving averages stay
/// as they were (as in TensorFlow 2). Buffers are never trained and are not affected.
/// </summary>
public static class Freezing
{
    /// <summary>Freezes the parameters of <paramref name="model"/> whose names match <paramref name="pattern"/>; returns their names.</summary>
    /// <exception cref="ArgumentException">The pattern is invalid or matches no parameter (the message lists the names).</exception>
    public static IReadOnlyList<string> Freeze(Module model, string pattern) => Set(model, pattern, frozen: true);

    /// <summary>Unfreezes the parameters of <paramref name="model"/> whose names match <paramref name="pattern"/>; returns their names.</summary>
    /// <exception cref="ArgumentException">The pattern is invalid or matches no parameter (the message lists the names).</exception>
    public static IReadOnlyList<string> Unfreeze(Module model, string pattern) => Set(model, pattern, frozen: false);

    /// <summary>The names of the frozen parameters of <paramref name="model"/>.</summary>
    public static IReadOnlyList<string> FrozenNames(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.NamedParameters().Where(p => !p.Value.Trainable).Select(p => p.Name).ToArray();
    }

    private static IReadOnlyList<string> Set(Module model, string pattern, bool frozen)
    {
        ArgumentNullException.ThrowIfNull(model);
        var matcher = new NamePattern(pattern);
        var all = model.NamedParameters().ToList();
        var hit = all.Where(p => matcher.IsMatch(p.Name)).ToList();
        if (hit.Count == 0)
            throw new ArgumentException($"the pattern '{pattern}' matches no parameter; the parameters are: {string.Join(", ", all.Select(p => p.Name))}", nameof(pattern));
        foreach (var (_, t) in hit) SetFrozen(t, frozen);
        return hit.Select(p => p.Name).ToArray();
    }

    /// <summary>Freezes or unfreezes one parameter: out of the optimizer's reach and out of the backward pass.</summary>
    internal static void SetFrozen(Tensor t, bool frozen)
    {
        t.Trainable = !frozen;
        t.RequiresGrad = !frozen;
    }
}
