using DeepTrain.Init;
using DeepTrain.Regularization;
using DeepTrain.Tensors;

namespace DeepTrain.Layers;

/// <summary>
/// A fully connected layer: y = f(x·W + b), with W of shape [inputs, units] (named <c>weight</c>) and b of shape
/// [units] (named <c>bias</c>). Built-in activations are fused into the product's forward and backward.
/// </summary>
public sealed class Dense : Module
{
    /// <summary>Makes the layer (its weights are created when a container builds it).</summary>
    /// <param name="units">The number of outputs.</param>
    /// <param name="activation">f; null means linear.</param>
    /// <param name="kernelInitializer">W's initializer; default Glorot uniform (as Keras).</param>
    /// <param name="biasInitializer">b's initializer; default zeros.</param>
    /// <param name="useBias">Whether the layer has a bias (turn off below BatchNorm).</param>
    /// <param name="name">The layer's name (<c>hidden1</c>); a container names unnamed layers.</param>
    /// <param name="kernelRegularizer">An L1/L2 penalty on W, added to the loss, or null.</param>
    /// <param name="kernelConstraint">A constraint on W applied after each update (max-norm), or null.</param>
    public Dense(int units, Activation? activation = null, Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
                 bool useBias = true, string? name = null, Regularizer? kernelRegularizer = null, MaxNorm? kernelConstraint = null) : base(name)
    {
        if (units <= 0) throw new ArgumentException($"units must be > 0: got {units}");
        Units = units;
        Activation = activation ?? Activation.Linear;
        KernelInitializer = kernelInitializer ?? Initializer.GlorotUniform;
        BiasInitializer = biasInitializer ?? Initializer.Zeros;
        UseBias = useBias;
        KernelRegularizer = kernelRegularizer;
        KernelConstraint = kernelConstraint;
    }

    /// <summary>The number of outputs.</summary>
    public int Units { get; }
    /// <summary>The number of inputs (0 until built).</summary>
    public int Inputs { get; private set; }
    /// <summary>The activation.</summary>
    public Activation Activation { get; }
    /// <summary>W's initializer.</summary>
    public Initializer KernelInitializer { get; }
    /// <summary>b's initializer.</summary>
    public Initializer BiasInitializer { get; }
    /// <summary>Whether there is a bias.</summary>
    public bool UseBias { get; }
    /// <summary>The penalty on W, or null.</summary>
    public Regularizer? KernelRegularizer { get; }
    /// <summary>The constraint on W, or null.</summary>
    public MaxNorm? KernelConstraint { get; }
    /// <summary>W, [inputs, units].</summary>
    public Tensor Weight { get; private set; } = null!;
    /// <summary>b, [units], or null without bias.</summary>
    public Tensor? Bias { get; private set; }

    /// <inheritdoc/>
    public override int Build(int inputFeatures, Rng rng)
    {
        if (Inputs != 0) throw new InvalidOperationException($"layer '{Name}' is already built");
        if (inputFeatures <= 0) throw new ArgumentException($"layer '{Name}': input features must be > 0: got {inputFeatures}");
        Inputs = inputFeatures;
        var w = Tensor.Zeros(inputFeatures, Units);
        KernelInitializer.Fill(w, rng);
        Weight = AddParameter("weight", w);
        if (UseBias)
        {
            var b = Tensor.Zeros(Units);
            BiasInitializer.Fill(b, rng);
            Bias = AddParameter("bias", b);
        }
        return Units;
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (Inputs == 0) throw new InvalidOperationException($"layer '{Name}' has not been built: add it to a Sequential with a known input size");
        if (Activation.IsFusable) return Ops.Ops.Dense(input, Weight, Bias, Activation.Kind, Activation.Alpha);
        return Activation.Apply(Ops.Ops.Dense(input, Weight, Bias), IsTraining, Rng);
    }

    /// <inheritdoc/>
    public override string Describe() => $"{Units} units, {Activation.Name}{(UseBias ? "" : ", no bias")}";
}
