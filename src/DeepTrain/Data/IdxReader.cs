using System.Buffers.Binary;
using System.IO.Compression;

namespace DeepTrain.Data;

/// <summary>
/// Reads IDX files, the format of MNIST and its family (Fashion-MNIST, KMNIST, EMNIST), raw or gzip-compressed.
/// </summary>
/// <remarks>
/// An IDX file is a header, <c>00 00 TT DD</c> (TT the element type, DD the number of dimensions) followed by DD
/// big-endian int32 sizes, then the elements in row-major order. Only unsigned bytes (TT = 0x08) are supported,
/// which is what the MNIST family uses. Gzip is recognised by its magic bytes (1f 8b), not by the file name.
/// The header is checked against the data actually present: a truncated file, trailing bytes, a wrong magic
/// number or an unsupported type is a <see cref="DataFormatException"/> naming the file. Memory is never allocated
/// for what a header claims before the claim is known to be plausible: raw files are checked against their length,
/// gzip files are decompressed into a buffer that grows only as real data arrives.
/// </remarks>
public static class IdxReader
{
    private const int MaxDimensions = 8;

    // Deflate cannot compress better than about 1032:1, so a gzip file of n bytes never holds more than this.
    private const long MaxDeflateRatio = 1032;

    /// <summary>Reads an IDX file of unsigned bytes with any number of dimensions.</summary>
    /// <param name="path">The file, raw or gzip-compressed.</param>
    /// <returns>The dimensions and the elements.</returns>
    /// <exception cref="DataFormatException">The file is not a valid IDX file of unsigned bytes.</exception>
    public static IdxArray Read(string path) => ReadCore(path, minDims: 1, maxDims: MaxDimensions, noun: "items", expectedCount: null, countMismatch: null);

    /// <summary>
    /// Reads an IDX image file: the first dimension is the number of images, the others are the image shape
    /// (28 × 28 for MNIST).
    /// </summary>
    /// <param name="path">The file, e.g. <c>train-images-idx3-ubyte.gz</c>.</param>
    /// <returns>The images, one byte per pixel.</returns>
    /// <exception cref="DataFormatException">The file is not a valid IDX file with at least 2 dimensions.</exception>
    public static IdxArray ReadImages(string path) => ReadCore(path, minDims: 2, maxDims: MaxDimensions, noun: "images", expectedCount: null, countMismatch: null);

    /// <summary>Reads a one-dimensional IDX label file (one unsigned byte per example).</summary>
    /// <param name="path">The file, e.g. <c>train-labels-idx1-ubyte.gz</c>.</param>
    /// <returns>The labels.</returns>
    /// <exception cref="DataFormatException">The file is not a valid one-dimensional IDX file.</exception>
    public static byte[] ReadLabels(string path) => ReadCore(path, minDims: 1, maxDims: 1, noun: "labels", expectedCount: null, countMismatch: null).Data;

    /// <summary>
    /// Reads an image file and its label file and checks that they hold the same number of examples. The label
    /// file is read first, and the image count is compared before the image data is read.
    /// </summary>
    /// <param name="imagesPath">The image file (at least 2 dimensions).</param>
    /// <param name="labelsPath">The label file (1 dimension).</param>
    /// <returns>The images and their labels.</returns>
    /// <exception cref="DataFormatException">Either file is malformed, or the counts differ (the message names both files).</exception>
    public static (IdxArray Images, byte[] Labels) ReadImagesAndLabels(string imagesPath, string labelsPath)
    {
        byte[] labels = ReadLabels(labelsPath);
        IdxArray images = ReadCore(imagesPath, minDims: 2, maxDims: MaxDimensions, noun: "images", expectedCount: labels.Length,
            countMismatch: count => $"count mismatch: the file holds {count} images but {labelsPath} holds {labels.Length} labels");
        return (images, labels);
    }

    private static IdxArray ReadCore(string path, int minDims, int maxDims, string noun, int? expectedCount, Func<int, string>? countMismatch)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        long fileLength = file.Length;
        if (fileLength == 0)
            throw new DataFormatException(path, "empty file (0 bytes)");

