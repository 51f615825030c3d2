namespace DeepTrain.Schedules;

/// <summary>
/// A learning-rate schedule: the rate as a pure function of the step (counted from 0), which the trainer hands to
/// the optimizer before each update. Being pure, a schedule needs no state in a checkpoint and can be plotted ahead
/// of training. (The plateau schedule, which watches a metric, is the stateful exception:
/// <see cref="PerformanceSchedule"/>.)
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>A short lower-case name of the schedule's kind (<c>exponential</c>, <c>cosine</c>, ...).</summary>
    public abstract string Name { get; }

    /// <summary>The learning rate for step <paramref name="step"/> (≥ 0; the first update is step 0).</summary>
    public abstract float Rate(long step);

    /// <summary>Throws unless <paramref name="step"/> ≥ 0.</summary>
    protected static void CheckStep(long step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, $"step must be >= 0: got {step}");
    }

    internal static void RateValue(double v, string name)
    {
        if (!(v >= 0) || !double.IsFinite(v)) throw new ArgumentException($"{name} must be a finite number >= 0: got {v}");
    }

    internal static void Positive(double v, string name)
    {
        if (!(v > 0) || !double.IsFinite(v)) throw new ArgumentException($"{name} must be a finite number > 0: got {v}");
    }

    internal static void PositiveSteps(long v, string name)
    {
        if (v <= 0) throw new ArgumentException($"{name} must be > 0: got {v}");
    }
}
