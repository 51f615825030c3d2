namespace DeepTrain.Schedules;

/// <summary>
/// Performance scheduling (reduce on plateau): the rate is multiplied by <see cref="Factor"/> when a watched metric
/// has not improved for more than <see cref="Patience"/> reports, making the same decisions as PyTorch's
/// ReduceLROnPlateau. Each <see cref="Report"/> does, in order:
/// <code>
/// if metric is better than best (beyond the threshold): best ← metric, bad ← 0   else bad ← bad + 1
/// if cooling down: cooldown ← cooldown − 1, bad ← 0
/// if bad &gt; patience: rate ← max(rate·factor, minRate) (kept only if it drops by more than minDecay),
///                    cooldown ← Cooldown, bad ← 0
/// </code>
/// "Better" in <see cref="PlateauMode.Min"/> with a relative threshold θ is metric &lt; best·(1 − θ); with an
/// absolute one, metric &lt; best − θ (mirrored for <see cref="PlateauMode.Max"/>). A NaN metric is never better.
/// Keras's ReduceLROnPlateau differs slightly (an absolute min_delta, and the wait counter compared with ≥). Unlike
/// the <see cref="LearningRateSchedule"/>s this one is stateful: it is driven by a callback once per epoch
/// (or per evaluation), not by the step.
/// </summary>
public sealed class PerformanceSchedule
{
    private double _rate;

    /// <summary>Makes the schedule.</summary>
    /// <param name="initialRate">The starting rate, finite and ≥ 0.</param>
    /// <param name="factor">The factor applied on a plateau, in (0, 1).</param>
    /// <param name="patience">How many reports without improvement are tolerated (≥ 0); the rate drops on the next.</param>
    /// <param name="minRate">The floor under the rate (≥ 0).</param>
    /// <param name="threshold">θ ≥ 0, the improvement that counts (see <paramref name="thresholdMode"/>).</param>
    /// <param name="mode">Whether lower or higher metrics are better.</param>
    /// <param name="thresholdMode">Whether θ is relative to the best value or absolute.</param>
    /// <param name="cooldown">How many reports to wait after a reduction before counting bad reports again (≥ 0).</param>
    /// <param name="minDecay">A reduction smaller than this is skipped (PyTorch's eps, ≥ 0).</param>
    public PerformanceSchedule(float initialRate, double factor = 0.1, int patience = 10, float minRate = 0f,
        double threshold = 1e-4, PlateauMode mode = PlateauMode.Min, ThresholdMode thresholdMode = ThresholdMode.Relative,
        int cooldown = 0, double minDecay = 1e-8)
    {
        LearningRateSchedule.RateValue(initialRate, "initialRate");
        if (!(factor > 0 && factor < 1)) throw new ArgumentException($"factor must be in (0, 1): got {factor}");
        if (patience < 0) throw new ArgumentException($"patience must be >= 0: got {patience}");
        LearningRateSchedule.RateValue(minRate, "minRate");
        LearningRateSchedule.RateValue(threshold, "threshold");
        if (mode is not (PlateauMode.Min or PlateauMode.Max)) throw new ArgumentException($"mode must be Min or Max: got {mode}");
        if (thresholdMode is not (ThresholdMode.Relative or ThresholdMode.Absolute))
            throw new ArgumentException($"thresholdMode must be Relative or Absolute: got {thresholdMode}");
        if (cooldown < 0) throw new ArgumentException($"cooldown must be >= 0: got {cooldown}");
        LearningRateSchedule.RateValue(minDecay, "minDecay");
        _rate = initialRate;
        Factor = factor;
        Patience = patience;
        MinRate = minRate;
        Threshold = threshold;
        Mode = mode;
        ThresholdMode = thresholdMode;
        Cooldown = cooldown;
        MinDecay = minDecay;
        Best = mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
    }

    /// <summary>A short name of the schedule's kind.</summary>
    public string Name => "performance";

    /// <summary>The factor applied on a plateau.</summary>
    public double Factor { get; }

    /// <summary>How many reports without improvement are tolerated.</summary>
    public int Patience { get; }

    /// <summary>The floor under the rate.</summary>
    public float MinRate { get; }

    /// <summary>θ, the improvement that counts.</summary>
    public double Threshold { get; }

    /// <summary>Whether lower or higher is better.</summary>
    public PlateauMode Mode { get; }

    /// <summary>Whether θ is relative or absolute.</summary>
    public ThresholdMode ThresholdMode { get; }

    /// <summary>How many reports are ignored after a reduction.</summary>
    public int Cooldown { get; }

    /// <summary>A reduction smaller than this is skipped.</summary>
    public double MinDecay { get; }

    /// <summary>The current rate.</summary>
    public float CurrentRate => (float)_rate;

    /// <summary>The best metric reported so far (±∞ before the first report).</summary>
    public double Best { get; private set; }

    /// <summary>Reports without improvement since the last improvement, reduction or cooldown.</summary>
    public int BadReports { get; private set; }

    /// <summary>Reports left in the current cooldown.</summary>
    public int CooldownLeft { get; private set; }

    /// <summary>How many times the rate has been reduced.</summary>
    public int Reductions { get; private set; }

    /// <summary>Records the metric of one epoch (or evaluation) and returns the rate to use from now on.</summary>
    public float Report(double metric)
    {
        if (IsBetter(metric))
        {
            Best = metric;
            BadReports = 0;
        }
        else BadReports++;

        if (CooldownLeft > 0)
        {
            CooldownLeft--;
            BadReports = 0;
        }

        if (BadReports > Patience)
        {
            double reduced = Math.Max(_rate * Factor, MinRate);
            if (_rate - reduced > MinDecay)
            {
                _rate = reduced;
                Reductions++;
            }
            CooldownLeft = Cooldown;
            BadReports = 0;
        }
        return CurrentRate;
    }

    private bool IsBetter(double metric) => (Mode, ThresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Relative) => metric < Best * (1 - Threshold),
        (PlateauMode.Min, _) => metric < Best - Threshold,
        (_, ThresholdMode.Relative) => metric > Best * (1 + Threshold),
        _ => metric > Best + Threshold,
    };
}
