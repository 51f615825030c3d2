using System.Globalization;
using System.Numerics.Tensors;
using DeepTrain.Data;
using DeepTrain.Layers;
using DeepTrain.Ops;
using DeepTrain.Training;

namespace DeepTrain.Distributed;

/// <summary>The settings of <see cref="DataParallel"/>.</summary>
public sealed class DataParallelOptions
{
    /// <summary>
    /// Normalize BatchNorm layers with the statistics of the global batch (two allreduces forward, one backward,
    /// per layer and step); by default each process uses its own slice's statistics, as PyTorch's DDP does.
    /// </summary>
    public bool SyncBatchNorm { get; set; }

    /// <summary>
    /// Size of the gradient buckets in bytes: each bucket's allreduce is started (<c>MPI_Iallreduce</c>) as soon as
    /// it is filled, while the next one is filled; 0 sends every gradient in one flat buffer with one blocking
    /// allreduce. Default 0: on one machine the single flat allreduce measured fastest (docs/distributed.md).
    /// </summary>
    public int BucketBytes { get; set; }
}

/// <summary>
/// Data-parallel training over MPI, plugged into <c>Fit</c> through <see cref="FitOptions.Distributed"/>: every
/// process starts from rank 0's weights, walks the same shuffled order, trains on its slice of each global batch
/// (rank r of p takes rows [r·b/p, (r+1)·b/p)), and before each optimizer step the gradients are combined by
/// allreduce into the gradient of the global batch's mean loss, so p processes take the same steps as one
/// process with the same global batch. Only rank 0 reports progress and writes checkpoints; epoch figures are
/// reduced so that every process takes the same early-stopping and schedule decisions.
/// </summary>
/// <remarks>
/// At the start the processes compare a fingerprint of the model, the data and the settings; any difference ends
/// every process with one <see cref="DistributedMismatchException"/>. Dropout and other random layers draw from a
/// per-rank stream (rank 0's is the single-process one). Each process evaluates the whole validation set.
/// </remarks>
public sealed class DataParallel : IDataParallel, ICrossReplicaSum
{
    private readonly MpiWorld _world;
    private readonly DataParallelOptions _options;
    private Tensor[] _params = [];
    private Tensor[] _state = [];
    private float[] _flat = [];              // pinned: gradients (scaled by this rank's share) + one stop flag
    private (int Start, int Length)[] _buckets = [];
    private MpiRequest[] _requests = [];
    private float _share = 1;
    private int _minRows = 1;
    private readonly List<BatchNorm> _synced = new();

    /// <summary>Makes the hooks over an initialized MPI world.</summary>
    /// <param name="world">The processes (from <see cref="MpiWorld.Initialize"/>).</param>
    /// <param name="options">Settings, or null for the defaults.</param>
    public DataParallel(MpiWorld world, DataParallelOptions? options = null)
    {
        _world = world ?? throw new ArgumentNullException(nameof(world));
        _options = options ?? new DataParallelOptions();
        if (_options.BucketBytes < 0) throw new ArgumentException($"bucket size must be >= 0 bytes: got {_options.BucketBytes}");
    }

    /// <inheritdoc/>
    public int Rank => _world.Rank;

    /// <inheritdoc/>
    public int Size => _world.Size;

    /// <inheritdoc/>
    public bool IsPrimary => _world.Rank == 0;

    /// <summary>The MPI world the processes talk through.</summary>
    public MpiWorld World => _world;

    /// <summary>The settings.</summary>
    public DataParallelOptions Options => _options;

    /// <summary>How many times the weights were found to differ between processes at an epoch's end and were reset to rank 0's.</summary>
    public int Resyncs { get; private set; }

    /// <summary>Time spent in the gradient exchange (copying and allreduce) since the fit began.</summary>
    public TimeSpan ExchangeTime { get; private set; }

    /// <inheritdoc/>
    public void BeginFit(TrainingContext context, Dataset train, Dataset? validation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(train);
        var model = context.Model;
        var o = context.Options;
        _params = model.NamedParameters().Where(p => p.Value.Trainable).Select(p => p.Value).ToArray();
        _state = model.NamedParameters().Select(p => p.Value).Concat(model.NamedBuffers().Select(b => b.Value)).ToArray();
        var batchNorms = new List<BatchNorm>();
        Walk(model, batchNorms);
        _minRows = batchNorms.Any(b => b.UsesBatchStatistics) && !_options.SyncBatchNorm ? 2 : 1;
        CheckAgreement(context, train, validation);
        CheckBatches(train.Count, o.BatchSize);

        // everyone starts from rank 0's parameters and buffers
        var state = new float[_state.Sum(t => t.Length)];
        Pack(_state, state);
        _world.Broadcast(state, 0);
        Unpack(state, _state);

        if (Rank > 0) // dropout masks must differ between the slices; rank 0 keeps the single-process stream
            model.Rng = new Tensors.Rng(((ulong)(uint)o.Seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)(uint)Rank * 0xD1B54A32D192ED03UL) ^ (ulong)o.InitialEpoch);

