namespace DeepTrain.Schedules;

/// <summary>
/// Power scheduling: η(t) = η0 · (1 + t / r)^(−c), with decay steps r and power c. After r steps the rate is
/// η0 / 2^c, after 2r steps η0 / 3^c, and so on (c = 1 gives Keras's InverseTimeDecay with decay rate 1;
/// PyTorch has no built-in equivalent: its PolynomialLR decays to 0 at a fixed step).
/// </summary>
public sealed class PowerDecay : LearningRateSchedule
{
    /// <summary>Makes the schedule.</summary>
    /// <param name="initialRate">η0, finite and ≥ 0.</param>
    /// <param name="decaySteps">r &gt; 0.</param>
    /// <param name="power">c ≥ 0.</param>
    public PowerDecay(float initialRate, long decaySteps, double power = 1)
    {
        RateValue(initialRate, "initialRate");
        PositiveSteps(decaySteps, "decaySteps");
        RateValue(power, "power");
        InitialRate = initialRate;
        DecaySteps = decaySteps;
        Power = power;
    }

    /// <inheritdoc/>
    public override string Name => "power";

    /// <summary>η0.</summary>
    public float InitialRate { get; }

    /// <summary>r.</summary>
    public long DecaySteps { get; }

    /// <summary>c.</summary>
    public double Power { get; }

    /// <inheritdoc/>
    public override float Rate(long step)
    {
        CheckStep(step);
        return (float)(InitialRate * Math.Pow(1 + (double)step / DecaySteps, -Power));
    }
}
