using System.Numerics.Tensors;
using DeepTrain.Autograd;
using DeepTrain.Tensors;

namespace DeepTrain.Ops;

// Softmax and log-softmax along the last axis.
public static partial class Ops
{
    /// <summary>softmax along the last axis: eᶻ / Σ eᶻ, computed stably (shifted by the row maximum).</summary>
    public static Tensor Softmax(Tensor z)
    {
        var y = Tensor.Empty(z.Shape);
        int m = z.Shape.Last;
        for (int r = 0; r < z.Shape.Rows; r++) SoftmaxRow(z.Data.Slice(r * m, m), y.Data.Slice(r * m, m));
        return y.Record<SoftmaxNode>(z);
    }

    internal static void SoftmaxRow(ReadOnlySpan<float> z, Span<float> y)
    {
        float max = TensorPrimitives.Max(z);
        TensorPrimitives.Subtract(z, max, y);
        TensorPrimitives.Exp(y, y);
        TensorPrimitives.Divide(y, TensorPrimitives.Sum(y), y);
    }

    private sealed class SoftmaxNode : Node
    {
        public override string OpName => "Softmax";
        // dZ += Y ⊙ (dY − ⟨dY, Y⟩) per row
        protected internal override void Backward()
        {
            var y = Output!; int m = y.Shape.Last;
            var g = In0!.EnsureGrad();
            Span<float> tmp = m <= 1024 ? stackalloc float[m] : new float[m];
            for (int r = 0; r < y.Shape.Rows; r++)
            {
                var yr = y.Data.Slice(r * m, m); var dyr = y.Grad.Slice(r * m, m); var gr = g.AsSpan(r * m, m);
                float dot = TensorPrimitives.Dot(dyr, yr);
                TensorPrimitives.Subtract(dyr, dot, tmp);
                TensorPrimitives.FusedMultiplyAdd(tmp, yr, gr, gr);
            }
        }
    }

    /// <summary>log-softmax along the last axis: z − log Σ eᶻ, computed stably.</summary>
    public static Tensor LogSoftmax(Tensor z)
    {
        var y = Tensor.Empty(z.Shape);
        int m = z.Shape.Last;
        for (int r = 0; r < z.Shape.Rows; r++) LogSoftmaxRow(z.Data.Slice(r * m, m), y.Data.Slice(r * m, m));
        return y.Record<LogSoftmaxNode>(z);
    }

    internal static void LogSoftmaxRow(ReadOnlySpan<float> z, Span<float> y)
    {
        float max = TensorPrimitives.Max(z);
        TensorPrimitives.Subtract(z, max, y);
        float lse = 0;
        foreach (var v in y) lse += MathF.Exp(v);
        float logSum = MathF.Log(lse);
        TensorPrimitives.Subtract(y, logSum, y);
    }

    private sealed class LogSoftmaxNode : Node
    {
        public override string OpName => "LogSoftmax";
        // dZ += dY − softmax(Z) · Σ dY per row, with softmax(Z) = e^Y
        protected internal override void Backward()
        {
            var y = Output!; int m = y.Shape.Last;
            var g = In0!.EnsureGrad();
            Span<float> tmp = m <= 1024 ? stackalloc float[m] : new float[m];
            for (int r = 0; r < y.Shape.Rows; r++)
            {
                var yr = y.Data.Slice(r * m, m); var dyr = y.Grad.Slice(r * m, m); var gr = g.AsSpan(r * m, m);
                float s = TensorPrimitives.Sum(dyr);
                TensorPrimitives.Exp(yr, tmp);
                TensorPrimitives.Multiply(tmp, -s, tmp);
                TensorPrimitives.Add(tmp, dyr, tmp);
                TensorPrimitives.Add(gr, tmp, gr);
            }
        }
    }
}
