namespace DeepTrain.Onnx;

/// <summary>A model cannot be written as ONNX: a layer (named in the message and in <see cref="LayerName"/>) has no ONNX form.</summary>
public sealed class OnnxExportException : Exception
{
    /// <summary>Makes the exception for the layer <paramref name="layerName"/>.</summary>
    public OnnxExportException(string? layerName, string message, Exception? inner = null) : base(message, inner) => LayerName = layerName;

    /// <summary>The layer that could not be exported, or null when the problem is not a layer's.</summary>
    public string? LayerName { get; }
}
