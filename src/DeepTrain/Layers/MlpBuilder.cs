using DeepTrain.Init;
using DeepTrain.Regularization;

namespace DeepTrain.Layers;

/// <summary>
/// Builds the classic dense stack from a few choices, with the layer names the CLI, model files and
/// diagnostics use: <c>hidden1..N</c>, <c>bn1..N</c> (BatchNorm between the product and the activation, the Dense
/// below it bias-free), <c>act1..N</c> (the activation when it cannot sit inside Dense), <c>dropout1..N</c>, and
/// <c>output</c> (linear: logits).
/// </summary>
public sealed class MlpBuilder
{
    /// <summary>Hidden layer widths, bottom to top.</summary>
    public IReadOnlyList<int> Hidden { get; init; } = [300, 100];
    /// <summary>The hidden activation.</summary>
    public Activation Activation { get; init; } = Activation.Elu();
    /// <summary>The hidden weights' initializer.</summary>
    public Initializer Initializer { get; init; } = Initializer.HeNormal;
    /// <summary>Insert BatchNorm before each hidden activation.</summary>
    public bool BatchNorm { get; init; }
    /// <summary>BatchNorm's momentum.</summary>
    public float BatchNormMomentum { get; init; } = 0.99f;
    /// <summary>Dropout rate after each hidden layer (0: none).</summary>
    public float Dropout { get; init; }
    /// <summary>L1/L2 penalty on every Dense weight, or null.</summary>
    public Regularizer? Regularizer { get; init; }
    /// <summary>Max-norm constraint on every Dense weight, or null.</summary>
    public MaxNorm? MaxNorm { get; init; }

    /// <summary>Builds the model for <paramref name="inputs"/> features and <paramref name="outputs"/> classes.</summary>
    public Sequential Build(int inputs, int outputs, ulong seed)
    {
        if (Hidden.Any(h => h <= 0)) throw new ArgumentException($"hidden layer sizes must be > 0: got {string.Join(",", Hidden)}");
        var model = new Sequential(inputs, seed);
        for (int i = 0; i < Hidden.Count; i++)
        {
            int k = i + 1;
            if (BatchNorm)
            {
                model.Add(new Dense(Hidden[i], null, Initializer, useBias: false, name: $"hidden{k}", kernelRegularizer: Regularizer, kernelConstraint: MaxNorm));
                model.Add(new BatchNorm(BatchNormMomentum, name: $"bn{k}"));
                model.Add(new ActivationLayer(Activation, name: $"act{k}"));
            }
            else
            {
                model.Add(new Dense(Hidden[i], Activation, Initializer, name: $"hidden{k}", kernelRegularizer: Regularizer, kernelConstraint: MaxNorm));
            }
            if (Dropout > 0) model.Add(new Dropout(Dropout, name: $"dropout{k}"));
        }
        model.Add(new Dense(outputs, null, Initializer.GlorotUniform, name: "output", kernelRegularizer: Regularizer, kernelConstraint: MaxNorm));
        return model;
    }
}
