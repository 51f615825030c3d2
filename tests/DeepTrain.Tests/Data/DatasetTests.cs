using DeepTrain.Data;

namespace DeepTrain.Tests.Data;

public class DatasetTests
{
    // 10 examples, 3 byte features: example i has features (i, 10*i, 255 - i), label i mod 3 (classes 0..2)
    private static Dataset SmallBytes()
    {
        var x = new byte[30];
        var y = new int[10];
        for (int i = 0; i < 10; i++)
        {
            x[3 * i] = (byte)i;
            x[3 * i + 1] = (byte)(10 * i);
            x[3 * i + 2] = (byte)(255 - i);
            y[i] = i % 3;
        }
        return Dataset.FromBytes(x, y, features: 3);
    }

    private static Dataset Floats(int count, int features, int classes, int seed = 1)
    {
        var random = new Random(seed);
        var x = new float[count * features];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)(random.NextDouble() * 10 - 3);
        var y = new int[count];
        for (int i = 0; i < count; i++)
            y[i] = i % classes;
        return Dataset.FromArrays(x, y, features, classes);
    }

    private static (float[] X, int[] Y) All(Dataset data)
    {
        var x = new float[data.Count * data.Features];
        var y = new int[data.Count];
        data.GetBatch(Enumerable.Range(0, data.Count).ToArray(), x, y);
        return (x, y);
    }

    [Fact]
    public void BatchConvertsBytesDividedBy255InIndexOrder()
    {
        Dataset data = SmallBytes();
        Assert.True(data.IsCompact);
        Assert.Equal(10, data.Count);
        Assert.Equal(3, data.Features);
        Assert.Equal(3, data.Classes);

        var x = new float[4 * 3];
        var y = new int[4];
        data.GetBatch([7, 0, 9, 7], x, y);

        float[] expected =
        [
            7 / 255f, 70 / 255f, 248 / 255f,
            0f, 0f, 1f,
            9 / 255f, 90 / 255f, 246 / 255f,
            7 / 255f, 70 / 255f, 248 / 255f,
        ];
        Assert.Equal(expected, x); // exact: byte / 255f
        Assert.Equal([1, 0, 0, 1], y);
    }

    [Fact]
    public void BatchConversionMatchesScalarOverManyLengths()
    {
        // Lengths around vector widths exercise the vectorized conversion's tails.
        foreach (int features in new[] { 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 784 })
        {
            var random = new Random(features);
            var bytes = new byte[5 * features];
            random.NextBytes(bytes);
            Dataset data = Dataset.FromBytes(bytes, [0, 1, 2, 3, 4], features);
            var x = new float[2 * features];
            var y = new int[2];
            data.GetBatch([4, 1], x, y);
            for (int k = 0; k < features; k++)
            {
                Assert.Equal(bytes[4 * features + k] / 255f, x[k]);
                Assert.Equal(bytes[1 * features + k] / 255f, x[features + k]);
            }
        }
    }

    [Fact]
    public void FloatBatchCopiesRows()
    {
        Dataset data = Dataset.FromArrays([1, 2, 3, 4, 5, 6], [0, 1, 0], features: 2);
        var x = new float[4];
        var y = new int[2];
        data.GetBatch([2, 1], x, y);
        Assert.Equal([5f, 6f, 3f, 4f], x);
        Assert.Equal([0, 1], y);
        Assert.Equal(2, data.Classes);
    }

    [Fact]
    public void GetBatchDoesNotAllocate()
    {
        Dataset data = SmallBytes();
        data.Standardize();
        int[] indices = [3, 1, 4, 1, 5];
        var x = new float[indices.Length * 3];
        var y = new int[indices.Length];
        data.GetBatch(indices, x, y); // warm up

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
            data.GetBatch(indices, x, y);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void GetBatchValidatesSizesAndIndices()
    {
        Dataset data = SmallBytes();
        Assert.Throws<ArgumentException>(() => data.GetBatch([0, 1], new float[5], new int[2]));
        Assert.Throws<ArgumentException>(() => data.GetBatch([0, 1], new float[6], new int[3]));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => data.GetBatch([0, 10], new float[6], new int[2]));
        Assert.Contains("index 10", e.Message);
    }

    [Fact]
    public void FactoriesValidate()
    {
        Assert.Throws<ArgumentException>(() => Dataset.FromArrays(new float[5], [0, 1], features: 3));
        Assert.Throws<ArgumentException>(() => Dataset.FromArrays(new float[4], [0, -1], features: 2));
        Assert.Throws<ArgumentException>(() => Dataset.FromArrays(new float[4], [0, 3], features: 2, classes: 3));
        Assert.Throws<ArgumentException>(() => Dataset.FromBytes(new byte[4], [0, 1], features: 2, classes: 3, classNames: ["a", "b"]));
        Dataset named = Dataset.FromBytes(new byte[4], [0, 1], features: 2, classNames: ["a", "b", "c"]);
        Assert.Equal(3, named.Classes);
    }

    [Fact]
    public void FromIdxReadsImagesAndLabels()
    {
        using var dir = new TempDir();
        (string images, string labels) = IdxFiles.WritePair(dir, "train", count: 12, classes: 4, gzip: true);

        Dataset data = Dataset.FromIdx(images, labels);

        Assert.Equal(12, data.Count);
        Assert.Equal(784, data.Features);
        Assert.Equal(4, data.Classes);
        Assert.True(data.IsCompact);
        var x = new float[784];
        var y = new int[1];
        data.GetBatch([5], x, y);
        Assert.Equal(1, y[0]);
        Assert.Equal((5 * 7 + 10) % 256 / 255f, x[10]);
    }

    [Fact]
    public void SubsetCopiesChosenRowsAndKeepsStorage()
    {
        Dataset data = SmallBytes();
        Dataset subset = data.Subset([9, 2]);
        Assert.True(subset.IsCompact);
        Assert.Equal(2, subset.Count);
        Assert.Equal(3, subset.Classes);
        var x = new float[6];
        var y = new int[2];
        subset.GetBatch([0, 1], x, y);
        Assert.Equal([9 / 255f, 90 / 255f, 246 / 255f, 2 / 255f, 20 / 255f, 253 / 255f], x);
        Assert.Equal([0, 2], y);
    }

    [Fact]
    public void SplitIsADeterministicPartition()
    {
        Dataset data = Floats(100, 2, 5);
        (Dataset train, Dataset validation) = data.Split(0.2, seed: 7);
        (Dataset train2, Dataset validation2) = data.Split(0.2, seed: 7);
        (_, Dataset validation3) = data.Split(0.2, seed: 8);

        Assert.Equal(80, train.Count);
        Assert.Equal(20, validation.Count);
        Assert.Equal(All(validation).X, All(validation2).X);
        Assert.Equal(All(train).X, All(train2).X);
        Assert.NotEqual(All(validation).X, All(validation3).X);

        // Every example lands in exactly one part: compare the multisets of first features.
        float[] original = All(data).X.Where((_, i) => i % 2 == 0).Order().ToArray();
        float[] parts = All(train).X.Concat(All(validation).X).Where((_, i) => i % 2 == 0).Order().ToArray();
        Assert.Equal(original, parts);
    }

    [Fact]
    public void SplitByCount()
    {
        Dataset data = Floats(50, 3, 2);
        (Dataset train, Dataset validation) = data.Split(5, seed: 1);
        Assert.Equal(45, train.Count);
        Assert.Equal(5, validation.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(51, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(1.5, seed: 1));
    }

    [Fact]
    public void TakePerClassKeepsAtMostNOfEachClass()
    {
        // Classes 0..3 with 25 examples each, plus class 4 with only 2 examples.
        var y = Enumerable.Range(0, 100).Select(i => i % 4).Concat([4, 4]).ToArray();
        var x = Enumerable.Range(0, y.Length).Select(i => (float)i).ToArray();
        Dataset data = Dataset.FromArrays(x, y, features: 1);

        Dataset few = data.TakePerClass(3, seed: 5);
        Dataset again = data.TakePerClass(3, seed: 5);

        Assert.Equal([3, 3, 3, 3, 2], few.CountPerClass());
        Assert.Equal(All(few).X, All(again).X);
        float[] kept = All(few).X;
        Assert.Equal(kept.Order().ToArray(), kept); // original order is kept
        Assert.Equal(kept.Length, kept.Distinct().Count());
        (float[] fx, int[] fy) = All(few);
        for (int i = 0; i < fx.Length; i++)
            Assert.Equal(y[(int)fx[i]], fy[i]); // each kept example keeps its own label
    }

    [Fact]
    public void FilterClassesWithRelabel()
    {
        var y = Enumerable.Range(0, 50).Select(i => i % 10).ToArray();
        var x = Enumerable.Range(0, 50).Select(i => (float)i).ToArray();
        string[] names = Enumerable.Range(0, 10).Select(c => $"c{c}").ToArray();
        Dataset data = Dataset.FromArrays(x, y, features: 1, classNames: names);

        Dataset upper = data.FilterClasses([5, 6, 7, 8, 9], relabel: true);
        (float[] ux, int[] uy) = All(upper);

        Assert.Equal(25, upper.Count);
        Assert.Equal(5, upper.Classes);
        Assert.Equal(["c5", "c6", "c7", "c8", "c9"], upper.ClassNames!);
        for (int i = 0; i < ux.Length; i++)
            Assert.Equal(y[(int)ux[i]] - 5, uy[i]);
    }

    [Fact]
    public void FilterClassesWithoutRelabelKeepsLabels()
    {
        Dataset data = SmallBytes();
        Dataset two = data.FilterClasses([2], relabel: false);
        Assert.Equal(3, two.Count); // examples 2, 5, 8
        Assert.Equal(3, two.Classes);
        Assert.All(All(two).Y, label => Assert.Equal(2, label));
        Assert.Throws<ArgumentException>(() => data.FilterClasses([1, 1], relabel: true));
        Assert.Throws<ArgumentException>(() => data.FilterClasses([3], relabel: true));
    }

    [Fact]
    public void RelabelOrderFollowsTheGivenList()
    {
        Dataset data = SmallBytes();
        Dataset swapped = data.FilterClasses([2, 0], relabel: true);
        (float[] x, int[] y) = All(swapped);
        for (int i = 0; i < y.Length; i++)
        {
            int original = (int)Math.Round(x[3 * i] * 255);
            Assert.Equal(original % 3 == 2 ? 0 : 1, y[i]);
        }
    }

    [Fact]
    public void StandardizeGivesZeroMeanUnitStdAndCentresConstantFeatures()
    {
        // Feature 0 varies, feature 1 is constant.
        Dataset data = Dataset.FromArrays([1, 5, 2, 5, 3, 5, 6, 5], [0, 1, 0, 1], features: 2);

        Standardizer s = data.Standardize();
        (float[] x, _) = All(data);

        Assert.Same(s, data.Standardizer);
        Assert.Equal(3f, s.Mean[0]);
        Assert.Equal(5f, s.Mean[1]);
        Assert.Equal((float)Math.Sqrt((4 + 1 + 0 + 9) / 4.0), s.Std[0], 6);
        Assert.Equal(1f, s.Std[1]); // constant: only centred
        float[] f0 = [x[0], x[2], x[4], x[6]];
        Assert.Equal(0, f0.Average(), 5);
        Assert.Equal(1, Math.Sqrt(f0.Select(v => v * v).Average()), 5);
        Assert.All(new[] { x[1], x[3], x[5], x[7] }, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void StandardizerFromTrainAppliesToTest()
    {
        Dataset train = Dataset.FromBytes([0, 255, 51, 255], [0, 1], features: 2);
        Dataset test = Dataset.FromBytes([102, 0], [1], features: 2);

        Standardizer s = train.Standardize();
        Dataset scaledTest = test.WithStandardizer(s);

        var x = new float[2];
        var y = new int[1];
        scaledTest.GetBatch([0], x, y);
        // Feature 0 on train: values 0 and 0.2 -> mean 0.1, std 0.1; test 0.4 -> 3.
        Assert.Equal(3f, x[0], 4);
        // Feature 1 is constant 1.0 on train: centred only; test 0 -> -1.
        Assert.Equal(-1f, x[1], 6);
        Assert.Null(test.Standardizer); // the original is untouched
        Assert.Throws<ArgumentException>(() => Dataset.FromArrays([1, 2, 3], [0], features: 3).WithStandardizer(s));
    }

    [Fact]
    public void SubsetsKeepTheStandardizer()
    {
        Dataset data = Floats(40, 3, 4);
        Standardizer s = data.Standardize();
        (Dataset train, Dataset validation) = data.Split(0.25, seed: 3);
        Assert.Same(s, train.Standardizer);
        Assert.Same(s, validation.Standardizer);
    }

    [Fact]
    public void StandardizerValidatesItsInputs()
    {
        Assert.Throws<ArgumentException>(() => new Standardizer([1f, 2f], [1f]));
        Assert.Throws<ArgumentException>(() => new Standardizer([1f], [-1f]));
        Assert.Throws<ArgumentException>(() => new Standardizer([float.NaN], [1f]));
        var s = new Standardizer([1f, 2f], [2f, 0f]);
        float[] rows = [3, 2, 5, 4];
        s.Apply(rows);
        Assert.Equal([1f, 0f, 2f, 2f], rows);
        Assert.Throws<ArgumentException>(() => s.Apply(new float[3]));
    }
}
