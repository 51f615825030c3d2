using DeepTrain.Optimizers;
using DeepTrain.Schedules;

namespace DeepTrain.Training;

/// <summary>When a learning-rate schedule advances.</summary>
public enum ScheduleUnit
{
    /// <summary>After every optimizer step (the schedule's step is the global step).</summary>
    Step,
    /// <summary>Once per epoch (the schedule's step is the epoch number).</summary>
    Epoch,
}

/// <summary>How <c>Fit</c> reports progress.</summary>
public enum ProgressMode
{
    /// <summary>A live progress bar on a terminal, one plain line per epoch otherwise.</summary>
    Auto,
    /// <summary>One plain line per epoch.</summary>
    Lines,
    /// <summary>Nothing.</summary>
    None,
}

/// <summary>The settings of one <c>Fit</c> call. Validated when the fit starts.</summary>
public sealed class FitOptions
{
    /// <summary>The optimizer (required).</summary>
    public Optimizer? Optimizer { get; set; }
    /// <summary>The loss (default: sparse categorical cross-entropy from logits).</summary>
    public Loss Loss { get; set; } = Loss.SparseCategoricalCrossEntropy;
    /// <summary>Metrics computed on training batches and on validation data (default: accuracy).</summary>
    public IList<Metric> Metrics { get; set; } = [Metric.Accuracy()];
    /// <summary>Callbacks (early stopping, checkpoints, ...).</summary>
    public IList<Callback> Callbacks { get; set; } = [];
    /// <summary>Epochs to train, ≥ 1.</summary>
    public int Epochs { get; set; } = 10;
    /// <summary>Examples per batch, ≥ 1.</summary>
    public int BatchSize { get; set; } = 32;
    /// <summary>Shuffle the training data each epoch.</summary>
    public bool Shuffle { get; set; } = true;
    /// <summary>Seed of the shuffling and of the model's random layers.</summary>
    public int Seed { get; set; }
    /// <summary>A learning-rate schedule, or null for a constant rate.</summary>
    public LearningRateSchedule? Schedule { get; set; }
    /// <summary>Whether the schedule advances per step or per epoch.</summary>
    public ScheduleUnit ScheduleUnit { get; set; } = ScheduleUnit.Step;
    /// <summary>How progress is shown.</summary>
    public ProgressMode Progress { get; set; } = ProgressMode.Auto;
    /// <summary>Where plain progress lines go (default: standard output).</summary>
    public TextWriter? Output { get; set; }
    /// <summary>Stops training after the current batch when cancelled (Ctrl-C in the CLI). The epoch it stops in is
    /// not recorded in the history (<see cref="TrainingContext.StoppedInsideEpoch"/>); the weights keep its batches.</summary>
    public CancellationToken Cancellation { get; set; }
    /// <summary>The epoch to start from (when resuming); epochs before it are not run.</summary>
    public int InitialEpoch { get; set; }
    /// <summary>
    /// The state of the model's random generator (dropout masks, RReLU slopes) to start from, as saved by
    /// <see cref="Tensors.Rng.GetState"/> after <see cref="InitialEpoch"/> epochs; null derives it from <see cref="Seed"/>.
    /// Set it with <see cref="InitialEpoch"/> to resume a run bit for bit (see <c>Checkpoints.TrainingCheckpoint</c>).
    /// </summary>
    public ulong[]? InitialRngState { get; set; }
    /// <summary>
    /// Data-parallel training: the hooks that keep several processes in step (<c>DeepTrain.Distributed.DataParallel</c>
    /// over MPI), each training on its slice of every global batch of <see cref="BatchSize"/>; null trains in this
    /// process alone.
    /// </summary>
    public IDataParallel? Distributed { get; set; }

    internal void Validate()
    {
        if (Optimizer is null) throw new ArgumentException("FitOptions.Optimizer is required");
        if (Epochs < 1) throw new ArgumentException($"epochs must be >= 1: got {Epochs}");
        if (BatchSize < 1) throw new ArgumentException($"batch size must be >= 1: got {BatchSize}");
        if (InitialEpoch < 0 || InitialEpoch > Epochs) throw new ArgumentException($"initial epoch must be in [0, epochs]: got {InitialEpoch}");
        if (InitialRngState is { Length: not 4 }) throw new ArgumentException($"an initial Rng state has 4 words: got {InitialRngState.Length}");
    }
}
