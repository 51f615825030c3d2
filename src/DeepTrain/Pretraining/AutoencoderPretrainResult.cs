using DeepTrain.Autograd;
using DeepTrain.Layers;
using DeepTrain.Tensors;
using DeepTrain.Training;

namespace DeepTrain.Pretraining;

/// <summary>
/// The result of <see cref="AutoencoderPretrainer"/>: the encoder stack, each layer's history (<c>loss</c>, the
/// training objective on corrupted inputs; <c>reconstruction_error</c>; <c>val_reconstruction_error</c>;
/// <c>seconds</c>) and the trained autoencoders, whose decoders reconstruct.
/// </summary>
public sealed class AutoencoderPretrainResult : PretrainResult
{
    internal AutoencoderPretrainResult(Sequential encoder, IReadOnlyList<History> layers, IReadOnlyList<Autoencoder> autoencoders)
        : base(encoder, layers) => Autoencoders = autoencoders;

    /// <summary>The trained autoencoders, bottom to top; their encoders are the layers of <see cref="PretrainResult.Encoder"/>.</summary>
    public IReadOnlyList<Autoencoder> Autoencoders { get; }

    /// <inheritdoc/>
    public override float[] Reconstruct(ReadOnlySpan<float> inputs, int rows)
    {
        int features = Autoencoders[0].Features;
        if (rows < 0 || inputs.Length != rows * features) throw new ArgumentException($"{inputs.Length} values are not {rows} rows of {features} features");
        using var _ = GradMode.NoGrad();
        foreach (var ae in Autoencoders) ae.Eval();
        try
        {
            var x = Tensor.FromArray(inputs, rows, features);
            foreach (var ae in Autoencoders) x = ae.Encode(x);
            for (int i = Autoencoders.Count - 1; i >= 0; i--) x = Autoencoders[i].Decode(x);
            return x.ToArray();
        }
        finally
        {
            foreach (var ae in Autoencoders) ae.Train();
        }
    }
}
