using DeepTrain.Tensors;

namespace DeepTrain.Training;

/// <summary>
/// A training objective: turns the model's output for a batch (and the batch's inputs and labels) into a scalar
/// tensor to differentiate.
/// </summary>
public abstract class Loss
{
    /// <summary>The loss's name (<c>sparse_categorical_crossentropy</c>, <c>mse</c>, ...).</summary>
    public abstract string Name { get; }

    /// <summary>The mean loss over the batch.</summary>
    public abstract Tensor Compute(Tensor output, Tensor input, ReadOnlySpan<int> labels);

    /// <summary>Softmax cross-entropy from logits against integer class labels.</summary>
    public static Loss SparseCategoricalCrossEntropy { get; } = new SparseCrossEntropyLoss();

    /// <summary>Mean squared error against the one-hot labels.</summary>
    public static Loss MeanSquaredError { get; } = new MseLoss(reconstruct: false);

    /// <summary>Mean squared error against the input (an autoencoder's reconstruction loss).</summary>
    public static Loss Reconstruction { get; } = new MseLoss(reconstruct: true);

    /// <summary>Binary cross-entropy from logits against the input, for inputs in [0, 1] (an autoencoder's loss).</summary>
    public static Loss BinaryReconstruction { get; } = new BceLoss();

    /// <summary>The names <see cref="Parse"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["sparse_categorical_crossentropy", "mse", "reconstruction_mse", "reconstruction_bce"];

    /// <summary>A loss by name; an unknown name is an error that lists the valid ones.</summary>
    public static Loss Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "sparse_categorical_crossentropy" or "crossentropy" or "ce" => SparseCategoricalCrossEntropy,
        "mse" => MeanSquaredError,
        "reconstruction_mse" => Reconstruction,
        "reconstruction_bce" => BinaryReconstruction,
        _ => throw new ArgumentException($"unknown loss '{name}'; valid names: {string.Join(", ", Names)}"),
    };

    private sealed class SparseCrossEntropyLoss : Loss
    {
        public override string Name => "sparse_categorical_crossentropy";
        public override Tensor Compute(Tensor output, Tensor input, ReadOnlySpan<int> labels) => Ops.Ops.SoftmaxCrossEntropy(output, labels);
    }

    private sealed class MseLoss(bool reconstruct) : Loss
    {
        public override string Name => reconstruct ? "reconstruction_mse" : "mse";
        public override Tensor Compute(Tensor output, Tensor input, ReadOnlySpan<int> labels) =>
            Ops.Ops.MeanSquaredError(output, reconstruct ? input : OneHot(labels, output.Shape));
    }

    private sealed class BceLoss : Loss
    {
        public override string Name => "reconstruction_bce";
        public override Tensor Compute(Tensor output, Tensor input, ReadOnlySpan<int> labels) => Ops.Ops.BinaryCrossEntropyWithLogits(output, input);
    }

    private static Tensor OneHot(ReadOnlySpan<int> labels, Shape shape)
    {
        var t = Tensor.Zeros(shape);
        int c = shape.Last;
        for (int r = 0; r < labels.Length; r++)
        {
            if ((uint)labels[r] >= (uint)c) throw new ArgumentException($"label {labels[r]} at row {r} is outside [0, {c})");
            t.Data[r * c + labels[r]] = 1f;
        }
        return t;
    }
}
