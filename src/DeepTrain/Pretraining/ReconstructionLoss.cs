namespace DeepTrain.Pretraining;

/// <summary>What an autoencoder minimizes when it reconstructs its input.</summary>
public enum ReconstructionLoss
{
    /// <summary>
    /// Mean squared error between the input and a linear decoder's output: for any real-valued input
    /// (standardized data, ELU codes).
    /// </summary>
    MeanSquaredError,

    /// <summary>
    /// Binary cross-entropy between the input and the decoder's sigmoid output, computed from the logits
    /// (<see cref="Ops.Ops.BinaryCrossEntropyWithLogits"/>): for inputs in [0, 1] (pixels, sigmoid codes).
    /// </summary>
    CrossEntropy,
}
