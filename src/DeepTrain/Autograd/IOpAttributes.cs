namespace DeepTrain.Autograd;

/// <summary>
/// The scalar settings a recorded op keeps beside its inputs (Affine's α and β, Pow's exponent, an activation's
/// α, a clamp's bound), readable by code that translates a recorded graph into another form (the ONNX exporter
/// traces user-defined activations this way). Nodes without such settings do not implement it.
/// </summary>
internal interface IOpAttributes
{
    /// <summary>The setting called <paramref name="name"/> (lower case: <c>alpha</c>, <c>beta</c>, <c>p</c>, <c>s</c>); an unknown name throws.</summary>
    float GetAttribute(string name);
}
