using DeepTrain.Layers;
using DeepTrain.Training;

namespace DeepTrain.Pretraining;

/// <summary>
/// What greedy layer-wise pretraining produced: the encoder stack (Dense layers <c>hidden1..N</c>, ready for a new
/// output layer, see <see cref="FineTuning.WithOutput"/>) and, per layer, the figures of each epoch.
/// </summary>
public abstract class PretrainResult
{
    /// <summary>Stores the stack and its per-layer histories.</summary>
    protected PretrainResult(Sequential encoder, IReadOnlyList<History> layers)
    {
        Encoder = encoder ?? throw new ArgumentNullException(nameof(encoder));
        Layers = layers ?? throw new ArgumentNullException(nameof(layers));
    }

    /// <summary>The pretrained stack: Dense layers named <c>hidden1..N</c>, bottom to top, no output layer.</summary>
    public Sequential Encoder { get; }

    /// <summary>
    /// One history per layer (index 0 is <c>hidden1</c>), one value per epoch in each series. Every pretrainer
    /// records <c>reconstruction_error</c> (mean squared error per element between the layer's input and its clean
    /// reconstruction, on a fixed subset of the training data), <c>val_reconstruction_error</c> when held-out
    /// data were given, and <c>seconds</c>; see each pretrainer for its other series.
    /// </summary>
    public IReadOnlyList<History> Layers { get; }

    /// <summary>
    /// Reconstructs <paramref name="rows"/> examples through the whole stack: up through every layer, then down
    /// through every decoder, in inference mode. Returns the reconstructions in the input's space, row-major.
    /// </summary>
    public abstract float[] Reconstruct(ReadOnlySpan<float> inputs, int rows);

    /// <summary>The last epoch's value of <paramref name="series"/> for each layer.</summary>
    public double[] Final(string series) => Layers.Select(h => h[series][^1]).ToArray();
}
