using System.Numerics.Tensors;
using DeepTrain.Autograd;
using DeepTrain.Tensors;

namespace DeepTrain.Ops;

/// <summary>
/// The differentiable ops of DeepTrain, one file per op family, each with its backward directly below its
/// forward. This file: add, subtract, multiply, divide (with broadcasting), and the affine map with scalars.
/// </summary>
public static partial class Ops
{
    private static Tensor BinaryForward<TOp>(Tensor a, Tensor b, string name) where TOp : IBinaryOp
    {
        var kind = BroadcastRules.Classify(a.Shape, b.Shape, name);
        var c = Tensor.Empty(kind is Broadcast.ScalarA or Broadcast.RowA ? b.Shape : a.Shape);
        BinaryDriver.Apply<TOp>(kind, a.Data, b.Data, c.Data);
        return c;
    }

    /// <summary>a + b, broadcasting a scalar or a row.</summary>
    public static Tensor Add(Tensor a, Tensor b) => BinaryForward<AddOp>(a, b, "Add").Record<AddNode>(a, b);

    private struct AddOp : IBinaryOp
    {
        public static void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Add(x, y, d);
        public static void Run(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Add(x, y, d);
        public static void Run(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Add(y, x, d);
    }

    private sealed class AddNode : Node
    {
        public override string OpName => "Add";
        // dA += dC, dB += dC (summed over broadcast rows)
        protected internal override void Backward()
        {
            var dc = Output!.Grad;
            if (Needs(In0)) BroadcastRules.AccumulateReduced(In0!, dc);
            if (Needs(In1)) BroadcastRules.AccumulateReduced(In1!, dc);
        }
    }

    /// <summary>a − b, broadcasting a scalar or a row.</summary>
    public static Tensor Sub(Tensor a, Tensor b) => BinaryForward<SubOp>(a, b, "Sub").Record<SubNode>(a, b);

    private struct SubOp : IBinaryOp
    {
        public static void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);
        public static void Run(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);
        public static void Run(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);
    }

    private sealed class SubNode : Node
    {
        public override string OpName => "Sub";
        // dA += dC, dB −= dC
        protected internal override void Backward()
        {
            var dc = Output!.Grad;
            if (Needs(In0)) BroadcastRules.AccumulateReduced(In0!, dc);
            if (Needs(In1)) BroadcastRules.AccumulateReduced(In1!, dc, -1f);
        }
    }

    /// <summary>a ⊙ b (element-wise), broadcasting a scalar or a row.</summary>
    public static Tensor Mul(Tensor a, Tensor b) => BinaryForward<MulOp>(a, b, "Mul").Record<MulNode>(a, b);

    private struct MulOp : IBinaryOp
    {
        public static void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Multiply(x, y, d);
        public static void Run(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Multiply(x, y, d);
        public static void Run(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Multiply(y, x, d);
    }

    private sealed class MulNode : Node
    {
        public override string OpName => "Mul";
        // dA += dC ⊙ B, dB += dC ⊙ A (each summed over broadcast rows)
        protected internal override void Backward()
        {
            var c = Output!;
            var kind = BroadcastRules.Classify(In0!.Shape, In1!.Shape, "Mul");
            var tmp = Tensor.Empty(c.Shape);
            if (Needs(In0))
            {
                BinaryDriver.Apply<MulOp>(kind is Broadcast.ScalarA or Broadcast.RowA ? Broadcast.Same : kind, c.Grad, In1.Data, tmp.Data);
                BroadcastRules.AccumulateReduced(In0, tmp.Data);
            }
            if (Needs(In1))
            {
                BinaryDriver.Apply<MulOp>(kind is Broadcast.ScalarB or Broadcast.RowB ? Broadcast.Same : Swap(kind), c.Grad, In0.Data, tmp.Data);
                BroadcastRules.AccumulateReduced(In1, tmp.Data);
            }
        }
    }

    // dC has the big shape; when the small operand is on the other side, the broadcast flips sides.
    private static Broadcast Swap(Broadcast k) => k switch
    {
        Broadcast.ScalarA => Broadcast.ScalarB,
        Broadcast.RowA => Broadcast.RowB,
        _ => Broadcast.Same,
    };

    /// <summary>a ⊘ b (element-wise), broadcasting a scalar or a row.</summary>
    public static Tensor Div(Tensor a, Tensor b) => BinaryForward<DivOp>(a, b, "Div").Record<DivNode>(a, b);

    private struct DivOp : IBinaryOp
    {
        public static void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Divide(x, y, d);
        public static void Run(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Divide(x, y, d);
        public static void Run(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Divide(x, y, d);
    }

    private sealed class DivNode : Node
    {
        public override string OpName => "Div";
        // C = A / B:  dA += dC / B,  dB += −dC ⊙ C / B
        protected internal override void Backward()
        {
            var c = Output!;
            var kind = BroadcastRules.Classify(In0!.Shape, In1!.Shape, "Div");
            var bSide = kind is Broadcast.ScalarA or Broadcast.RowA ? Broadcast.Same : kind; // how B lines up with dC
            var tmp = Tensor.Empty(c.Shape);
            if (Needs(In0))
            {
                BinaryDriver.Apply<DivOp>(bSide, c.Grad, In1.Data, tmp.Data);
                BroadcastRules.AccumulateReduced(In0, tmp.Data);
            }
            if (Needs(In1))
            {
                TensorPrimitives.Multiply(c.Grad, c.Data, tmp.Data);
                BinaryDriver.Apply<DivOp>(bSide, tmp.Data, In1.Data, tmp.Data);
                BroadcastRules.AccumulateReduced(In1, tmp.Data, -1f);
            }
        }
    }

    /// <summary>alpha·x + beta, element-wise (the scalar forms of +, −, × and negation).</summary>
    public static Tensor Affine(Tensor x, float alpha, float beta)
    {
        var y = Tensor.Empty(x.Shape);
        TensorPrimitives.Multiply(x.Data, alpha, y.Data);
        if (beta != 0f) TensorPrimitives.Add(y.Data, beta, y.Data);
        y.RecordWith<AffineNode>(x, null, null, out var node);
        if (node is not null) { node.Alpha = alpha; node.Beta = beta; }
        return y;
    }

    private sealed class AffineNode : Node, IOpAttributes
    {
        public float Alpha, Beta;
        public float GetAttribute(string name) => name switch { "alpha" => Alpha, "beta" => Beta, _ => throw new ArgumentException($"Affine has no attribute '{name}'") };
        public override string OpName => "Affine";
        // dX += alpha · dY
        protected internal override void Backward()
        {
            var g = In0!.EnsureGrad().AsSpan(0, In0.Length);
            TensorPrimitives.MultiplyAdd(Output!.Grad, Alpha, g, g);
        }
    }

    /// <summary>−x.</summary>
    public static Tensor Neg(Tensor x) => Affine(x, -1f, 0f);
}
