namespace DeepTrain.Schedules;

/// <summary>
/// Exponential decay: η(t) = η0 · d^(t / r), with decay rate d and decay steps r; with <c>staircase</c> the
/// exponent is ⌊t / r⌋, so the rate drops by the factor d every r steps (PyTorch's StepLR; with r = 1 and no
/// staircase it is PyTorch's ExponentialLR). Keras's ExponentialDecay is the same function.
/// </summary>
public sealed class ExponentialDecay : LearningRateSchedule
{
    /// <summary>Makes the schedule.</summary>
    /// <param name="initialRate">η0, finite and ≥ 0.</param>
    /// <param name="decaySteps">r &gt; 0.</param>
    /// <param name="decayRate">d &gt; 0 (below 1 to decay).</param>
    /// <param name="staircase">Decay in whole steps of r (⌊t / r⌋) rather than continuously.</param>
    public ExponentialDecay(float initialRate, long decaySteps, double decayRate, bool staircase = false)
    {
        RateValue(initialRate, "initialRate");
        PositiveSteps(decaySteps, "decaySteps");
        Positive(decayRate, "decayRate");
        InitialRate = initialRate;
        DecaySteps = decaySteps;
        DecayRate = decayRate;
        Staircase = staircase;
    }

    /// <inheritdoc/>
    public override string Name => "exponential";

    /// <summary>η0.</summary>
    public float InitialRate { get; }

    /// <summary>r.</summary>
    public long DecaySteps { get; }

    /// <summary>d.</summary>
    public double DecayRate { get; }

    /// <summary>Whether the exponent is rounded down to whole periods.</summary>
    public bool Staircase { get; }

    /// <inheritdoc/>
    public override float Rate(long step)
    {
        CheckStep(step);
        double p = Staircase ? step / DecaySteps : (double)step / DecaySteps;
        return (float)(InitialRate * Math.Pow(DecayRate, p));
    }
}
