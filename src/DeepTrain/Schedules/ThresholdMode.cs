namespace DeepTrain.Schedules;

/// <summary>How the improvement threshold of a <see cref="PerformanceSchedule"/> is measured.</summary>
public enum ThresholdMode
{
    /// <summary>Relative to the best value: better than best·(1 ∓ threshold).</summary>
    Relative,
    /// <summary>Absolute: better than best ∓ threshold.</summary>
    Absolute,
}
