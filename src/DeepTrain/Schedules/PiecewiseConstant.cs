namespace DeepTrain.Schedules;

/// <summary>
/// A rate that is constant between boundaries: <c>values[0]</c> before <c>boundaries[0]</c>, <c>values[i]</c> for
/// <c>boundaries[i−1] ≤ step &lt; boundaries[i]</c>, and the last value from the last boundary on. This is PyTorch's
/// convention (MultiStepLR: the rate changes at the step equal to the milestone); Keras's PiecewiseConstantDecay
/// keeps the old value through the boundary step (<c>step ≤ boundaries[0]</c> → <c>values[0]</c>), one step later.
/// We follow PyTorch. A step decay every k steps is the special case boundaries k, 2k, 3k, ...
/// </summary>
public sealed class PiecewiseConstant : LearningRateSchedule
{
    private readonly long[] _boundaries;
    private readonly float[] _values;

    /// <summary>Makes the schedule.</summary>
    /// <param name="boundaries">Strictly increasing steps &gt; 0 at which the rate changes.</param>
    /// <param name="values">The rates, finite and ≥ 0: one more than there are boundaries.</param>
    public PiecewiseConstant(long[] boundaries, float[] values)
    {
        ArgumentNullException.ThrowIfNull(boundaries);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != boundaries.Length + 1)
            throw new ArgumentException($"values must have one more entry than boundaries: got {values.Length} values for {boundaries.Length} boundaries");
        for (int i = 0; i < boundaries.Length; i++)
        {
            if (boundaries[i] <= 0) throw new ArgumentException($"boundaries[{i}] must be > 0: got {boundaries[i]}");
            if (i > 0 && boundaries[i] <= boundaries[i - 1])
                throw new ArgumentException($"boundaries must be strictly increasing: got {boundaries[i - 1]} then {boundaries[i]}");
        }
        for (int i = 0; i < values.Length; i++) RateValue(values[i], $"values[{i}]");
        _boundaries = (long[])boundaries.Clone();
        _values = (float[])values.Clone();
    }

    /// <inheritdoc/>
    public override string Name => "piecewise_constant";

    /// <summary>The steps at which the rate changes.</summary>
    public IReadOnlyList<long> Boundaries => _boundaries;

    /// <summary>The rates, one per interval.</summary>
    public IReadOnlyList<float> Values => _values;

    /// <inheritdoc/>
    public override float Rate(long step)
    {
        CheckStep(step);
        int k = 0;
        while (k < _boundaries.Length && step >= _boundaries[k]) k++;
        return _values[k];
    }
}
