using DeepTrain.Tensors;

namespace DeepTrain.Layers;

/// <summary>Passes its input through unchanged and cuts the backward pass there: nothing below it is trained by gradients from above.</summary>
public sealed class StopGradient : Module
{
    /// <summary>Makes the layer.</summary>
    public StopGradient(string? name = null) : base(name) { }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Detach();
}
