namespace DeepTrain.Schedules;

/// <summary>
/// Cosine decay with optional linear warm-up (Loshchilov and Hutter's SGDR without restarts; Goyal et al.'s
/// warm-up). With peak rate η0, floor η_min, warm-up steps w and total steps T:
/// <code>
/// η(t) = η0 · t / w                                           for t &lt; w
/// η(t) = η_min + (η0 − η_min) · ½ · (1 + cos(π · (t − w) / (T − w)))   for w ≤ t ≤ T
/// η(t) = η_min                                                for t &gt; T
/// </code>
/// Without warm-up this is PyTorch's CosineAnnealingLR over T steps (which, unlike us, climbs again after T) and
/// Keras's CosineDecay with alpha = η_min / η0; the warm-up starts from 0 as in Keras's CosineDecay with
/// warmup_target (and Hugging Face's cosine schedule).
/// </summary>
public sealed class CosineDecay : LearningRateSchedule
{
    /// <summary>Makes the schedule.</summary>
    /// <param name="initialRate">η0, the rate at the end of warm-up; finite and ≥ 0.</param>
    /// <param name="totalSteps">T &gt; 0: the step at which the rate reaches <paramref name="minRate"/>.</param>
    /// <param name="warmupSteps">w in [0, T): the length of the linear warm-up.</param>
    /// <param name="minRate">η_min in [0, η0].</param>
    public CosineDecay(float initialRate, long totalSteps, long warmupSteps = 0, float minRate = 0f)
    {
        RateValue(initialRate, "initialRate");
        PositiveSteps(totalSteps, "totalSteps");
        if (warmupSteps < 0 || warmupSteps >= totalSteps)
            throw new ArgumentException($"warmupSteps must be in [0, totalSteps = {totalSteps}): got {warmupSteps}");
        RateValue(minRate, "minRate");
        if (minRate > initialRate) throw new ArgumentException($"minRate must be <= initialRate ({initialRate}): got {minRate}");
        InitialRate = initialRate;
        TotalSteps = totalSteps;
        WarmupSteps = warmupSteps;
        MinRate = minRate;
    }

    /// <inheritdoc/>
    public override string Name => "cosine";

    /// <summary>η0.</summary>
    public float InitialRate { get; }

    /// <summary>T.</summary>
    public long TotalSteps { get; }

    /// <summary>w.</summary>
    public long WarmupSteps { get; }

    /// <summary>η_min.</summary>
    public float MinRate { get; }

    /// <inheritdoc/>
    public override float Rate(long step)
    {
        CheckStep(step);
        if (step < WarmupSteps) return (float)((double)InitialRate * step / WarmupSteps);
        if (step >= TotalSteps) return MinRate;
        double progress = (double)(step - WarmupSteps) / (TotalSteps - WarmupSteps);
        return (float)(MinRate + (InitialRate - (double)MinRate) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}
