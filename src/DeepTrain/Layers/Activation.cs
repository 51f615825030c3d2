using DeepTrain.Kernels;
using DeepTrain.Tensors;

namespace DeepTrain.Layers;

/// <summary>
/// An activation function: one of the built-ins (which Dense fuses into its own forward and backward) or a
/// user-defined one built from ops, e.g. <c>Activation.Custom("my_leaky", z => Ops.Maximum(0.01f * z, z))</c>.
/// A <c>Func&lt;Tensor, Tensor&gt;</c> converts to an activation implicitly.
/// </summary>
public class Activation
{
    private readonly Func<Tensor, Tensor>? _custom;

    private Activation(string name, ActivationKind kind, float alpha, Func<Tensor, Tensor>? custom)
    {
        Name = name; Kind = kind; Alpha = alpha; _custom = custom;
    }

    /// <summary>The name (<c>elu</c>, <c>leaky_relu</c>, or the user's).</summary>
    public string Name { get; }

    /// <summary>The fused kernel, for built-ins; Identity for custom ones and RReLU.</summary>
    public ActivationKind Kind { get; }

    /// <summary>The slope (leaky ReLU) or α (ELU); for RReLU, the lower bound.</summary>
    public float Alpha { get; }

    /// <summary>RReLU's upper bound (0 otherwise).</summary>
    public float Upper { get; private init; }

    /// <summary>True for a user-defined activation.</summary>
    public bool IsCustom => _custom is not null;

    /// <summary>True for RReLU, whose slope is random in training.</summary>
    public bool IsRandomized { get; private init; }

    /// <summary>True when Dense can fuse this activation into its kernel.</summary>
    public bool IsFusable => !IsCustom && !IsRandomized;

    /// <summary>Applies the activation; <paramref name="training"/> and <paramref name="rng"/> matter only for RReLU.</summary>
    public Tensor Apply(Tensor z, bool training, Rng? rng)
    {
        if (_custom is not null) return _custom(z);
        if (IsRandomized) return Ops.Ops.RRelu(z, Alpha, Upper, training, rng);
        return Kind == ActivationKind.Identity ? z : Ops.Ops.Activate(z, Kind, Alpha);
    }

    /// <summary>The identity (a linear layer).</summary>
    public static Activation Linear { get; } = new("linear", ActivationKind.Identity, 0, null);
    /// <summary>The logistic function.</summary>
    public static Activation Sigmoid { get; } = new("sigmoid", ActivationKind.Sigmoid, 0, null);
    /// <summary>tanh.</summary>
    public static Activation Tanh { get; } = new("tanh", ActivationKind.Tanh, 0, null);
    /// <summary>ReLU.</summary>
    public static Activation Relu { get; } = new("relu", ActivationKind.Relu, 0, null);
    /// <summary>SELU.</summary>
    public static Activation Selu { get; } = new("selu", ActivationKind.Selu, 0, null);
    /// <summary>Softplus.</summary>
    public static Activation Softplus { get; } = new("softplus", ActivationKind.Softplus, 0, null);
    /// <summary>ELU with α (default 1).</summary>
    public static Activation Elu(float alpha = 1f) => new(alpha == 1f ? "elu" : $"elu:{alpha}", ActivationKind.Elu, alpha, null);
    /// <summary>Leaky ReLU with slope α (default 0.01).</summary>
    public static Activation LeakyRelu(float alpha = 0.01f) => new(alpha == 0.01f ? "leaky_relu" : $"leaky_relu:{alpha}", ActivationKind.LeakyRelu, alpha, null);

    /// <summary>RReLU: slope uniform in [lower, upper] per element in training, their mean at inference (defaults as PyTorch: 1/8, 1/3).</summary>
    public static Activation RRelu(float lower = 1f / 8, float upper = 1f / 3)
    {
        if (!(lower >= 0 && lower <= upper)) throw new ArgumentException($"RReLU needs 0 <= lower <= upper: got lower={lower}, upper={upper}");
        return new("rrelu", ActivationKind.Identity, lower, null) { Upper = upper, IsRandomized = true };
    }

    /// <summary>A user-defined activation built from ops.</summary>
    public static Activation Custom(string name, Func<Tensor, Tensor> function) =>
        new(name, ActivationKind.Identity, 0, function ?? throw new ArgumentNullException(nameof(function)));

    /// <summary>Wraps a function of ops as an activation.</summary>
    public static implicit operator Activation(Func<Tensor, Tensor> function) => Custom("custom", function);

    /// <summary>The names <see cref="Parse"/> accepts (a parameter may follow a colon: <c>leaky_relu:0.2</c>, <c>elu:0.5</c>).</summary>
    public static IReadOnlyList<string> Names { get; } = ["linear", "sigmoid", "logistic", "tanh", "relu", "leaky_relu", "elu", "selu", "softplus", "rrelu"];

    /// <summary>An activation by name; an unknown name is an error that lists the valid ones.</summary>
    public static Activation Parse(string spec)
    {
        var parts = spec.Trim().ToLowerInvariant().Split(':', 2);
        float? arg = null;
        if (parts.Length == 2)
        {
            if (!float.TryParse(parts[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var a))
                throw new ArgumentException($"activation '{spec}': '{parts[1]}' is not a number");
            arg = a;
        }
        return parts[0] switch
        {
            "linear" or "identity" or "none" => Linear,
            "sigmoid" or "logistic" => Sigmoid,
            "tanh" => Tanh,
            "relu" => Relu,
            "leaky_relu" or "leakyrelu" => LeakyRelu(arg ?? 0.01f),
            "elu" => Elu(arg ?? 1f),
            "selu" => Selu,
            "softplus" => Softplus,
            "rrelu" => RRelu(),
            _ => throw new ArgumentException($"unknown activation '{spec}'; valid names: {string.Join(", ", Names)}"),
        };
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
