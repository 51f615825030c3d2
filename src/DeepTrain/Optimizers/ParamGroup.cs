namespace DeepTrain.Optimizers;

/// <summary>
/// A set of parameters that share optimizer settings. A group's own learning rate, when set, is scaled by the
/// same factor as the optimizer's base rate when a schedule changes it.
/// </summary>
public sealed class ParamGroup
{
    /// <summary>Makes a group of <paramref name="parameters"/> with optional settings of its own.</summary>
    public ParamGroup(IEnumerable<Tensor> parameters, float? learningRate = null, float? weightDecay = null)
    {
        Parameters = parameters.ToArray();
        if (learningRate is { } lr && !(lr >= 0 && float.IsFinite(lr))) throw new ArgumentException($"learning rate must be a finite number >= 0: got {lr}");
        if (weightDecay is { } wd && !(wd >= 0 && float.IsFinite(wd))) throw new ArgumentException($"weight decay must be a finite number >= 0: got {wd}");
        LearningRate = learningRate;
        WeightDecay = weightDecay;
    }

    /// <summary>The parameters of the group.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The group's learning rate before scheduling, or null for the optimizer's.</summary>
    public float? LearningRate { get; }

    /// <summary>The group's weight decay, or null for the optimizer's.</summary>
    public float? WeightDecay { get; }
}
