using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace DeepTrain.Checkpoints;

/// <summary>
/// Writes float32 tensors as a safetensors file, byte for byte as the reference implementation does for F32
/// tensors: a compact JSON header with <c>"__metadata__"</c> first (when there is metadata), then the tensors sorted
/// by name (ordinal), each as <c>{"dtype":"F32","shape":[...],"data_offsets":[begin,end]}</c>; the header padded with
/// spaces to a multiple of 8 bytes so the data is aligned; then the data in the same order, little-endian.
/// </summary>
public static class SafetensorsWriter
{
    private static readonly JsonWriterOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    /// <summary>Writes the tensors and metadata to <paramref name="stream"/>.</summary>
    /// <param name="stream">Where to write.</param>
    /// <param name="tensors">Each tensor's name, dimensions and values (as many values as the dimensions say).</param>
    /// <param name="metadata">String metadata for <c>"__metadata__"</c>, or null (an empty map is not written).</param>
    /// <exception cref="ArgumentException">A name is empty, reserved or repeated, or values do not fill the shape.</exception>
    public static void Write(Stream stream, IEnumerable<(string Name, int[] Shape, ReadOnlyMemory<float> Values)> tensors,
                             IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, shape, values) in list)
        {
            if (string.IsNullOrEmpty(name) || name == "__metadata__") throw new ArgumentException($"'{name}' cannot name a tensor in a safetensors file");
            if (!names.Add(name)) throw new ArgumentException($"two tensors are named '{name}'");
            long count = 1;
            foreach (var d in shape)
            {
                if (d < 0) throw new ArgumentException($"tensor '{name}' has a negative dimension in [{string.Join(", ", shape)}]");
                count *= d;
            }
            if (count != values.Length) throw new ArgumentException($"tensor '{name}' has {values.Length} values but shape [{string.Join(", ", shape)}] needs {count}");
        }
        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));

        var header = new MemoryStream();
        using (var w = new Utf8JsonWriter(header, s_json))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, shape, values) in list)
            {
                w.WriteStartObject(name);
                w.WriteString("dtype", "F32");
                w.WriteStartArray("shape");
                foreach (var d in shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                offset += 4L * values.Length;
                w.WriteNumberValue(offset);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        while (header.Length % 8 != 0) header.WriteByte((byte)' ');

        Span<byte> n = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(n, (ulong)header.Length);
        stream.Write(n);
        header.Position = 0;
        header.CopyTo(stream);
        byte[]? swap = BitConverter.IsLittleEndian ? null : new byte[4];
        foreach (var (_, _, values) in list)
        {
            if (swap is null) stream.Write(MemoryMarshal.AsBytes(values.Span));
            else
                foreach (var v in values.Span)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(swap, v);
                    stream.Write(swap);
                }
        }
    }

    /// <summary>Writes the tensors to the file at <paramref name="path"/> atomically (see <see cref="AtomicFile"/>).</summary>
    public static void WriteFile(string path, IEnumerable<(string Name, int[] Shape, ReadOnlyMemory<float> Values)> tensors,
                                 IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        AtomicFile.Write(path, s => Write(s, list, metadata));
    }
}
