namespace DeepTrain.Optimizers;

/// <summary>
/// Settings for <see cref="OptimizerFactory.Create"/>. A null (or false) setting means the optimizer's default; a
/// setting that the named optimizer has no use for is an error, never silently ignored.
/// </summary>
public sealed class OptimizerOptions
{
    /// <summary>The learning rate η; null for the optimizer's default (sgd, momentum, nesterov, adagrad: 0.01;
    /// rmsprop, adam, adamw, nadam: 0.001; adamax: 0.002).</summary>
    public float? LearningRate { get; set; }

    /// <summary>Momentum μ (sgd, momentum, nesterov, rmsprop); momentum and nesterov default to 0.9.</summary>
    public float? Momentum { get; set; }

    /// <summary>β1 (adam, adamw, nadam, adamax); default 0.9.</summary>
    public float? Beta1 { get; set; }

    /// <summary>β2 (adam, adamw, nadam, adamax); default 0.999.</summary>
    public float? Beta2 { get; set; }

    /// <summary>ε (adagrad, rmsprop, adam, adamw, nadam, adamax).</summary>
    public float? Epsilon { get; set; }

    /// <summary>ρ, RMSProp's decay of the mean square; default 0.99.</summary>
    public float? Rho { get; set; }

    /// <summary>Weight decay λ (every optimizer; decoupled for adamw, whose default is 0.01; L2 for the others,
    /// default 0).</summary>
    public float? WeightDecay { get; set; }

    /// <summary>Centered RMSProp (rmsprop only).</summary>
    public bool Centered { get; set; }

    /// <summary>AMSGrad (adam, adamw only).</summary>
    public bool AmsGrad { get; set; }
}
