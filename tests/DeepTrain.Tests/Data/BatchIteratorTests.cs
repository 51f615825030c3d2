using DeepTrain.Data;

namespace DeepTrain.Tests.Data;

public class BatchIteratorTests
{
    private static List<int[]> Epoch(BatchIterator iterator)
    {
        var batches = new List<int[]>();
        foreach (ReadOnlySpan<int> batch in iterator.NextEpoch())
            batches.Add(batch.ToArray());
        return batches;
    }

    [Theory]
    [InlineData(10, 3, true)]
    [InlineData(10, 3, false)]
    [InlineData(64, 64, true)]
    [InlineData(65, 64, true)]
    [InlineData(5, 100, true)]
    [InlineData(1000, 7, true)]
    public void EveryIndexExactlyOncePerEpoch(int count, int batchSize, bool shuffle)
    {
        var iterator = new BatchIterator(count, batchSize, shuffle, seed: 11);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            List<int[]> batches = Epoch(iterator);
            Assert.Equal(iterator.BatchesPerEpoch, batches.Count);
            Assert.Equal((count + batchSize - 1) / batchSize, batches.Count);
            Assert.All(batches.Take(batches.Count - 1), b => Assert.Equal(batchSize, b.Length));
            Assert.Equal(count - (batches.Count - 1) * batchSize, batches[^1].Length); // partial batch kept
            Assert.Equal(Enumerable.Range(0, count), batches.SelectMany(b => b).Order());
        }
        Assert.Equal(3, iterator.Epoch);
    }

    [Fact]
    public void DropLastSkipsThePartialBatch()
    {
        var iterator = new BatchIterator(10, 3, shuffle: true, seed: 1, dropLast: true);
        List<int[]> batches = Epoch(iterator);
        Assert.Equal(3, iterator.BatchesPerEpoch);
        Assert.Equal(3, batches.Count);
        Assert.All(batches, b => Assert.Equal(3, b.Length));
        Assert.Equal(9, batches.SelectMany(b => b).Distinct().Count());
    }

    [Fact]
    public void WithoutShuffleTheOrderIsNatural()
    {
        var iterator = new BatchIterator(7, 3, shuffle: false, seed: 1);
        Assert.Equal([[0, 1, 2], [3, 4, 5], [6]], Epoch(iterator));
        Assert.Equal([[0, 1, 2], [3, 4, 5], [6]], Epoch(iterator));
    }

    [Fact]
    public void SameSeedSameOrderDifferentEpochsDiffer()
    {
        var a = new BatchIterator(100, 16, shuffle: true, seed: 42);
        var b = new BatchIterator(100, 16, shuffle: true, new Random(42));
        var c = new BatchIterator(100, 16, shuffle: true, seed: 43);

        int[] a1 = Epoch(a).SelectMany(x => x).ToArray();
        int[] a2 = Epoch(a).SelectMany(x => x).ToArray();
        int[] b1 = Epoch(b).SelectMany(x => x).ToArray();
        int[] b2 = Epoch(b).SelectMany(x => x).ToArray();
        int[] c1 = Epoch(c).SelectMany(x => x).ToArray();

        Assert.Equal(a1, b1);
        Assert.Equal(a2, b2);
        Assert.NotEqual(a1, a2);
        Assert.NotEqual(a1, c1);
        Assert.NotEqual(Enumerable.Range(0, 100), a1);
    }

    [Fact]
    public void BatchAccessAndOrderAgreeWithEnumeration()
    {
        var iterator = new BatchIterator(10, 4, shuffle: true, seed: 3);
        List<int[]> batches = Epoch(iterator);
        Assert.Equal(batches[1], iterator.Batch(1).ToArray());
        Assert.Equal(batches.SelectMany(b => b), iterator.Order.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => iterator.Batch(3));
    }

    [Fact]
    public void EpochsAllocateNothing()
    {
        var iterator = new BatchIterator(1000, 32, shuffle: true, seed: 9);
        long sum = 0;
        foreach (ReadOnlySpan<int> batch in iterator.NextEpoch())
            sum += batch[0];

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int epoch = 0; epoch < 10; epoch++)
            foreach (ReadOnlySpan<int> batch in iterator.NextEpoch())
                sum += batch[0];
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(sum > 0);
    }

    [Fact]
    public void EmptyDatasetHasNoBatches()
    {
        var iterator = new BatchIterator(0, 8, shuffle: true, seed: 1);
        Assert.Empty(Epoch(iterator));
    }

    [Fact]
    public void InvalidArgumentsAreRejectedWithTheValue()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new BatchIterator(10, 0, shuffle: true, seed: 1));
        Assert.Contains("got 0", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchIterator(-1, 4, shuffle: true, seed: 1));
    }
}
