namespace DeepTrain.Training;

/// <summary>
/// Stops training when a watched figure has not improved for <see cref="Patience"/> epochs and, if asked,
/// puts back the weights (and buffers) of the best epoch.
/// </summary>
public sealed class EarlyStopping : Callback
{
    private double _best;
    private int _wait;
    private float[][]? _bestWeights;

    /// <summary>Makes the callback.</summary>
    /// <param name="monitor">The History series to watch (default <c>val_loss</c>).</param>
    /// <param name="patience">Epochs without improvement before stopping, ≥ 0.</param>
    /// <param name="minDelta">The least change that counts as an improvement, ≥ 0.</param>
    /// <param name="restoreBestWeights">Restore the best epoch's weights when training ends.</param>
    /// <param name="maximize">True when larger is better; default: true for names containing "accuracy".</param>
    public EarlyStopping(string monitor = "val_loss", int patience = 5, double minDelta = 0, bool restoreBestWeights = true, bool? maximize = null)
    {
        if (patience < 0) throw new ArgumentException($"patience must be >= 0: got {patience}");
        if (!(minDelta >= 0)) throw new ArgumentException($"min delta must be >= 0: got {minDelta}");
        Monitor = monitor; Patience = patience; MinDelta = minDelta; RestoreBestWeights = restoreBestWeights;
        Maximize = maximize ?? monitor.Contains("accuracy");
    }

    /// <summary>The watched series.</summary>
    public string Monitor { get; }
    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; }
    /// <summary>The least improvement.</summary>
    public double MinDelta { get; }
    /// <summary>Whether the best weights are restored.</summary>
    public bool RestoreBestWeights { get; }
    /// <summary>Whether larger is better.</summary>
    public bool Maximize { get; }
    /// <summary>The best epoch (from 0), or −1.</summary>
    public int BestEpoch { get; private set; } = -1;
    /// <summary>The best value seen.</summary>
    public double BestValue => _best;

    /// <inheritdoc/>
    public override void OnTrainBegin(TrainingContext context)
    {
        _best = Maximize ? double.NegativeInfinity : double.PositiveInfinity;
        _wait = 0; BestEpoch = -1; _bestWeights = null;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(TrainingContext context, IReadOnlyDictionary<string, double> logs)
    {
        if (!logs.TryGetValue(Monitor, out var v))
            throw new InvalidOperationException($"early stopping watches '{Monitor}', which this fit does not record (it records: {string.Join(", ", logs.Keys)}); give validation data or watch another series");
        bool better = Maximize ? v > _best + MinDelta : v < _best - MinDelta;
        if (better)
        {
            _best = v; _wait = 0; BestEpoch = context.Epoch;
            if (RestoreBestWeights) _bestWeights = Snapshot(context);
        }
        else if (++_wait > Patience)
        {
            context.StopRequested = true;
            context.StopReason = $"early stopping: {Monitor} did not improve for {Patience} epochs (best {_best:G5} at epoch {BestEpoch + 1})";
        }
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(TrainingContext context)
    {
        if (!RestoreBestWeights || _bestWeights is null) return;
        int i = 0;
        foreach (var t in State(context)) _bestWeights[i++].CopyTo(t.Data);
    }

    private static IEnumerable<Tensor> State(TrainingContext c) =>
        c.Model.NamedParameters().Select(p => p.Value).Concat(c.Model.NamedBuffers().Select(b => b.Value));

    private static float[][] Snapshot(TrainingContext c) => State(c).Select(t => t.ToArray()).ToArray();
}
