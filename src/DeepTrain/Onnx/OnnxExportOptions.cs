namespace DeepTrain.Onnx;

/// <summary>How <see cref="OnnxExporter"/> writes a model.</summary>
public sealed class OnnxExportOptions
{
    /// <summary>
    /// Fold each BatchNorm that directly follows a Dense layer with a linear activation into that layer's weights and
    /// bias (default true): W′ = W·diag(s), b′ = (b − μ)·s + β with s = γ / √(σ² + ε). The folded initializers are
    /// named <c>hidden1.weight_folded</c> and <c>hidden1.bias_folded</c>. A BatchNorm that cannot be folded, or every
    /// BatchNorm when this is false, becomes an ONNX <c>BatchNormalization</c> node (inference form).
    /// Dropout and StopGradient layers between the two do not prevent folding: they are identities at inference.
    /// </summary>
    public bool FoldBatchNorm { get; init; } = true;

    /// <summary>Append a softmax over the last axis, so the model outputs class probabilities instead of logits (default false).</summary>
    public bool Softmax { get; init; }

    /// <summary>The name of the graph input, of shape [batch, features] (default <c>input</c>).</summary>
    public string InputName { get; init; } = "input";

    /// <summary>The name of the graph output, of shape [batch, outputs]; null (the default) means <c>output</c>, or <c>probabilities</c> with <see cref="Softmax"/>.</summary>
    public string? OutputName { get; init; }

    /// <summary>A free-text description stored in the model's <c>doc_string</c>, or null.</summary>
    public string? Description { get; init; }

    /// <summary>The output name in effect.</summary>
    internal string EffectiveOutputName => OutputName ?? (Softmax ? "probabilities" : "output");

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(InputName)) throw new ArgumentException($"the input name must not be empty: got '{InputName}'");
        if (OutputName is not null && string.IsNullOrWhiteSpace(OutputName)) throw new ArgumentException($"the output name must not be empty: got '{OutputName}'");
        if (InputName == EffectiveOutputName) throw new ArgumentException($"the input and output names must differ: both are '{InputName}'");
    }
}
