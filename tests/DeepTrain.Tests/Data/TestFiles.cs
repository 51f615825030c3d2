using System.Buffers.Binary;
using System.IO.Compression;

namespace DeepTrain.Tests.Data;

/// <summary>A temporary directory, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Path = Directory.CreateTempSubdirectory("deeptrain-data-").FullName;

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string WriteText(string name, string text)
    {
        string path = File(name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Builds IDX files for tests.</summary>
internal static class IdxFiles
{
    /// <summary>The header (magic 00 00 type ndims, then big-endian sizes) followed by the data.</summary>
    public static byte[] Build(int[] dims, ReadOnlySpan<byte> data, byte type = 0x08)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes.AsSpan(4 + 4 * dims.Length));
        return bytes;
    }

    public static string Write(string path, byte[] raw, bool gzip)
    {
        if (!gzip)
        {
            File.WriteAllBytes(path, raw);
            return path;
        }
        using var file = File.Create(path);
        using var zip = new GZipStream(file, CompressionLevel.Fastest);
        zip.Write(raw);
        return path;
    }

    /// <summary>Images whose pixel j of image i is (i * 7 + j) mod 256, and labels i mod classes.</summary>
    public static (byte[] Pixels, byte[] Labels) Pattern(int count, int pixelsPerImage, int classes)
    {
        var pixels = new byte[count * pixelsPerImage];
        for (int i = 0; i < count; i++)
            for (int j = 0; j < pixelsPerImage; j++)
                pixels[i * pixelsPerImage + j] = (byte)((i * 7 + j) % 256);
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
            labels[i] = (byte)(i % classes);
        return (pixels, labels);
    }

    /// <summary>Writes an images + labels pair (28x28 pattern images) and returns their paths.</summary>
    public static (string Images, string Labels) WritePair(TempDir dir, string prefix, int count, int classes, bool gzip, int rows = 28, int cols = 28)
    {
        (byte[] pixels, byte[] labels) = Pattern(count, rows * cols, classes);
        string ext = gzip ? ".gz" : "";
        string images = Write(dir.File($"{prefix}-images-idx3-ubyte{ext}"), Build([count, rows, cols], pixels), gzip);
        string labelPath = Write(dir.File($"{prefix}-labels-idx1-ubyte{ext}"), Build([count], labels), gzip);
        return (images, labelPath);
    }
}

/// <summary>Finds files of the source tree from the test's output directory.</summary>
internal static class RepoFiles
{
    /// <summary>Walks up from <see cref="AppContext.BaseDirectory"/> to the first directory holding <paramref name="relativePath"/>.</summary>
    public static string? FindUp(string relativePath)
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, relativePath);
            if (File.Exists(candidate) || Directory.Exists(candidate))
                return candidate;
        }
        return null;
    }

    /// <summary>The bundled digits directory (data/digits), found upward from the test binaries.</summary>
    public static string DigitsDirectory =>
        FindUp(Path.Combine("data", "digits", "train-images-idx3-ubyte.gz")) is string file
            ? Path.GetDirectoryName(file)!
            : throw new InvalidOperationException($"data/digits not found above {AppContext.BaseDirectory}");
}
