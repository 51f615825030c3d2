namespace DeepTrain.Checkpoints;

/// <summary>
/// One tensor listed in a safetensors header: its name, element type, shape and where its bytes lie in the data
/// section (offsets relative to the start of the data section, end exclusive).
/// </summary>
/// <param name="Name">The tensor's name (a parameter's full name, <c>hidden1.weight</c>).</param>
/// <param name="Dtype">The safetensors element type (<c>F32</c>, <c>F16</c>, ...).</param>
/// <param name="Shape">The dimensions (empty for a scalar).</param>
/// <param name="Begin">The offset of the first byte in the data section.</param>
/// <param name="End">The offset one past the last byte in the data section.</param>
public sealed record TensorEntry(string Name, string Dtype, IReadOnlyList<long> Shape, long Begin, long End)
{
    /// <summary>The number of elements (the product of the dimensions; 1 for a scalar).</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (var d in Shape) n *= d;
            return n;
        }
    }

    /// <summary>The shape written as <c>[784, 300]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";

    /// <summary>The size of one element of a safetensors dtype in bytes, or 0 for a dtype DeepTrain does not know.</summary>
    public static int ElementSize(string dtype) => dtype switch
    {
        "BOOL" or "U8" or "I8" or "F8_E5M2" or "F8_E4M3" or "F8_E8M0" => 1,
        "I16" or "U16" or "F16" or "BF16" => 2,
        "I32" or "U32" or "F32" => 4,
        "I64" or "U64" or "F64" => 8,
        _ => 0,
    };

    /// <summary>The dtypes DeepTrain converts to float32 when reading (<c>F32</c>, <c>F64</c>, <c>F16</c>, <c>BF16</c>).</summary>
    public static IReadOnlyList<string> FloatDtypes { get; } = ["F32", "F64", "F16", "BF16"];
}
