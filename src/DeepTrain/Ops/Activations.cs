using System.Numerics.Tensors;
using DeepTrain.Autograd;
using DeepTrain.Kernels;
using DeepTrain.Tensors;

namespace DeepTrain.Ops;

// The activation functions as ops: the fused kernels of Kernels/ActivationKernels, plus RReLU and PReLU.
public static partial class Ops
{
    /// <summary>Applies one of the kernel activations element-wise.</summary>
    public static Tensor Activate(Tensor z, ActivationKind kind, float alpha = 0f)
    {
        var y = Tensor.Empty(z.Shape);
        ActivationKernels.Forward(kind, alpha, z.Data, y.Data);
        y.RecordWith<ActivationNode>(z, null, null, out var node);
        if (node is not null) { node.Kind = kind; node.Alpha = alpha; }
        return y;
    }

    private sealed class ActivationNode : Node, IOpAttributes
    {
        public ActivationKind Kind;
        public float Alpha;
        public float GetAttribute(string name) => name == "alpha" ? Alpha : throw new ArgumentException($"{OpName} has no attribute '{name}'");
        public override string OpName => Kind.ToString();
        // dZ += dY ⊙ f′(Z)
        protected internal override void Backward()
        {
            var dx = In0!.GradForWrite(out bool accumulate);
            ActivationKernels.Backward(Kind, Alpha, In0.Data, Output!.Data, Output.Grad, dx.AsSpan(0, In0.Length), accumulate);
        }
    }

    /// <summary>max(0, z).</summary>
    public static Tensor Relu(Tensor z) => Activate(z, ActivationKind.Relu);

    /// <summary>The logistic function 1 / (1 + e⁻ᶻ).</summary>
    public static Tensor Sigmoid(Tensor z) => Activate(z, ActivationKind.Sigmoid);

    /// <summary>tanh(z).</summary>
    public static Tensor Tanh(Tensor z) => Activate(z, ActivationKind.Tanh);

    /// <summary>Leaky ReLU: z for z &gt; 0, <paramref name="alpha"/>·z otherwise.</summary>
    public static Tensor LeakyRelu(Tensor z, float alpha = 0.01f) => Activate(z, ActivationKind.LeakyRelu, alpha);

    /// <summary>ELU: z for z &gt; 0, α(eᶻ − 1) otherwise.</summary>
    public static Tensor Elu(Tensor z, float alpha = 1f) => Activate(z, ActivationKind.Elu, alpha);

    /// <summary>SELU: λ·ELU with α ≈ 1.6733 and λ ≈ 1.0507.</summary>
    public static Tensor Selu(Tensor z) => Activate(z, ActivationKind.Selu);

    /// <summary>Softplus: ln(1 + eᶻ).</summary>
    public static Tensor Softplus(Tensor z) => Activate(z, ActivationKind.Softplus);

    /// <summary>
    /// Randomized leaky ReLU (Xu et al. 2015): in training each negative element gets its own slope drawn uniformly
    /// from [<paramref name="lower"/>, <paramref name="upper"/>]; at inference the slope is their mean.
    /// </summary>
    public static Tensor RRelu(Tensor z, float lower, float upper, bool training, Rng? rng)
    {
        if (!(lower >= 0 && lower <= upper)) throw new ArgumentException($"RReLU needs 0 <= lower <= upper: got lower={lower}, upper={upper}");
        if (!training) return LeakyRelu(z, (lower + upper) / 2f);
        if (rng is null) throw new ArgumentException("RReLU in training mode needs a random generator");
        var y = Tensor.Empty(z.Shape);
        var slopes = Tensor.Empty(z.Shape);
        var zd = z.Data; var yd = y.Data; var sd = slopes.Data;
        for (int i = 0; i < zd.Length; i++)
        {
            float a = zd[i] > 0 ? 1f : lower + (upper - lower) * rng.NextFloat();
            sd[i] = a;
            yd[i] = a * zd[i];
        }
        return y.Record<RReluNode>(z, null, slopes);
    }

    private sealed class RReluNode : Node
    {
        public override string OpName => "RRelu";
        // dZ += dY ⊙ slope (slope = 1 where z > 0, the drawn one elsewhere; saved as In2)
        protected internal override void Backward()
        {
            var g = In0!.GradForWrite(out bool accumulate).AsSpan(0, In0.Length);
            if (accumulate) TensorPrimitives.FusedMultiplyAdd(Output!.Grad, In2!.Data, g, g);
            else TensorPrimitives.Multiply(Output!.Grad, In2!.Data, g);
        }
    }

    /// <summary>
    /// Parametric ReLU (He et al. 2015): z for z &gt; 0, a·z otherwise, with a learned slope <paramref name="alpha"/>:
    /// one per unit (shape = the last dimension of z) or one shared (a single element).
    /// </summary>
    public static Tensor PRelu(Tensor z, Tensor alpha)
    {
        int m = z.Shape.Last;
        if (alpha.Length != 1 && alpha.Length != m)
            throw new ArgumentException($"PRelu: the slope must have 1 or {m} elements (the last dimension of z, shape {z.Shape}): got shape {alpha.Shape}");
        var y = Tensor.Empty(z.Shape);
        var zd = z.Data; var yd = y.Data; var ad = alpha.Data;
        bool shared = alpha.Length == 1;
        for (int i = 0; i < zd.Length; i++)
        {
            float a = ad[shared ? 0 : i % m];
            yd[i] = zd[i] > 0 ? zd[i] : a * zd[i];
        }
        return y.Record<PReluNode>(z, alpha);
    }

    private sealed class PReluNode : Node
    {
        public override string OpName => "PRelu";
        // dZ += dY ⊙ (z > 0 ? 1 : a);  dA += Σ dY ⊙ z over the elements with z ≤ 0 (per unit or all)
        protected internal override void Backward()
        {
            var z = In0!; var a = In1!;
            var dy = Output!.Grad; var zd = z.Data; var ad = a.Data;
            int m = z.Shape.Last;
            bool shared = a.Length == 1;
            if (Needs(z))
            {
                var g = z.EnsureGrad();
                for (int i = 0; i < zd.Length; i++) g[i] += zd[i] > 0 ? dy[i] : ad[shared ? 0 : i % m] * dy[i];
            }
            if (Needs(a))
            {
                var g = a.EnsureGrad();
                for (int i = 0; i < zd.Length; i++) if (zd[i] <= 0) g[shared ? 0 : i % m] += dy[i] * zd[i];
            }
        }
    }
}
