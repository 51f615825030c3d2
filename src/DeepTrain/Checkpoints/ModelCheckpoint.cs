using DeepTrain.Layers;
using DeepTrain.Training;

namespace DeepTrain.Checkpoints;

/// <summary>
/// Saves the model with its training state (<see cref="TrainingCheckpoint"/>) every <see cref="Every"/> epochs
/// and at the end of training, atomically, so an interrupted run can resume from the last save. Only complete
/// epochs are saved.
/// </summary>
public sealed class ModelCheckpoint : Callback
{
    /// <summary>Makes the callback; <paramref name="every"/> ≥ 1.</summary>
    public ModelCheckpoint(string path, int every = 1)
    {
        if (every < 1) throw new ArgumentException($"checkpoint interval must be >= 1 epoch: got {every}");
        Path = path; Every = every;
    }

    /// <summary>The file written.</summary>
    public string Path { get; }
    /// <summary>Epochs between saves.</summary>
    public int Every { get; }
    /// <summary>How many times the file was written (in a data-parallel run, only rank 0 writes).</summary>
    public int Saves { get; private set; }

    /// <inheritdoc/>
    public override void OnEpochEnd(TrainingContext context, IReadOnlyDictionary<string, double> logs)
    {
        if ((context.Epoch + 1) % Every == 0) Save(context, context.Epoch + 1);
    }

    /// <summary>
    /// Saves the final state when the last epoch was not saved yet. Not when training stopped inside an epoch: the
    /// weights would then hold part of an epoch that the checkpoint does not count, and a resumed run would train on
    /// those batches twice. The file keeps the last complete epoch that was saved, and resuming from it gives the
    /// same weights as a run that was never interrupted.
    /// </summary>
    public override void OnTrainEnd(TrainingContext context)
    {
        int done = context.Options.InitialEpoch + context.History.Epochs;
        if (done % Every != 0 && context.History.Epochs > 0 && !context.StoppedInsideEpoch) Save(context, done);
    }

    private void Save(TrainingContext context, int epochsDone)
    {
        if (context.Options.Distributed is { IsPrimary: false }) return; // data-parallel: rank 0 writes
        if (context.Model is not Sequential s) throw new InvalidOperationException("checkpoints are written for Sequential models");
        ModelFile.Save(Path, s, TrainingCheckpoint.Capture(s, context.Optimizer, epochsDone, context.Options.Seed, context.History));
        Saves++;
    }
}
