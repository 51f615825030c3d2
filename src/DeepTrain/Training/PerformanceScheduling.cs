using DeepTrain.Schedules;

namespace DeepTrain.Training;

/// <summary>
/// Drives a <see cref="PerformanceSchedule"/> (reduce on plateau): after each epoch it reports the watched
/// figure and hands the resulting rate to the optimizer.
/// </summary>
public sealed class PerformanceScheduling : Callback
{
    /// <summary>Makes the callback; <paramref name="monitor"/> is a History series (default <c>val_loss</c>).</summary>
    public PerformanceScheduling(PerformanceSchedule schedule, string monitor = "val_loss")
    {
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        Monitor = monitor;
    }

    /// <summary>The schedule.</summary>
    public PerformanceSchedule Schedule { get; }
    /// <summary>The watched series.</summary>
    public string Monitor { get; }

    /// <inheritdoc/>
    public override void OnTrainBegin(TrainingContext context) => context.Optimizer.LearningRate = Schedule.CurrentRate;

    /// <inheritdoc/>
    public override void OnEpochEnd(TrainingContext context, IReadOnlyDictionary<string, double> logs)
    {
        if (!logs.TryGetValue(Monitor, out var v))
            throw new InvalidOperationException($"the performance schedule watches '{Monitor}', which this fit does not record (it records: {string.Join(", ", logs.Keys)})");
        context.Optimizer.LearningRate = Schedule.Report(v);
    }
}
