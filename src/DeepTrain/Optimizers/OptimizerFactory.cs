namespace DeepTrain.Optimizers;

/// <summary>Makes optimizers by name (for the command line and configuration files).</summary>
public static class OptimizerFactory
{
    private static readonly string[] s_names = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "nadam", "adamax"];

    /// <summary>The valid names: sgd, momentum (SGD with μ = 0.9), nesterov (SGD with Nesterov μ = 0.9), adagrad,
    /// rmsprop, adam, adamw, nadam, adamax.</summary>
    public static IReadOnlyList<string> Names => s_names;

    /// <summary>
    /// Makes the optimizer called <paramref name="name"/> (case-insensitive) over <paramref name="parameters"/>.
    /// Throws <see cref="ArgumentException"/> for an unknown name (listing the valid ones), for an option the
    /// optimizer does not use, and for an invalid value.
    /// </summary>
    public static Optimizer Create(string name, IEnumerable<Tensor> parameters, OptimizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(parameters);
        var o = options ?? new OptimizerOptions();
        string key = name.Trim().ToLowerInvariant();
        switch (key)
        {
            case "sgd":
            case "momentum":
            case "nesterov":
                Reject(key, o, beta1: true, beta2: true, epsilon: true, rho: true, centered: true, amsGrad: true);
                float mu = o.Momentum ?? (key == "sgd" ? 0f : 0.9f);
                return new Sgd(parameters, o.LearningRate ?? 0.01f, mu, nesterov: key == "nesterov", o.WeightDecay ?? 0f);
            case "adagrad":
                Reject(key, o, momentum: true, beta1: true, beta2: true, rho: true, centered: true, amsGrad: true);
                return new AdaGrad(parameters, o.LearningRate ?? 0.01f, epsilon: o.Epsilon ?? 1e-10f, weightDecay: o.WeightDecay ?? 0f);
            case "rmsprop":
                Reject(key, o, beta1: true, beta2: true, amsGrad: true);
                return new RmsProp(parameters, o.LearningRate ?? 0.001f, o.Rho ?? 0.99f, o.Epsilon ?? 1e-8f, o.Momentum ?? 0f, o.Centered, o.WeightDecay ?? 0f);
            case "adam":
                Reject(key, o, momentum: true, rho: true, centered: true);
                return new Adam(parameters, o.LearningRate ?? 0.001f, o.Beta1 ?? 0.9f, o.Beta2 ?? 0.999f, o.Epsilon ?? 1e-8f, o.WeightDecay ?? 0f, o.AmsGrad);
            case "adamw":
                Reject(key, o, momentum: true, rho: true, centered: true);
                return new AdamW(parameters, o.LearningRate ?? 0.001f, o.Beta1 ?? 0.9f, o.Beta2 ?? 0.999f, o.Epsilon ?? 1e-8f, o.WeightDecay ?? 0.01f, o.AmsGrad);
            case "nadam":
                Reject(key, o, momentum: true, rho: true, centered: true, amsGrad: true);
                return new Nadam(parameters, o.LearningRate ?? 0.001f, o.Beta1 ?? 0.9f, o.Beta2 ?? 0.999f, o.Epsilon ?? 1e-8f, o.WeightDecay ?? 0f);
            case "adamax":
                Reject(key, o, momentum: true, rho: true, centered: true, amsGrad: true);
                return new AdaMax(parameters, o.LearningRate ?? 0.002f, o.Beta1 ?? 0.9f, o.Beta2 ?? 0.999f, o.Epsilon ?? 1e-8f, o.WeightDecay ?? 0f);
            default:
                throw new ArgumentException($"unknown optimizer '{name}': valid names are {string.Join(", ", s_names)}", nameof(name));
        }
    }

    // An accepted option is honoured: one that the optimizer has no use for is refused rather than ignored.
    private static void Reject(string key, OptimizerOptions o, bool momentum = false, bool beta1 = false, bool beta2 = false,
        bool epsilon = false, bool rho = false, bool centered = false, bool amsGrad = false)
    {
        string? bad = momentum && o.Momentum is not null ? "momentum"
            : beta1 && o.Beta1 is not null ? "beta1"
            : beta2 && o.Beta2 is not null ? "beta2"
            : epsilon && o.Epsilon is not null ? "epsilon"
            : rho && o.Rho is not null ? "rho"
            : centered && o.Centered ? "centered"
            : amsGrad && o.AmsGrad ? "amsgrad"
            : null;
        if (bad is not null) throw new ArgumentException($"option {bad} does not apply to optimizer '{key}'");
    }
}