        int total = _params.Sum(p => p.Length);
        _flat = GC.AllocateArray<float>(total + 1, pinned: true);
        int perBucket = _options.BucketBytes == 0 ? int.MaxValue : Math.Max(1, _options.BucketBytes / sizeof(float));
        var buckets = new List<(int, int)>();
        for (int start = 0; start < _flat.Length; start += perBucket)
            buckets.Add((start, Math.Min(perBucket, _flat.Length - start)));
        _buckets = buckets.ToArray();
        _requests = new MpiRequest[_buckets.Length];

        _synced.Clear();
        if (_options.SyncBatchNorm)
            foreach (var bn in batchNorms) { bn.CrossReplica = this; _synced.Add(bn); }
        ExchangeTime = TimeSpan.Zero;
    }

    /// <inheritdoc/>
    public ReadOnlySpan<int> Slice(ReadOnlySpan<int> globalBatch)
    {
        long length = globalBatch.Length;
        int start = (int)(Rank * length / Size), end = (int)((Rank + 1) * length / Size);
        _share = length == 0 ? 0 : (float)((end - start) / (double)length);
        return globalBatch[start..end];
    }

    /// <inheritdoc/>
    public void AfterBackward(TrainingContext context)
    {
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        var flat = _flat;
        flat[^1] = context.Options.Cancellation.IsCancellationRequested ? 1 : 0;
        int offset = 0, bucket = 0;
        // Σ_r (n_r/b)·g_r is the gradient of the global batch's mean loss (each g_r is its slice's mean)
        for (int i = 0; i < _params.Length; i++)
        {
            var p = _params[i];
            var dst = flat.AsSpan(offset, p.Length);
            if (p.HasGrad) TensorPrimitives.Multiply(p.Grad, _share, dst); else dst.Clear();
            offset += p.Length;
            if (_options.BucketBytes > 0)
                while (bucket < _buckets.Length - 1 && _buckets[bucket].Start + _buckets[bucket].Length <= offset)
                {
                    _requests[bucket] = _world.StartAllReduce(flat.AsMemory(_buckets[bucket].Start, _buckets[bucket].Length));
                    bucket++;
                }
        }
        if (_options.BucketBytes > 0)
        {
            for (; bucket < _buckets.Length; bucket++)
                _requests[bucket] = _world.StartAllReduce(flat.AsMemory(_buckets[bucket].Start, _buckets[bucket].Length));
            for (int b = 0; b < _requests.Length; b++) _world.Wait(ref _requests[b]);
        }
        else _world.AllReduce(flat);
        offset = 0;
        for (int i = 0; i < _params.Length; i++)
        {
            var p = _params[i];
            if (p.HasGrad) flat.AsSpan(offset, p.Length).CopyTo(p.Grad);
            offset += p.Length;
        }
        if (flat[^1] > 0 && !context.StopRequested)
        {
            context.StopRequested = true;
            context.StopReason = "cancelled";
        }
        ExchangeTime += System.Diagnostics.Stopwatch.GetElapsedTime(t0);
    }

    /// <inheritdoc/>
    public void EndEpochTraining(TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = context.Model;
        // BatchNorm's moving averages: each process saw only its slices unless synchronized; average them
        var buffers = model.NamedBuffers().Select(b => b.Value).ToArray();
        if (buffers.Length > 0 && !_options.SyncBatchNorm)
        {
            var flat = new float[buffers.Sum(b => b.Length)];
            Pack(buffers, flat);
            _world.AllReduce(flat);
            TensorPrimitives.Multiply(flat, 1f / Size, flat);
            Unpack(flat, buffers);
        }
        // The processes apply identical updates, so their weights should agree bit for bit; an MPI whose
        // allreduce gives different roundings on different ranks would let them drift: put back rank 0's.
        double sum = 0;
        int k = 0;
        foreach (var p in _state)
            foreach (float v in p.Data) sum += v * (1 + (k++ % 7));
        Span<double> range = [sum, -sum];
        _world.AllReduce(range, MpiOp.Max);
        if (range[0] != -range[1])
        {
            var state = new float[_state.Sum(t => t.Length)];
            Pack(_state, state);
            _world.Broadcast(state, 0);
            Unpack(state, _state);
            Resyncs++;
        }
    }

    /// <inheritdoc/>
    public void ReduceLogs(Dictionary<string, double> logs, long seen)
    {
        ArgumentNullException.ThrowIfNull(logs);
        var keys = logs.Keys.ToArray();
        var values = new double[keys.Length + 1];
        values[^1] = seen;
        for (int i = 0; i < keys.Length; i++)
            values[i] = RankZeroOnly(keys[i]) ? (IsPrimary ? logs[keys[i]] : 0) : logs[keys[i]] * seen;
        _world.AllReduce(values);
        double total = values[^1];
        for (int i = 0; i < keys.Length; i++)
            logs[keys[i]] = RankZeroOnly(keys[i]) ? values[i] : values[i] / Math.Max(1, total);
        if (logs.TryGetValue("seconds", out double seconds)) logs["samples_per_second"] = total / Math.Max(1e-9, seconds);
    }

    // validation figures, times and the rate are rank 0's (identical or nearly so everywhere; taking one makes them exact)
    private static bool RankZeroOnly(string key) => key.StartsWith("val_", StringComparison.Ordinal) || key is "lr" or "seconds" or "samples_per_second";

    /// <inheritdoc/>
    public void EndFit(TrainingContext context)
    {
        foreach (var bn in _synced) bn.CrossReplica = null;
        _synced.Clear();
    }

    /// <inheritdoc/>
    void ICrossReplicaSum.Sum(Span<float> values) => _world.AllReduce(values);

    private void CheckAgreement(TrainingContext context, Dataset train, Dataset? validation)
    {
        var model = context.Model;
        var o = context.Options;
        var named = model.NamedParameters().ToArray();
        long shapeHash = 17;
        foreach (var (name, t) in named.Concat(model.NamedBuffers()))
        {
            foreach (char ch in name) shapeHash = (shapeHash * 31 + ch) & ((1L << 50) - 1);
            shapeHash = (shapeHash * 31 + t.Length) & ((1L << 50) - 1);
        }
        long labelHash = 0;
        var labels = train.Labels;
        for (int i = 0; i < labels.Length; i++) labelHash = (labelHash * 1_000_003 + labels[i] + 1) & ((1L << 50) - 1);
        (string What, double Value)[] facts =
        [
            ("the number of parameter tensors (every process must build the same model)", named.Length),
            ("the number of parameters (every process must build the same model)", named.Sum(p => (long)p.Value.Length)),
            ("the number of trainable parameters (frozen layers must match)", _params.Sum(p => (long)p.Length)),
            ("the parameter names and shapes (every process must build the same model)", shapeHash),
            ("the number of training examples (every process must load the same data)", train.Count),
            ("the number of features", train.Features),
            ("the training labels (every process must load the same data in the same order)", labelHash),
            ("the number of validation examples", validation?.Count ?? -1),
            ("the batch size", o.BatchSize),
            ("the number of epochs", o.Epochs),
            ("the first epoch", o.InitialEpoch),
            ("the seed", o.Seed),
            ("shuffling", o.Shuffle ? 1 : 0),
            ("the optimizer's step count", context.Optimizer.Iterations),
            ("synchronized BatchNorm", _options.SyncBatchNorm ? 1 : 0),
            ("the gradient bucket size", _options.BucketBytes),
        ];
        var range = new double[2 * facts.Length];
        for (int i = 0; i < facts.Length; i++) { range[i] = facts[i].Value; range[facts.Length + i] = -facts[i].Value; }
        _world.AllReduce(range.AsSpan(), MpiOp.Max);
        for (int i = 0; i < facts.Length; i++)
        {
            double max = range[i], min = -range[facts.Length + i];
            if (max != min)
                throw new DistributedMismatchException(FormattableString.Invariant(
                    $"the {Size} processes disagree on {facts[i].What}: values range from {min:G17} to {max:G17} (process {Rank} has {facts[i].Value:G17})"));
        }
    }

    private void CheckBatches(int count, int batchSize)
    {
        int smallest = count == 0 ? batchSize : (count % batchSize == 0 ? Math.Min(batchSize, count) : count % batchSize);
        int rows = Math.Min(smallest, batchSize) / Size;
        if (rows < _minRows)
            throw new DistributedMismatchException(
                $"a batch of {smallest} examples{(smallest < batchSize ? $" (the last of each epoch: {count} examples in batches of {batchSize})" : "")} " +
                $"gives some of the {Size} processes {rows} rows; each needs at least {_minRows}{(_minRows == 2 ? " (BatchNorm estimates a variance from its rows; or synchronize BatchNorm)" : "")}: " +
                "choose a batch size that leaves a larger last batch, or use fewer processes");
    }

    private static void Walk(Module m, List<BatchNorm> found)
    {
        if (m is BatchNorm bn) found.Add(bn);
        foreach (var c in m.Children) Walk(c, found);
    }

    private static void Pack(Tensor[] tensors, Span<float> flat)
    {
        int offset = 0;
        foreach (var t in tensors) { t.Data.CopyTo(flat.Slice(offset, t.Length)); offset += t.Length; }
    }

    private static void Unpack(ReadOnlySpan<float> flat, Tensor[] tensors)
    {
        int offset = 0;
        foreach (var t in tensors) { flat.Slice(offset, t.Length).CopyTo(t.Data); offset += t.Length; }
    }
}
