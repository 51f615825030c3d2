using DeepTrain.Autograd;
using DeepTrain.Tensors;

namespace DeepTrain.Regularization;

/// <summary>
/// An L1/L2 weight penalty added to the loss (Keras's <c>kernel_regularizer</c>): l1·Σ|w| + l2·Σw².
/// Note Keras's L2 has no ½, so its gradient is 2·l2·w; PyTorch's <c>weight_decay</c> λ equals l2 = λ/2.
/// </summary>
public sealed class Regularizer
{
    /// <summary>Makes a penalty; both factors must be ≥ 0.</summary>
    public Regularizer(float l1 = 0f, float l2 = 0f)
    {
        if (!(l1 >= 0) || !float.IsFinite(l1)) throw new ArgumentException($"l1 must be a finite number >= 0: got {l1}");
        if (!(l2 >= 0) || !float.IsFinite(l2)) throw new ArgumentException($"l2 must be a finite number >= 0: got {l2}");
        L1 = l1; L2 = l2;
    }

    /// <summary>The L1 factor.</summary>
    public float L1 { get; }
    /// <summary>The L2 factor.</summary>
    public float L2 { get; }

    /// <summary>An L1 penalty.</summary>
    public static Regularizer OfL1(float l1) => new(l1, 0f);
    /// <summary>An L2 penalty.</summary>
    public static Regularizer OfL2(float l2) => new(0f, l2);

    /// <summary>The penalty of <paramref name="w"/> as a differentiable scalar.</summary>
    public Tensor Penalty(Tensor w)
    {
        double s = 0;
        foreach (var v in w.Data) s += L1 * Math.Abs(v) + L2 * (double)v * v;
        var y = Tensor.Empty(Shape.Scalar);
        y.RawData[0] = (float)s;
        y.RecordWith<PenaltyNode>(w, null, null, out var node);
        if (node is not null) { node.L1 = L1; node.L2 = L2; }
        return y;
    }

    private sealed class PenaltyNode : Node
    {
        public float L1, L2;
        public override string OpName => "Penalty";
        // dW += dP · (l1·sign(w) + 2·l2·w)
        protected internal override void Backward()
        {
            var w = In0!; var g = w.EnsureGrad(); var d = w.Data;
            float dp = Output!.Grad[0];
            for (int i = 0; i < d.Length; i++) g[i] += dp * (L1 * MathF.Sign(d[i]) + 2 * L2 * d[i]);
        }
    }
}
