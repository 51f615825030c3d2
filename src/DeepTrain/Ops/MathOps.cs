using System.Numerics.Tensors;
using DeepTrain.Autograd;
using DeepTrain.Tensors;

namespace DeepTrain.Ops;

// exp, log, sqrt, pow, and element-wise maximum / minimum.
public static partial class Ops
{
    /// <summary>eˣ.</summary>
    public static Tensor Exp(Tensor x)
    {
        var y = Tensor.Empty(x.Shape);
        TensorPrimitives.Exp(x.Data, y.Data);
        return y.Record<ExpNode>(x);
    }

    private sealed class ExpNode : Node
    {
        public override string OpName => "Exp";
        // dX += dY ⊙ Y
        protected internal override void Backward()
        {
            var g = In0!.EnsureGrad().AsSpan(0, In0.Length);
            TensorPrimitives.FusedMultiplyAdd(Output!.Grad, Output.Data, g, g);
        }
    }

    /// <summary>ln x.</summary>
    public static Tensor Log(Tensor x)
    {
        var y = Tensor.Empty(x.Shape);
        TensorPrimitives.Log(x.Data, y.Data);
        return y.Record<LogNode>(x);
    }

    private sealed class LogNode : Node
    {
        public override string OpName => "Log";
        // dX += dY ⊘ X
        protected internal override void Backward()
        {
            var tmp = Tensor.Empty(In0!.Shape);
            TensorPrimitives.Divide(Output!.Grad, In0.Data, tmp.Data);
            Backprop.Accumulate(In0, tmp.Data);
        }
    }

    /// <summary>√x.</summary>
    public static Tensor Sqrt(Tensor x)
    {
        var y = Tensor.Empty(x.Shape);
        TensorPrimitives.Sqrt(x.Data, y.Data);
        return y.Record<SqrtNode>(x);
    }

    private sealed class SqrtNode : Node
    {
        public override string OpName => "Sqrt";
        // dX += dY ⊘ (2Y)
        protected internal override void Backward()
        {
            var tmp = Tensor.Empty(In0!.Shape);
            TensorPrimitives.Divide(Output!.Grad, Output.Data, tmp.Data);
            var g = In0.EnsureGrad().AsSpan(0, In0.Length);
            TensorPrimitives.MultiplyAdd(tmp.Data, 0.5f, g, g);
        }
    }

    /// <summary>xᵖ for a scalar exponent.</summary>
    public static Tensor Pow(Tensor x, float p)
    {
        var y = Tensor.Empty(x.Shape);
        if (p == 2f) TensorPrimitives.Multiply(x.Data, x.Data, y.Data);
        else TensorPrimitives.Pow(x.Data, p, y.Data);
        y.RecordWith<PowNode>(x, null, null, out var node);
        if (node is not null) node.P = p;
        return y;
    }

    private sealed class PowNode : Node, IOpAttributes
    {
        public float P;
        public float GetAttribute(string name) => name == "p" ? P : throw new ArgumentException($"Pow has no attribute '{name}'");
        public override string OpName => "Pow";
        // dX += dY ⊙ p·x^(p−1)
        protected internal override void Backward()
        {
            var tmp = Tensor.Empty(In0!.Shape);
            if (P == 2f) TensorPrimitives.Multiply(In0.Data, 2f, tmp.Data);
            else
            {
                TensorPrimitives.Pow(In0.Data, P - 1f, tmp.Data);
                TensorPrimitives.Multiply(tmp.Data, P, tmp.Data);
            }
            var g = In0.EnsureGrad().AsSpan(0, In0.Length);
            TensorPrimitives.FusedMultiplyAdd(Output!.Grad, tmp.Data, g, g);
        }
    }

    /// <summary>max(x, s) element-wise (the gradient passes where x ≥ s, as a clamp).</summary>
    public static Tensor Maximum(Tensor x, float s) => ClampScalar(x, s, isMax: true);

