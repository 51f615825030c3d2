using DeepTrain.Data;

namespace DeepTrain.Training;

/// <summary>
/// What the fit loop asks of data-parallel training (set <see cref="FitOptions.Distributed"/>): every process runs
/// the same loop over the same shuffled order and trains on its slice of each global batch; these hooks keep the
/// processes in step. <c>DeepTrain.Distributed.DataParallel</c> implements it over MPI; the fit loop itself knows
/// nothing of how the processes talk.
/// </summary>
/// <remarks>
/// The loop calls, in order: <see cref="BeginFit"/> once; per step <see cref="Slice"/> then, after the backward
/// pass, <see cref="AfterBackward"/>; per epoch <see cref="EndEpochTraining"/> (before validation) and
/// <see cref="ReduceLogs"/> (before the figures reach History and the callbacks); <see cref="EndFit"/> once, however
/// the fit ends. Every process must make the same calls in the same order.
/// </remarks>
public interface IDataParallel
{
    /// <summary>This process's number, from 0.</summary>
    int Rank { get; }

    /// <summary>The number of processes.</summary>
    int Size { get; }

    /// <summary>True on the process that reports progress and writes files (rank 0).</summary>
    bool IsPrimary { get; }

    /// <summary>
    /// Before the first epoch: checks that every process trains the same model on the same data with the same
    /// settings, and gives every process rank 0's parameters and buffers.
    /// </summary>
    /// <param name="context">The fit.</param>
    /// <param name="train">The training data.</param>
    /// <param name="validation">The validation data, or null.</param>
    void BeginFit(TrainingContext context, Dataset train, Dataset? validation);

    /// <summary>This process's rows of a global batch (a contiguous part of it).</summary>
    /// <param name="globalBatch">The example indices of the whole batch, the same on every process.</param>
    /// <returns>The indices this process trains on in this step.</returns>
    ReadOnlySpan<int> Slice(ReadOnlySpan<int> globalBatch);

    /// <summary>
    /// After the backward pass, before the optimizer step: replaces each trainable parameter's gradient with the
    /// gradient of the global batch's loss, and stops every process together when one of them was cancelled.
    /// </summary>
    /// <param name="context">The fit.</param>
    void AfterBackward(TrainingContext context);

    /// <summary>After an epoch's last step, before validation: brings the buffers (BatchNorm's moving averages) into agreement.</summary>
    /// <param name="context">The fit.</param>
    void EndEpochTraining(TrainingContext context);

    /// <summary>
    /// Turns this process's epoch figures into the run's: training figures become means over the global data
    /// (weighted by <paramref name="seen"/>), validation figures and times are rank 0's, so every process takes the
    /// same early-stopping and schedule decisions.
    /// </summary>
    /// <param name="logs">The epoch's figures, changed in place.</param>
    /// <param name="seen">The training examples this process saw in the epoch.</param>
    void ReduceLogs(Dictionary<string, double> logs, long seen);

    /// <summary>After training, however it ended (no communication: it may run on one process after an error).</summary>
    /// <param name="context">The fit.</param>
    void EndFit(TrainingContext context);
}
