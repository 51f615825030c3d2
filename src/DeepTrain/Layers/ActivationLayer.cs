using DeepTrain.Tensors;

namespace DeepTrain.Layers;

/// <summary>An activation as a layer of its own (e.g. after BatchNorm). RReLU follows the layer's mode.</summary>
public sealed class ActivationLayer : Module
{
    /// <summary>Makes the layer.</summary>
    public ActivationLayer(Activation activation, string? name = null) : base(name) => Activation = activation;

    /// <summary>The activation.</summary>
    public Activation Activation { get; }

    /// <inheritdoc/>
    public override string Kind => "Activation";

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Activation.Apply(input, IsTraining, Rng);

    /// <inheritdoc/>
    public override string Describe() => Activation.Name;
}
