namespace DeepTrain.Diagnostics;

/// <summary>
/// One layer's figures at one recorded step. A "layer" is a Dense and the modules after it up to the next Dense
/// (its BatchNorm, activation, dropout): activations are the group's output, weight figures are the Dense's.
/// </summary>
public sealed record LayerStats
{
    /// <summary>The Dense layer's name (<c>hidden3</c>).</summary>
    public required string Layer { get; init; }
    /// <summary>Its depth (1 = the lowest).</summary>
    public required int Depth { get; init; }
    /// <summary>The activation at the group's output (<c>sigmoid</c>, <c>elu</c>, <c>linear</c> ...).</summary>
    public required string Activation { get; init; }
    /// <summary>The optimizer step recorded (0 = before any update).</summary>
    public required long Step { get; init; }
    /// <summary>Mean of the activations.</summary>
    public double ActivationMean { get; init; }
    /// <summary>Standard deviation of the activations.</summary>
    public double ActivationStd { get; init; }
    /// <summary>Fraction of activations within 1e-2 of a logistic/tanh asymptote (0 for other activations).</summary>
    public double SaturatedFraction { get; init; }
    /// <summary>Fraction of units whose output is exactly 0 for every example of the batch.</summary>
    public double DeadFraction { get; init; }
    /// <summary>L2 norm of the gradient with respect to the weights.</summary>
    public double WeightGradNorm { get; init; }
    /// <summary>Standard deviation of the gradient with respect to the weights.</summary>
    public double WeightGradStd { get; init; }
    /// <summary>L2 norm of the gradient with respect to the layer's output.</summary>
    public double OutputGradNorm { get; init; }
    /// <summary>Root mean square of the gradient with respect to the layer's output (the "gradient size" compared across depth).</summary>
    public double OutputGradRms { get; init; }
    /// <summary>Standard deviation of the gradient with respect to the layer's output.</summary>
    public double OutputGradStd { get; init; }
    /// <summary>‖Δw‖ / ‖w‖ of the update that followed (NaN when no update was recorded).</summary>
    public double UpdateRatio { get; init; } = double.NaN;
    /// <summary>The output activations (a copy) when the recorder keeps them for histograms, else null.</summary>
    public float[]? Activations { get; init; }
}
