using System.Buffers.Binary;
using System.Runtime.InteropServices;
using DeepTrain.Onnx.Proto;
using Google.Protobuf;

namespace DeepTrain.Onnx;

/// <summary>
/// Assembles an ONNX graph: float initializers, nodes and unique value names. Each method returns the name of the
/// value it made, so translating a layer reads like the layer's forward: <c>x = b.Node("Gemm", scope, x, w, bias)</c>.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly GraphProto _graph = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Makes a builder whose graph reads from <paramref name="inputName"/>.</summary>
    public OnnxGraphBuilder(string inputName) => _names.Add(inputName);

    /// <summary>The graph built so far.</summary>
    public GraphProto Graph => _graph;

    /// <summary><paramref name="wanted"/>, or it with a suffix (<c>_2</c>, <c>_3</c>, ...) when already taken.</summary>
    public string Unique(string wanted)
    {
        if (_names.Add(wanted)) return wanted;
        for (int k = 2; ; k++)
            if (_names.Add($"{wanted}_{k}")) return $"{wanted}_{k}";
    }

    /// <summary>Adds a float32 initializer of shape <paramref name="dims"/> (empty: a scalar) and returns its name.</summary>
    public string Initializer(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        long size = 1;
        foreach (var d in dims) size *= d;
        if (size != values.Length) throw new ArgumentException($"initializer '{name}': {values.Length} values do not fill shape [{string.Join(", ", dims)}]");
        var t = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Float, RawData = LittleEndianBytes(values) };
        t.Dims.AddRange(dims);
        _graph.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>Adds a rank-0 float32 initializer holding <paramref name="value"/>.</summary>
    public string Scalar(string name, float value) => Initializer(name, [value]);

    /// <summary>Adds a node of <paramref name="opType"/> (default domain) named after <paramref name="scope"/>, and returns its single output's name.</summary>
    public string Node(string opType, string scope, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        string name = Unique($"{scope}/{opType}");
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(name);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return name;
    }

    /// <summary>Makes <paramref name="value"/> the graph output named <paramref name="outputName"/>: renames the node output when a node made it, else adds an Identity node.</summary>
    public void SetOutput(string value, string outputName, long features)
    {
        var producer = _graph.Node.LastOrDefault(n => n.Output.Contains(value));
        if (producer is null || _names.Contains(outputName))
        {
            var id = new NodeProto { OpType = "Identity", Name = Unique("output/Identity") };
            id.Input.Add(value);
            id.Output.Add(outputName);
            _graph.Node.Add(id);
        }
        else
        {
            foreach (var n in _graph.Node)
            {
                for (int i = 0; i < n.Output.Count; i++) if (n.Output[i] == value) n.Output[i] = outputName;
                for (int i = 0; i < n.Input.Count; i++) if (n.Input[i] == value) n.Input[i] = outputName;
            }
        }
        _names.Add(outputName);
        _graph.Output.Add(MatrixInfo(outputName, features));
    }

    /// <summary>A float attribute.</summary>
    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>An integer attribute.</summary>
    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>The type of a float32 [batch, <paramref name="features"/>] value whose first dimension is the symbolic <c>batch</c>.</summary>
    public static ValueInfoProto MatrixInfo(string name, long features)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = features });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    // ONNX raw_data is little-endian whatever the machine.
    private static ByteString LittleEndianBytes(ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian) return ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        return ByteString.CopyFrom(bytes);
    }
}
