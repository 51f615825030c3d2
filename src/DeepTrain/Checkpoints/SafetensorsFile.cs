using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace DeepTrain.Checkpoints;

/// <summary>
/// A parsed safetensors file (Hugging Face's format): an 8-byte little-endian header length N, an N-byte UTF-8 JSON
/// header mapping each tensor name to <c>{"dtype", "shape", "data_offsets"}</c> plus an optional
/// <c>"__metadata__"</c> map of strings, then the raw little-endian tensor data. The whole header is validated
/// before anything is trusted, with the reference implementation's rules: a header of at most 100 MB that fits in
/// the file, tensors that tile the data section exactly (contiguous from offset 0, no overlap, no gap, no trailing
/// bytes), and sizes that equal dtype × shape. Any violation is a <see cref="ModelFileException"/>; nothing the
/// header claims is allocated before it has been checked against the file's real size.
/// </summary>
public sealed class SafetensorsFile
{
    /// <summary>The largest header accepted, in bytes (the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string Damaged = "the file is damaged or not a safetensors file; restore it from a backup or save the model again";

    private readonly byte[] _bytes;
    private readonly int _dataStart;
    private readonly Dictionary<string, TensorEntry> _byName;

    private SafetensorsFile(string source, byte[] bytes, int dataStart, IReadOnlyDictionary<string, string> metadata, List<TensorEntry> tensors)
    {
        Source = source;
        _bytes = bytes;
        _dataStart = dataStart;
        Metadata = metadata;
        Tensors = tensors;
        _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The file's path (or the description given to <see cref="Parse"/>).</summary>
    public string Source { get; }

    /// <summary>The <c>__metadata__</c> map (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors, in the order of their data.</summary>
    public IReadOnlyList<TensorEntry> Tensors { get; }

    /// <summary>The size of the data section in bytes.</summary>
    public long DataBytes => _bytes.LongLength - _dataStart;

    /// <summary>True when the file holds a tensor called <paramref name="name"/>.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The entry of tensor <paramref name="name"/>, or null.</summary>
    public TensorEntry? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The entry of tensor <paramref name="name"/>; a missing one is a <see cref="ModelFileException"/>.</summary>
    public TensorEntry this[string name] => Find(name)
        ?? throw new ModelFileException(Source, $"it holds no tensor named '{name}' (it has {Tensors.Count}: {Preview(Tensors.Select(t => t.Name))})");

    /// <summary>The raw bytes of tensor <paramref name="name"/>, as stored (little-endian).</summary>
    public ReadOnlySpan<byte> RawBytes(string name)
    {
        var e = this[name];
        return _bytes.AsSpan(_dataStart + (int)e.Begin, (int)(e.End - e.Begin));
    }

    /// <summary>
    /// The values of tensor <paramref name="name"/> as float32, converted from F64, F16 or BF16 when stored so.
    /// Another dtype (integers, booleans, 8-bit floats) is a <see cref="ModelFileException"/>.
    /// </summary>
    public float[] ReadFloats(string name)
    {
        var e = this[name];
        if (e.ElementCount > Array.MaxLength)
            throw new ModelFileException(Source, $"tensor '{name}' has {e.ElementCount} elements, more than one array can hold");
        var raw = RawBytes(name);
        var result = new float[e.ElementCount];
        switch (e.Dtype)
        {
            case "F32":
                if (BitConverter.IsLittleEndian) raw.CopyTo(MemoryMarshal.AsBytes(result.AsSpan()));
                else for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * i)..]);
                break;
            case "F64":
                for (int i = 0; i < result.Length; i++) result[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(raw[(8 * i)..]);
                break;
            case "F16":
                for (int i = 0; i < result.Length; i++) result[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(raw[(2 * i)..]);
                break;
            case "BF16":
                for (int i = 0; i < result.Length; i++) result[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..]) << 16);
                break;
            default:
                throw new ModelFileException(Source, $"tensor '{name}' has dtype {e.Dtype}; DeepTrain reads only floating-point tensors ({string.Join(", ", TensorEntry.FloatDtypes)}): convert it to F32 first");
        }
        return result;
    }

    /// <summary>Reads and validates the safetensors file at <paramref name="path"/>.</summary>
    /// <exception cref="ModelFileException">The file is missing, unreadable, truncated or corrupt.</exception>
    public static SafetensorsFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new ModelFileException(path, "the file does not exist; check the path");
            if (info.Length > Array.MaxLength)
                throw new ModelFileException(path, $"the file is {info.Length} bytes long, more than DeepTrain can load at once ({Array.MaxLength})");
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException ex) { throw new ModelFileException(path, $"the file cannot be read: {ex.Message}", ex); }
        catch (UnauthorizedAccessException ex) { throw new ModelFileException(path, $"the file cannot be read: {ex.Message}", ex); }
        return Parse(bytes, path);
    }

    /// <summary>Validates a whole safetensors file held in memory (not copied: do not modify the array afterwards).</summary>
    /// <param name="bytes">The file's bytes.</param>
    /// <param name="source">The name to use in error messages.</param>
    /// <exception cref="ModelFileException">The bytes are truncated or corrupt.</exception>
    public static SafetensorsFile Parse(byte[] bytes, string source = "(in memory)")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length < 8)
            throw new ModelFileException(source, $"the file is {bytes.Length} bytes long, shorter than the 8-byte header length: it is truncated; {Damaged}");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > MaxHeaderBytes)
            throw new ModelFileException(source, $"the header length field says {n} bytes, above the {MaxHeaderBytes}-byte limit; {Damaged}");
        if (n > (ulong)(bytes.Length - 8))
            throw new ModelFileException(source, $"the header length field says {n} bytes but only {bytes.Length - 8} follow: the file is truncated; {Damaged}");
        int dataStart = 8 + (int)n;
        long dataLength = bytes.Length - dataStart;

        if (!System.Text.Unicode.Utf8.IsValid(bytes.AsSpan(8, (int)n)))
            throw new ModelFileException(source, $"the JSON header is not valid UTF-8; {Damaged}");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes.AsMemory(8, (int)n), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            throw new ModelFileException(source, $"the JSON header is not valid ({ex.Message}); {Damaged}", ex);
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var tensors = new List<TensorEntry>();
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ModelFileException(source, $"the JSON header is a {doc.RootElement.ValueKind}, not an object; {Damaged}");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                foreach (var prop in doc.RootElement.EnumerateObject())
                {
                    if (!seen.Add(prop.Name))
                        throw new ModelFileException(source, $"the JSON header lists '{prop.Name}' twice; {Damaged}");
                    if (prop.Name == "__metadata__") ReadMetadata(source, prop.Value, metadata);
                    else tensors.Add(ReadEntry(source, prop.Name, prop.Value));
                }
            }
            catch (InvalidOperationException ex) // a string the reader cannot decode
            {
                throw new ModelFileException(source, $"the JSON header holds an unreadable string ({ex.Message}); {Damaged}", ex);
            }
        }

        tensors.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        foreach (var t in tensors)
        {
            if (t.Begin != expected)
                throw new ModelFileException(source, t.Begin < expected
                    ? $"tensor '{t.Name}' starts at data offset {t.Begin}, inside the previous tensor (which ends at {expected}): tensors overlap; {Damaged}"
                    : $"tensor '{t.Name}' starts at data offset {t.Begin}, leaving a gap after offset {expected}; {Damaged}");
            expected = t.End;
        }
        if (expected > dataLength)
            throw new ModelFileException(source, $"the tensors need {expected} bytes of data but the file has {dataLength}: it is truncated; {Damaged}");
        if (expected < dataLength)
            throw new ModelFileException(source, $"{dataLength - expected} unexpected bytes follow the last tensor; {Damaged}");
        return new SafetensorsFile(source, bytes, dataStart, metadata, tensors);
    }

    private static void ReadMetadata(string source, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new ModelFileException(source, $"\"__metadata__\" is a {value.ValueKind}, not a map of strings; {Damaged}");
        foreach (var kv in value.EnumerateObject())
        {
            if (kv.Value.ValueKind != JsonValueKind.String)
                throw new ModelFileException(source, $"\"__metadata__\" entry '{kv.Name}' is a {kv.Value.ValueKind}, not a string; {Damaged}");
            if (!metadata.TryAdd(kv.Name, kv.Value.GetString()!))
                throw new ModelFileException(source, $"\"__metadata__\" lists '{kv.Name}' twice; {Damaged}");
        }
    }

    private static TensorEntry ReadEntry(string source, string name, JsonElement value)
    {
        string Bad(string what) => $"tensor '{name}': {what}; {Damaged}";
        if (value.ValueKind != JsonValueKind.Object) throw new ModelFileException(source, Bad($"its entry is a {value.ValueKind}, not an object"));
        if (!value.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String)
            throw new ModelFileException(source, Bad("\"dtype\" is missing or not a string"));
        string dtype = dtypeEl.GetString()!;
        int size = TensorEntry.ElementSize(dtype);
        if (size == 0)
            throw new ModelFileException(source, $"tensor '{name}' has dtype '{dtype}', which DeepTrain does not know (floating-point dtypes it reads: {string.Join(", ", TensorEntry.FloatDtypes)})");
        if (!value.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array)
            throw new ModelFileException(source, Bad("\"shape\" is missing or not an array"));
        var shape = new List<long>();
        long count = 1;
        foreach (var d in shapeEl.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0)
                throw new ModelFileException(source, Bad($"shape entry {d.GetRawText()} is not a non-negative integer"));
            shape.Add(dim);
            try { count = checked(count * dim); }
            catch (OverflowException) { throw new ModelFileException(source, Bad("the shape's element count overflows")); }
        }
        if (!value.TryGetProperty("data_offsets", out var offEl) || offEl.ValueKind != JsonValueKind.Array || offEl.GetArrayLength() != 2)
            throw new ModelFileException(source, Bad("\"data_offsets\" is missing or not a pair [begin, end]"));
        long[] off = new long[2];
        for (int i = 0; i < 2; i++)
        {
            var o = offEl[i];
            if (o.ValueKind != JsonValueKind.Number || !o.TryGetInt64(out off[i]) || off[i] < 0)
                throw new ModelFileException(source, Bad($"data offset {o.GetRawText()} is not a non-negative integer"));
        }
        if (off[1] < off[0]) throw new ModelFileException(source, Bad($"data_offsets [{off[0]}, {off[1]}] end before they begin"));
        long bytes;
        try { bytes = checked(count * size); }
        catch (OverflowException) { throw new ModelFileException(source, Bad("dtype × shape overflows")); }
        if (off[1] - off[0] != bytes)
            throw new ModelFileException(source, Bad($"data_offsets [{off[0]}, {off[1]}] hold {off[1] - off[0]} bytes but {dtype} × [{string.Join(", ", shape)}] needs {bytes}"));
        return new TensorEntry(name, dtype, shape, off[0], off[1]);
    }

    internal static string Preview(IEnumerable<string> names, int max = 8)
    {
        var list = names.Take(max + 1).ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list.Take(max)) + (list.Count > max ? ", ..." : "");
    }
}
