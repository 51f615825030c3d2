using DeepTrain.Layers;
using DeepTrain.Optimizers;

namespace DeepTrain.Training;

/// <summary>What a callback sees of a running fit, and how it can stop it.</summary>
public sealed class TrainingContext
{
    internal TrainingContext(Module model, Optimizer optimizer, History history, FitOptions options, int batchesPerEpoch)
    {
        Model = model; Optimizer = optimizer; History = history; Options = options; BatchesPerEpoch = batchesPerEpoch;
    }

    /// <summary>The model being trained.</summary>
    public Module Model { get; }
    /// <summary>Its optimizer.</summary>
    public Optimizer Optimizer { get; }
    /// <summary>The epochs completed so far.</summary>
    public History History { get; }
    /// <summary>The fit's options.</summary>
    public FitOptions Options { get; }
    /// <summary>Batches in one epoch.</summary>
    public int BatchesPerEpoch { get; }
    /// <summary>The current epoch (from 0).</summary>
    public int Epoch { get; internal set; }
    /// <summary>Optimizer steps taken since the start of this fit.</summary>
    public long Step { get; internal set; }
    /// <summary>Set by a callback to end training after the current epoch (or batch).</summary>
    public bool StopRequested { get; set; }
    /// <summary>Why a callback stopped training.</summary>
    public string? StopReason { get; set; }
    /// <summary>
    /// True when training stopped after some but not all of an epoch's batches (cancellation, or a callback's
    /// <see cref="StopRequested"/> set after a batch). That epoch is not in <see cref="History"/>; the weights include
    /// its batches.
    /// </summary>
    public bool StoppedInsideEpoch { get; internal set; }
}

/// <summary>Hooks into the fit loop. Override what you need; every hook does nothing by default.</summary>
public abstract class Callback
{
    /// <summary>Before the first epoch.</summary>
    public virtual void OnTrainBegin(TrainingContext context) { }
    /// <summary>At the start of each epoch.</summary>
    public virtual void OnEpochBegin(TrainingContext context) { }
    /// <summary>Before each step's forward pass (the step number is <see cref="TrainingContext.Step"/> + 1).</summary>
    public virtual void OnStepBegin(TrainingContext context) { }
    /// <summary>After each step's backward pass, before the update: gradients (and the step's intermediates) are still there.</summary>
    public virtual void OnBackwardEnd(TrainingContext context) { }
    /// <summary>After each optimizer step, with the batch's loss.</summary>
    public virtual void OnBatchEnd(TrainingContext context, int batch, float loss) { }
    /// <summary>After each epoch's validation, with the epoch's figures (already in History).</summary>
    public virtual void OnEpochEnd(TrainingContext context, IReadOnlyDictionary<string, double> logs) { }
    /// <summary>After training ends, however it ends.</summary>
    public virtual void OnTrainEnd(TrainingContext context) { }
}
