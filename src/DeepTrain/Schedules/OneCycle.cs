namespace DeepTrain.Schedules;

/// <summary>
/// The 1cycle policy (Smith and Topin, 2017) as PyTorch's OneCycleLR computes it (two phases, cosine annealing):
/// the rate rises from η_max / <c>divFactor</c> to η_max over the first <c>pctStart</c> of the steps, then falls to
/// η_max / (<c>divFactor</c> · <c>finalDivFactor</c>) at the last step T − 1. With e1 = pctStart·T − 1,
/// e2 = T − 1 and anneal(a, b, p) = b + (a − b) · ½ · (1 + cos(π·p)):
/// <code>
/// η(t) = anneal(η_max / div, η_max, t / e1)                   for t ≤ e1
/// η(t) = anneal(η_max, η_min, (t − e1) / (e2 − e1))           for t &gt; e1
/// </code>
/// Steps from T on keep the final rate (PyTorch refuses them). PyTorch also cycles the momentum in the opposite
/// direction; this schedule covers the learning rate only.
/// </summary>
public sealed class OneCycle : LearningRateSchedule
{
    private readonly double _endWarm;   // e1

    /// <summary>Makes the schedule.</summary>
    /// <param name="maxRate">η_max, finite and ≥ 0.</param>
    /// <param name="totalSteps">T, the number of steps in the cycle.</param>
    /// <param name="pctStart">The fraction of the steps spent rising, in (0, 1), with pctStart·T &gt; 1.</param>
    /// <param name="divFactor">The starting rate is η_max / divFactor (&gt; 0).</param>
    /// <param name="finalDivFactor">The final rate is the starting rate / finalDivFactor (&gt; 0).</param>
    public OneCycle(float maxRate, long totalSteps, double pctStart = 0.3, double divFactor = 25, double finalDivFactor = 1e4)
    {
        RateValue(maxRate, "maxRate");
        PositiveSteps(totalSteps, "totalSteps");
        if (!(pctStart > 0 && pctStart < 1)) throw new ArgumentException($"pctStart must be in (0, 1): got {pctStart}");
        if (!(pctStart * totalSteps > 1))
            throw new ArgumentException($"pctStart * totalSteps must exceed 1 so that the rising phase has a step: got {pctStart} * {totalSteps}");
        Positive(divFactor, "divFactor");
        Positive(finalDivFactor, "finalDivFactor");
        MaxRate = maxRate;
        TotalSteps = totalSteps;
        PctStart = pctStart;
        DivFactor = divFactor;
        FinalDivFactor = finalDivFactor;
        _endWarm = pctStart * totalSteps - 1;
    }

    /// <inheritdoc/>
    public override string Name => "one_cycle";

    /// <summary>η_max.</summary>
    public float MaxRate { get; }

    /// <summary>T.</summary>
    public long TotalSteps { get; }

    /// <summary>The fraction of steps spent rising.</summary>
    public double PctStart { get; }

    /// <summary>η_max over the starting rate.</summary>
    public double DivFactor { get; }

    /// <summary>The starting rate over the final rate.</summary>
    public double FinalDivFactor { get; }

    /// <inheritdoc/>
    public override float Rate(long step)
    {
        CheckStep(step);
        double initial = MaxRate / DivFactor, final = initial / FinalDivFactor;
        double t = Math.Min(step, TotalSteps - 1);
        return t <= _endWarm
            ? (float)Anneal(initial, MaxRate, t / _endWarm)
            : (float)Anneal(MaxRate, final, (t - _endWarm) / (TotalSteps - 1 - _endWarm));
    }

    private static double Anneal(double start, double end, double pct) => end + (start - end) / 2 * (Math.Cos(Math.PI * pct) + 1);
}