        Span<byte> magic = stackalloc byte[2];
        bool gzip = ReadFully(file, magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        file.Seek(0, SeekOrigin.Begin);

        using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : file;
        try
        {
            int[] dims = ReadHeader(stream, path, minDims, maxDims, noun, gzip);
            long expected = 1;
            foreach (int d in dims)
                expected = checked(expected * d); // at most 8 factors < 2^31 each: overflow is caught
            string claim = DescribeClaim(dims, noun, expected);

            if (expectedCount is int want && dims[0] != want && countMismatch is not null)
                throw new DataFormatException(path, countMismatch(dims[0]));

            long headerLength = 4 + 4L * dims.Length;
            long available = gzip ? -1 : fileLength - headerLength;
            long ceiling = gzip ? fileLength * MaxDeflateRatio : available;
            if (expected > Array.MaxLength)
                throw new DataFormatException(path, $"header says {claim}, more than one array can hold");
            if (expected > ceiling)
            {
                // Implausible claim: count what is really there (without storing it) and report it.
                long actual = gzip ? Drain(stream) : available;
                throw new DataFormatException(path, $"truncated: header says {claim} but the file holds {actual} bytes of data");
            }

            byte[] data = ReadPayload(stream, (int)expected, gzip ? fileLength : expected, out int filled);
            if (filled < expected)
                throw new DataFormatException(path, $"truncated: header says {claim} but the file holds {filled} bytes of data");
            long extra = Drain(stream);
            if (extra > 0)
                throw new DataFormatException(path, $"trailing data: header says {claim} but the file holds {expected + extra} bytes of data");
            return new IdxArray(dims, data);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"corrupt gzip data: {e.Message}", innerException: e);
        }
    }

    private static int[] ReadHeader(Stream stream, string path, int minDims, int maxDims, string noun, bool gzip)
    {
        Span<byte> head = stackalloc byte[4];
        int got = ReadFully(stream, head);
        if (got < 4)
            throw new DataFormatException(path, $"truncated header: an IDX header needs at least 4 bytes but the file holds {got}{(gzip ? " (decompressed)" : "")}");
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(head);
        if (head[0] != 0 || head[1] != 0)
            throw new DataFormatException(path, $"wrong magic number 0x{magic:X8}: not an IDX file (IDX files start with 00 00, a type byte and the number of dimensions)");
        byte type = head[2];
        if (type != 0x08)
        {
            string? name = type switch
            {
                0x09 => "signed byte",
                0x0B => "int16",
                0x0C => "int32",
                0x0D => "float32",
                0x0E => "float64",
                _ => null,
            };
            throw new DataFormatException(path, name is null
                ? $"wrong magic number 0x{magic:X8}: unknown IDX element type 0x{type:X2}"
                : $"unsupported IDX element type 0x{type:X2} ({name}): only unsigned bytes (0x08) are supported");
        }
        int ndims = head[3];
        if (ndims < minDims || ndims > maxDims)
        {
            string want = minDims == maxDims ? $"{minDims}" : $"{minDims} to {maxDims}";
            throw new DataFormatException(path, $"the header declares {ndims} dimension{(ndims == 1 ? "" : "s")} but {noun} need {want} (magic 0x{magic:X8})");
        }
        Span<byte> sizes = stackalloc byte[4 * ndims];
        got = ReadFully(stream, sizes);
        if (got < sizes.Length)
            throw new DataFormatException(path, $"truncated header: {ndims} dimensions need {4 + sizes.Length} header bytes but the file holds {4 + got}");
        var dims = new int[ndims];
        for (int i = 0; i < ndims; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(sizes.Slice(4 * i, 4));
            if (dims[i] < 0)
                throw new DataFormatException(path, $"dimension {i} is negative ({dims[i]}) in the header");
            if (i > 0 && dims[i] == 0)
                throw new DataFormatException(path, $"dimension {i} is 0 in the header");
        }
        return dims;
    }

    // Reads up to `expected` bytes into a buffer that grows only as data arrives. `sizeHint` bounds the first
    // allocation: the exact size for raw files (already checked against the file length), the compressed size for gzip.
    private static byte[] ReadPayload(Stream stream, int expected, long sizeHint, out int filled)
    {
        long first = Math.Max(1 << 16, Math.Min(sizeHint * 8, Array.MaxLength));
        var buffer = new byte[Math.Min(expected, first)];
        filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (buffer.Length == expected)
                    break;
                Array.Resize(ref buffer, (int)Math.Min(expected, 2L * buffer.Length));
            }
            int n = stream.Read(buffer, filled, buffer.Length - filled);
            if (n == 0)
                break;
            filled += n;
        }
        return buffer;
    }

    private static long Drain(Stream stream)
    {
        Span<byte> scratch = stackalloc byte[4096];
        long total = 0;
        int n;
        while ((n = stream.Read(scratch)) > 0)
            total += n;
        return total;
    }

    private static int ReadFully(Stream stream, Span<byte> destination)
    {
        int filled = 0;
        while (filled < destination.Length)
        {
            int n = stream.Read(destination[filled..]);
            if (n == 0)
                break;
            filled += n;
        }
        return filled;
    }

    private static string DescribeClaim(int[] dims, string noun, long bytes)
    {
        string shape = dims.Length == 1 ? "" : " of " + string.Join("x", dims.Skip(1));
        return $"{dims[0]} {noun}{shape} ({bytes} bytes)";
    }
}

/// <summary>The content of an IDX file: its dimensions and its unsigned-byte elements in row-major order.</summary>
public sealed class IdxArray
{
    private readonly int[] _dimensions;

    /// <summary>Wraps dimensions and data (not copied).</summary>
    /// <param name="dimensions">The sizes, outermost first; their product must equal <paramref name="data"/>'s length.</param>
    /// <param name="data">The elements, row-major.</param>
    /// <exception cref="ArgumentException">The dimensions do not match the data length.</exception>
    public IdxArray(int[] dimensions, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentNullException.ThrowIfNull(data);
        if (dimensions.Length == 0)
            throw new ArgumentException("an IDX array needs at least one dimension", nameof(dimensions));
        long product = 1;
        foreach (int d in dimensions)
        {
            if (d < 0)
                throw new ArgumentException($"dimensions must be non-negative: got {string.Join("x", dimensions)}", nameof(dimensions));
            product *= d;
        }
        if (product != data.Length)
            throw new ArgumentException($"dimensions {string.Join("x", dimensions)} hold {product} elements but the data has {data.Length}", nameof(data));
        _dimensions = (int[])dimensions.Clone();
        Data = data;
    }

    /// <summary>The sizes of the dimensions, outermost first (for MNIST images: count, 28, 28).</summary>
    public IReadOnlyList<int> Dimensions => _dimensions;

    /// <summary>The elements in row-major order.</summary>
    public byte[] Data { get; }

    /// <summary>The size of the first dimension: the number of items (images, labels).</summary>
    public int Count => _dimensions[0];

    /// <summary>The number of elements per item: the product of all dimensions but the first (784 for MNIST images).</summary>
    public int ItemSize
    {
        get
        {
            int size = 1;
            for (int i = 1; i < _dimensions.Length; i++)
                size *= _dimensions[i];
            return size;
        }
    }
}