    /// <summary>min(x, s) element-wise (the gradient passes where x ≤ s, as a clamp).</summary>
    public static Tensor Minimum(Tensor x, float s) => ClampScalar(x, s, isMax: false);

    private static Tensor ClampScalar(Tensor x, float s, bool isMax)
    {
        var y = Tensor.Empty(x.Shape);
        if (isMax) TensorPrimitives.Max(x.Data, s, y.Data);
        else TensorPrimitives.Min(x.Data, s, y.Data);
        y.RecordWith<ClampScalarNode>(x, null, null, out var node);
        if (node is not null) { node.S = s; node.IsMax = isMax; }
        return y;
    }

    private sealed class ClampScalarNode : Node, IOpAttributes
    {
        public float S;
        public bool IsMax;
        public float GetAttribute(string name) => name == "s" ? S : throw new ArgumentException($"{OpName} has no attribute '{name}'");
        public override string OpName => IsMax ? "Maximum" : "Minimum";
        // dX += dY where x is on the kept side of s
        protected internal override void Backward()
        {
            var g = In0!.EnsureGrad(); var x = In0.Data; var dy = Output!.Grad;
            for (int i = 0; i < x.Length; i++)
                if (IsMax ? x[i] >= S : x[i] <= S) g[i] += dy[i];
        }
    }

    /// <summary>
    /// max(a, b) element-wise, broadcasting a scalar or a row; where a = b the gradient is split evenly, as in
    /// PyTorch. With it a user writes leaky ReLU as <c>Maximum(0.01f * z, z)</c>.
    /// </summary>
    public static Tensor Maximum(Tensor a, Tensor b) => MinMax(a, b, isMax: true);

    /// <summary>min(a, b) element-wise, broadcasting a scalar or a row; ties split the gradient evenly.</summary>
    public static Tensor Minimum(Tensor a, Tensor b) => MinMax(a, b, isMax: false);

    private struct MaxOp : IBinaryOp
    {
        public static void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Max(x, y, d);
        public static void Run(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Max(x, y, d);
        public static void Run(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Max(y, x, d);
    }

    private struct MinOp : IBinaryOp
    {
        public static void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Min(x, y, d);
        public static void Run(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Min(x, y, d);
        public static void Run(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Min(y, x, d);
    }

    private static Tensor MinMax(Tensor a, Tensor b, bool isMax)
    {
        var y = isMax ? BinaryForward<MaxOp>(a, b, "Maximum") : BinaryForward<MinOp>(a, b, "Minimum");
        y.RecordWith<MinMaxNode>(a, b, null, out var node);
        if (node is not null) node.IsMax = isMax;
        return y;
    }

    private sealed class MinMaxNode : Node
    {
        public bool IsMax;
        public override string OpName => IsMax ? "Maximum" : "Minimum";
        // dA += dY where a wins, dB += dY where b wins, half each on ties
        protected internal override void Backward()
        {
            var a = In0!; var b = In1!; var y = Output!;
            int n = y.Length, la = a.Length, lb = b.Length;
            var ad = a.Data; var bd = b.Data; var dy = y.Grad;
            var ga = Tensor.EmptyZeroed(y.Shape); var gb = Tensor.EmptyZeroed(y.Shape);
            var gad = ga.Data; var gbd = gb.Data;
            for (int i = 0; i < n; i++)
            {
                float av = ad[la == n ? i : (la == 1 ? 0 : i % la)];
                float bv = bd[lb == n ? i : (lb == 1 ? 0 : i % lb)];
                if (av == bv) { gad[i] = 0.5f * dy[i]; gbd[i] = 0.5f * dy[i]; }
                else if ((av > bv) == IsMax) gad[i] = dy[i];
                else gbd[i] = dy[i];
            }
            if (Needs(a)) BroadcastRules.AccumulateReduced(a, gad);
            if (Needs(b)) BroadcastRules.AccumulateReduced(b, gbd);
        }
    }
}
