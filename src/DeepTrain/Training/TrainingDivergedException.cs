namespace DeepTrain.Training;

/// <summary>Thrown when the loss becomes NaN or infinite during <c>Fit</c>; the message names the step and the usual remedies.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Makes the exception.</summary>
    public TrainingDivergedException(string message, long step) : base(message) => Step = step;

    /// <summary>The optimizer step at which the loss went non-finite (from 1).</summary>
    public long Step { get; }
}
