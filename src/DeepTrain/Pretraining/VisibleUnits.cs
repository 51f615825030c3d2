namespace DeepTrain.Pretraining;

/// <summary>The kind of an RBM's visible units (its hidden units are always binary, logistic).</summary>
public enum VisibleUnits
{
    /// <summary>
    /// Binary units: p(vᵢ = 1 | h) = σ(bᵢ + Σⱼ Wᵢⱼ hⱼ). For data in [0, 1] (pixel intensities are used as
    /// probabilities), and for every RBM above the first in a deep belief net.
    /// </summary>
    Bernoulli,

    /// <summary>
    /// Gaussian units of unit variance: vᵢ | h ~ N(bᵢ + Σⱼ Wᵢⱼ hⱼ, 1). For real-valued data standardized to zero mean
    /// and unit variance per feature (<see cref="Data.Dataset.Standardize"/>); use a smaller learning rate
    /// (0.001 to 0.01) than for binary units.
    /// </summary>
    Gaussian,
}
