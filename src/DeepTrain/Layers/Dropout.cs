using DeepTrain.Tensors;

namespace DeepTrain.Layers;

/// <summary>Dropout: drops each input with probability <see cref="Rate"/> in training (inverted scaling); identity in inference.</summary>
public sealed class Dropout : Module
{
    /// <summary>Makes the layer; <paramref name="rate"/> in [0, 1).</summary>
    public Dropout(float rate, string? name = null) : base(name)
    {
        if (!(rate >= 0 && rate < 1)) throw new ArgumentException($"dropout rate must be in [0, 1): got {rate}");
        Rate = rate;
    }

    /// <summary>The drop probability.</summary>
    public float Rate { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Ops.Ops.Dropout(input, Rate, IsTraining, Rng);

    /// <inheritdoc/>
    public override string Describe() => $"rate {Rate}";
}
