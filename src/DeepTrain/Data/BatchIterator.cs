namespace DeepTrain.Data;

/// <summary>
/// Hands out the example indices of each epoch in batches: a fresh (seeded) permutation per epoch when shuffling,
/// the natural order otherwise. The last, partial batch is kept unless <see cref="DropLast"/> is set.
/// </summary>
/// <remarks>
/// Nothing is allocated per epoch or per batch: one permutation array is reused and batches are
/// <see cref="ReadOnlySpan{T}"/> slices of it, valid until the next call to <see cref="NextEpoch"/>.
/// Each epoch starts from the identity and shuffles it (Fisher-Yates with <see cref="Random.Next(int)"/>), so the
/// same seed gives the same sequence of epochs.
/// <code>
/// var batches = new BatchIterator(train.Count, 64, shuffle: true, seed: 42);
/// for (int epoch = 0; epoch &lt; 10; epoch++)
///     foreach (ReadOnlySpan&lt;int&gt; batch in batches.NextEpoch())
///         train.GetBatch(batch, x[..(batch.Length * train.Features)], y[..batch.Length]);
/// </code>
/// </remarks>
public sealed class BatchIterator
{
    private readonly int[] _order;
    private readonly Random _random;

    /// <summary>Creates an iterator drawing its shuffles from <paramref name="random"/>.</summary>
    /// <param name="count">The number of examples, at least 0.</param>
    /// <param name="batchSize">The batch size, at least 1.</param>
    /// <param name="shuffle">Whether each epoch visits the examples in a new random order.</param>
    /// <param name="random">The generator (shared with the rest of a run, or not).</param>
    /// <param name="dropLast">Whether to skip the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or <paramref name="batchSize"/> is below 1.</exception>
    public BatchIterator(int count, int batchSize, bool shuffle, Random random, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (count < 0)
            throw new ArgumentOutOfRangeException(nameof(count), $"count must be non-negative: got {count}");
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"batchSize must be at least 1: got {batchSize}");
        _order = new int[count];
        _random = random;
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        ResetOrder();
    }

    /// <summary>Creates an iterator with its own generator, <c>new Random(seed)</c>.</summary>
    /// <param name="count">The number of examples, at least 0.</param>
    /// <param name="batchSize">The batch size, at least 1.</param>
    /// <param name="shuffle">Whether each epoch visits the examples in a new random order.</param>
    /// <param name="seed">The seed; the same seed gives the same order.</param>
    /// <param name="dropLast">Whether to skip the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    public BatchIterator(int count, int batchSize, bool shuffle, int seed, bool dropLast = false)
        : this(count, batchSize, shuffle, new Random(seed), dropLast)
    {
    }

    /// <summary>The number of examples.</summary>
    public int Count => _order.Length;

    /// <summary>The (largest) batch size.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch is shuffled.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether a last, smaller batch is skipped.</summary>
    public bool DropLast { get; }

    /// <summary>The number of batches in each epoch.</summary>
    public int BatchesPerEpoch => DropLast ? Count / BatchSize : (Count + BatchSize - 1) / BatchSize;

    /// <summary>The number of epochs started so far with <see cref="NextEpoch"/>.</summary>
    public int Epoch { get; private set; }

    /// <summary>The current epoch's order of the examples (all of them, including any dropped tail).</summary>
    public ReadOnlySpan<int> Order => _order;

    /// <summary>
    /// Starts the next epoch (reshuffling when <see cref="Shuffle"/> is set) and returns its batches, to be used
    /// with <c>foreach</c>. Spans from earlier epochs become invalid.
    /// </summary>
    /// <returns>The epoch's batches.</returns>
    public EpochBatches NextEpoch()
    {
        ResetOrder();
        if (Shuffle)
            ShuffleInPlace(_order, _random);
        Epoch++;
        return new EpochBatches(this);
    }

    /// <summary>Batch <paramref name="batch"/> of the current epoch.</summary>
    /// <param name="batch">In [0, <see cref="BatchesPerEpoch"/>).</param>
    /// <returns>The example indices of that batch.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The batch number is out of range.</exception>
    public ReadOnlySpan<int> Batch(int batch)
    {
        if ((uint)batch >= (uint)BatchesPerEpoch)
            throw new ArgumentOutOfRangeException(nameof(batch), $"batch must be in [0, {BatchesPerEpoch}): got {batch}");
        int start = batch * BatchSize;
        return new ReadOnlySpan<int>(_order, start, Math.Min(BatchSize, Count - start));
    }

    /// <summary>Shuffles in place: Fisher-Yates, one <see cref="Random.Next(int)"/> call per position from the end.</summary>
    internal static void ShuffleInPlace(Span<int> items, Random random)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private void ResetOrder()
    {
        for (int i = 0; i < _order.Length; i++)
            _order[i] = i;
    }

    /// <summary>The batches of one epoch, for <c>foreach</c>; allocation-free.</summary>
    public readonly struct EpochBatches
    {
        private readonly BatchIterator _owner;

        internal EpochBatches(BatchIterator owner) => _owner = owner;

        /// <summary>The number of batches.</summary>
        public int Count => _owner.BatchesPerEpoch;

        /// <summary>Returns the enumerator over the batches.</summary>
        /// <returns>The enumerator.</returns>
        public Enumerator GetEnumerator() => new(_owner);
    }

    /// <summary>Enumerates the batches of one epoch.</summary>
    public struct Enumerator
    {
        private readonly BatchIterator _owner;
        private int _batch;

        internal Enumerator(BatchIterator owner)
        {
            _owner = owner;
            _batch = -1;
        }

        /// <summary>The current batch's example indices.</summary>
        public readonly ReadOnlySpan<int> Current => _owner.Batch(_batch);

        /// <summary>Advances to the next batch.</summary>
        /// <returns>Whether there is one.</returns>
        public bool MoveNext() => ++_batch < _owner.BatchesPerEpoch;
    }
}
