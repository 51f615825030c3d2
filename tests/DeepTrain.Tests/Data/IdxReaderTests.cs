using DeepTrain.Data;

namespace DeepTrain.Tests.Data;

public class IdxReaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsImagesAndLabels(bool gzip)
    {
        (string images, string labels) = IdxFiles.WritePair(_dir, "train", count: 5, classes: 3, gzip, rows: 4, cols: 3);
        (byte[] expectedPixels, byte[] expectedLabels) = IdxFiles.Pattern(5, 12, 3);

        (IdxArray read, byte[] readLabels) = IdxReader.ReadImagesAndLabels(images, labels);

        Assert.Equal([5, 4, 3], read.Dimensions);
        Assert.Equal(5, read.Count);
        Assert.Equal(12, read.ItemSize);
        Assert.Equal(expectedPixels, read.Data);
        Assert.Equal(expectedLabels, readLabels);
    }

    [Fact]
    public void DetectsGzipByMagicNotByName()
    {
        byte[] raw = IdxFiles.Build([3], [0, 1, 2]);
        string gzipWithoutExtension = IdxFiles.Write(_dir.File("labels-plain-name"), raw, gzip: true);
        string rawWithGzExtension = IdxFiles.Write(_dir.File("labels.gz"), raw, gzip: false);

        Assert.Equal(new byte[] { 0, 1, 2 }, IdxReader.ReadLabels(gzipWithoutExtension));
        Assert.Equal(new byte[] { 0, 1, 2 }, IdxReader.ReadLabels(rawWithGzExtension));
    }

    [Fact]
    public void ReadsAnyDimensionCountWithRead()
    {
        byte[] data = Enumerable.Range(0, 24).Select(i => (byte)i).ToArray();
        string path = IdxFiles.Write(_dir.File("cube"), IdxFiles.Build([2, 3, 4], data), gzip: false);

        IdxArray array = IdxReader.Read(path);

        Assert.Equal([2, 3, 4], array.Dimensions);
        Assert.Equal(data, array.Data);
    }

    [Fact]
    public void AcceptsZeroItems()
    {
        string path = IdxFiles.Write(_dir.File("none"), IdxFiles.Build([0, 28, 28], []), gzip: true);
        IdxArray array = IdxReader.ReadImages(path);
        Assert.Equal(0, array.Count);
        Assert.Empty(array.Data);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedDataIsReportedWithCounts(bool gzip)
    {
        byte[] full = IdxFiles.Build([10, 28, 28], new byte[10 * 784]);
        string path = IdxFiles.Write(_dir.File("train-images-idx3-ubyte" + (gzip ? ".gz" : "")), full[..(16 + 1234)], gzip);

        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));

        Assert.StartsWith(path + ": ", e.Message);
        Assert.Equal(path, e.FilePath);
        Assert.Contains("truncated: header says 10 images of 28x28 (7840 bytes) but the file holds 1234 bytes of data", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedHeaderIsReported(bool gzip)
    {
        byte[] header = IdxFiles.Build([10, 28, 28], []);
        string path = IdxFiles.Write(_dir.File("short-header"), header[..10], gzip);

        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));

        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains("truncated header", e.Message);
    }

    [Fact]
    public void EmptyFileIsReported()
    {
        string path = _dir.File("empty");
        File.WriteAllBytes(path, []);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains("empty", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WrongMagicIsReported(bool gzip)
    {
        byte[] bytes = IdxFiles.Build([3], [0, 1, 2]);
        bytes[0] = 0x12;
        bytes[1] = 0x34;
        string path = IdxFiles.Write(_dir.File("not-idx"), bytes, gzip);

        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path));

        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains("wrong magic number 0x12340801", e.Message);
    }

    [Fact]
    public void UnsupportedElementTypeIsReported()
    {
        string path = IdxFiles.Write(_dir.File("floats"), IdxFiles.Build([2], new byte[8], type: 0x0D), gzip: false);

        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path));

        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains("unsupported IDX element type 0x0D (float32)", e.Message);
    }

    [Fact]
    public void UnknownElementTypeIsAWrongMagic()
    {
        string path = IdxFiles.Write(_dir.File("odd"), IdxFiles.Build([2], new byte[2], type: 0x42), gzip: false);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path));
        Assert.Contains("wrong magic number 0x00004201", e.Message);
    }

    [Fact]
    public void WrongDimensionCountIsReported()
    {
        (string images, string labels) = IdxFiles.WritePair(_dir, "swap", count: 2, classes: 2, gzip: false);

        var asLabels = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(images));
        var asImages = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(labels));

        Assert.StartsWith(images + ": ", asLabels.Message);
        Assert.Contains("declares 3 dimensions but labels need 1", asLabels.Message);
        Assert.StartsWith(labels + ": ", asImages.Message);
        Assert.Contains("declares 1 dimension but images need 2 to 8", asImages.Message);
    }

    [Fact]
    public void NegativeDimensionIsReported()
    {
        string path = IdxFiles.Write(_dir.File("negative"), IdxFiles.Build([-5], []), gzip: false);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains("negative", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CountMismatchBetweenImagesAndLabelsNamesBothFiles(bool gzip)
    {
        (string images, _) = IdxFiles.WritePair(_dir, "train", count: 6, classes: 3, gzip);
        (_, string labels) = IdxFiles.WritePair(_dir, "other", count: 5, classes: 3, gzip);

        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImagesAndLabels(images, labels));

        Assert.StartsWith(images + ": ", e.Message);
        Assert.Contains(labels, e.Message);
        Assert.Contains("6 images", e.Message);
        Assert.Contains("5 labels", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TrailingDataIsReported(bool gzip)
    {
        byte[] bytes = IdxFiles.Build([3], [0, 1, 2, 9, 9, 9, 9]); // 4 bytes more than the header says
        string path = IdxFiles.Write(_dir.File("t10k-labels-idx1-ubyte"), bytes, gzip);

        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path));

        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains("trailing data: header says 3 labels (3 bytes) but the file holds 7 bytes of data", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OversizedHeaderClaimFailsWithoutAllocatingIt(bool gzip)
    {
        // Claims 1,000,000 images (784 MB) while holding 100 bytes.
        byte[] bytes = IdxFiles.Build([1_000_000, 28, 28], new byte[100]);
        string path = IdxFiles.Write(_dir.File("huge-claim"), bytes, gzip);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains("truncated: header says 1000000 images of 28x28 (784000000 bytes) but the file holds 100 bytes of data", e.Message);
        Assert.True(allocated < 4_000_000, $"allocated {allocated} bytes");
    }

    [Fact]
    public void PlausibleGzipClaimThatIsTruncatedAllocatesOnlyWhatArrives()
    {
        // 20 MB of zeros compress to ~20 KB, so a claim of 40 MB passes the deflate-ratio check;
        // the buffer must grow with the data, not jump to the claimed 40 MB.
        const int held = 20_000_000;
        byte[] bytes = IdxFiles.Build([40_000_000], new byte[held]);
        string path = IdxFiles.Write(_dir.File("zeros.gz"), bytes, gzip: true);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains($"but the file holds {held} bytes of data", e.Message);
        Assert.True(allocated < 3L * held, $"allocated {allocated} bytes");
    }

    [Fact]
    public void ClaimBeyondAnyArrayIsReported()
    {
        byte[] bytes = IdxFiles.Build([2_000_000_000, 28, 28], new byte[10]);
        string path = IdxFiles.Write(_dir.File("absurd"), bytes, gzip: false);

        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));

        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains("more than one array can hold", e.Message);
    }

    [Fact]
    public void CorruptGzipIsReported()
    {
        string path = _dir.File("corrupt.gz");
        byte[] gz = File.ReadAllBytes(IdxFiles.Write(_dir.File("ok.gz"), IdxFiles.Build([3], [0, 1, 2]), gzip: true));
        for (int i = 10; i < gz.Length - 8; i++)
            gz[i] = 0xFF;
        File.WriteAllBytes(path, gz);

        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path));

        Assert.StartsWith(path + ": ", e.Message);
    }

    [Fact]
    public void BundledDigitsFilesAreValidIdx()
    {
        string dir = RepoFiles.DigitsDirectory;
        (IdxArray images, byte[] labels) = IdxReader.ReadImagesAndLabels(
            Path.Combine(dir, "train-images-idx3-ubyte.gz"), Path.Combine(dir, "train-labels-idx1-ubyte.gz"));

        Assert.Equal([8000, 28, 28], images.Dimensions);
        Assert.Equal(8000, labels.Length);
        Assert.All(labels, l => Assert.InRange(l, (byte)0, (byte)9));
    }
}
