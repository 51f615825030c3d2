using DeepTrain.Data;

namespace DeepTrain.Tests.Data;

public class KnownDatasetsTests
{
    private const string FashionTrainImages = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";

    [Fact]
    public void BundledDigitsLoad()
    {
        (Dataset train, Dataset test) = KnownDatasets.Load("digits");

        Assert.Equal(8000, train.Count);
        Assert.Equal(2000, test.Count);
        Assert.Equal(784, train.Features);
        Assert.Equal(784, test.Features);
        Assert.Equal(10, train.Classes);
        Assert.Equal(10, test.Classes);
        Assert.True(train.IsCompact);

        // Class-balanced split: each class has the same share (within rounding) of train and test,
        // and no class is far from a tenth.
        int[] trainCounts = train.CountPerClass();
        int[] testCounts = test.CountPerClass();
        for (int c = 0; c < 10; c++)
        {
            Assert.InRange(trainCounts[c], 0.08 * 8000, 0.12 * 8000);
            Assert.InRange(testCounts[c], 0.08 * 2000, 0.12 * 2000);
            double share = (double)testCounts[c] / (trainCounts[c] + testCounts[c]);
            Assert.InRange(share, 0.199, 0.201);
        }

        // Real digits: pixels in [0, 1], mostly background (MNIST's mean pixel is about 0.13).
        var x = new float[100 * 784];
        var y = new int[100];
        train.GetBatch(Enumerable.Range(0, 100).ToArray(), x, y);
        Assert.All(x, v => Assert.InRange(v, 0f, 1f));
        Assert.InRange(x.Average(), 0.09, 0.17);
        Assert.Equal(1f, x.Max());
    }

    [Fact]
    public void DigitsIsTheDefault()
    {
        (Dataset train, Dataset test) = KnownDatasets.Load();
        Assert.Equal(8000, train.Count);
        Assert.Equal(2000, test.Count);
        Assert.Equal(8000, KnownDatasets.Load("Digits").Train.Count);
    }

    [Fact]
    public void FindsTheSameBundledDigitsAsTheTests()
    {
        const string name = "t10k-labels-idx1-ubyte.gz";
        string found = KnownDatasets.FindDigitsDirectory();
        Assert.Equal(File.ReadAllBytes(Path.Combine(RepoFiles.DigitsDirectory, name)), File.ReadAllBytes(Path.Combine(found, name)));
    }

    [SkippableFact]
    public void FashionMnistLoadsWhenInstalled()
    {
        Skip.IfNot(File.Exists(FashionTrainImages), "dataset-fashion-mnist not installed (apt-get install dataset-fashion-mnist)");

        (Dataset train, Dataset test) = KnownDatasets.Load("fashion-mnist");

        Assert.Equal(60000, train.Count);
        Assert.Equal(10000, test.Count);
        Assert.Equal(784, train.Features);
        Assert.Equal(10, train.Classes);
        Assert.Equal("Ankle boot", train.ClassNames![9]);
        Assert.All(train.CountPerClass(), n => Assert.Equal(6000, n));
        Assert.All(test.CountPerClass(), n => Assert.Equal(1000, n));
    }

    [SkippableFact]
    public void FashionMnistMissingSaysHowToInstall()
    {
        Skip.If(File.Exists(FashionTrainImages), "dataset-fashion-mnist is installed");
        var e = Assert.Throws<DatasetNotFoundException>(() => KnownDatasets.Load("fashion-mnist"));
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LoadsAnIdxDirectory(bool gzip)
    {
        using var dir = new TempDir();
        IdxFiles.WritePair(dir, "train", count: 30, classes: 5, gzip);
        IdxFiles.WritePair(dir, "t10k", count: 4, classes: 3, gzip); // classes 3 and 4 absent from test

        (Dataset train, Dataset test) = KnownDatasets.Load(dir.Path);

        Assert.Equal(30, train.Count);
        Assert.Equal(4, test.Count);
        Assert.Equal(5, train.Classes);
        Assert.Equal(5, test.Classes); // both sets get the same class count
    }

    [Fact]
    public void DirectoryMissingAFileNamesIt()
    {
        using var dir = new TempDir();
        IdxFiles.WritePair(dir, "train", count: 3, classes: 2, gzip: true);

        var e = Assert.Throws<DatasetNotFoundException>(() => KnownDatasets.Load(dir.Path));

        Assert.Contains(Path.Combine(dir.Path, "t10k-images-idx3-ubyte"), e.Message);
    }

    [Fact]
    public void MalformedFileInDirectoryIsADataFormatError()
    {
        using var dir = new TempDir();
        IdxFiles.WritePair(dir, "train", count: 3, classes: 2, gzip: false);
        IdxFiles.WritePair(dir, "t10k", count: 3, classes: 2, gzip: false);
        string labels = Path.Combine(dir.Path, "t10k-labels-idx1-ubyte");
        File.WriteAllBytes(labels, File.ReadAllBytes(labels)[..9]);

        var e = Assert.Throws<DataFormatException>(() => KnownDatasets.Load(dir.Path));

        Assert.StartsWith(labels + ": ", e.Message);
    }

    [Fact]
    public void NonexistentPathIsNamed()
    {
        string missing = Path.Combine(Path.GetTempPath(), "deeptrain-no-such-dataset-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<DatasetNotFoundException>(() => KnownDatasets.Load(missing));
        Assert.Contains(missing, e.Message);
        Assert.Contains("digits, fashion-mnist", e.Message);
    }

    [Fact]
    public void AFileIsNotADatasetDirectory()
    {
        using var dir = new TempDir();
        string file = dir.WriteText("data.csv", "1,0\n");
        var e = Assert.Throws<DatasetNotFoundException>(() => KnownDatasets.Load(file));
        Assert.Contains(file, e.Message);
    }
}
