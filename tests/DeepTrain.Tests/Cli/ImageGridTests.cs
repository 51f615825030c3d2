using DeepTrain.Cli.Plots;

namespace DeepTrain.Tests.Cli;

public class ImageGridTests
{
    [Fact]
    public void WritesAPngGrid()
    {
        var images = Enumerable.Range(0, 12).Select(k => Enumerable.Range(0, 28 * 28).Select(i => (i % 28 + k) / 40f).ToArray()).ToList();
        var path = Path.Combine(Path.GetTempPath(), $"deeptrain-imagegrid-{Guid.NewGuid():N}.png");
        try
        {
            ImageGrid.SavePng(path, images, columns: 5, scale: 2, title: "test");
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
            // IHDR: width and height, big-endian, at bytes 16..23: 5 × 29 + 1 = 146 columns, 3 × 29 + 1 = 88 rows, × 2, + 30 for the title
            Assert.Equal(292, (bytes[16] << 24) | (bytes[17] << 16) | (bytes[18] << 8) | bytes[19]);
            Assert.Equal(206, (bytes[20] << 24) | (bytes[21] << 16) | (bytes[22] << 8) | bytes[23]);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Throws<ArgumentException>(() => ImageGrid.SavePng(path, [new float[10]]));
        Assert.Throws<ArgumentException>(() => ImageGrid.SavePng(path, []));
    }
}
