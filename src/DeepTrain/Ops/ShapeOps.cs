using DeepTrain.Autograd;
using DeepTrain.Tensors;

namespace DeepTrain.Ops;

// Reshape (a view) and 2-D transpose (a copy).
public static partial class Ops
{
    /// <summary>The same elements seen with another shape of equal size; shares storage (a view). One dimension may be −1.</summary>
    public static Tensor Reshape(Tensor x, params ReadOnlySpan<int> dims)
    {
        Span<int> d = stackalloc int[dims.Length];
        dims.CopyTo(d);
        int infer = -1, known = 1;
        for (int i = 0; i < d.Length; i++)
        {
            if (d[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException("Reshape: at most one dimension may be -1");
                infer = i;
            }
            else known *= d[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || x.Length % known != 0) throw new ArgumentException($"Reshape: cannot infer the -1 dimension to reshape {x.Shape} into {string.Join(", ", dims.ToArray())}");
            d[infer] = x.Length / known;
        }
        var shape = new Shape(d);
        if (shape.Size != x.Length) throw new ArgumentException($"Reshape: shape {x.Shape} ({x.Length} elements) cannot become {shape} ({shape.Size} elements)");
        return x.View(shape).Record<ReshapeNode>(x);
    }

    private sealed class ReshapeNode : Node
    {
        public override string OpName => "Reshape";
        // dX += dY (same elements, other shape)
        protected internal override void Backward() => Backprop.Accumulate(In0!, Output!.Grad);
    }

    /// <summary>The transpose of a matrix (a copy).</summary>
    public static Tensor Transpose(Tensor x)
    {
        if (x.Shape.Rank != 2) throw new ArgumentException($"Transpose needs a matrix: shape is {x.Shape}");
        int r = x.Shape[0], c = x.Shape[1];
        var y = Tensor.Empty(new Shape(c, r));
        TransposeInto(x.Data, r, c, y.Data, accumulate: false);
        return y.Record<TransposeNode>(x);
    }

    // dst (c × r) = src (r × c)ᵀ, in cache-sized blocks
    private static void TransposeInto(ReadOnlySpan<float> src, int r, int c, Span<float> dst, bool accumulate)
    {
        const int B = 32;
        for (int i0 = 0; i0 < r; i0 += B)
            for (int j0 = 0; j0 < c; j0 += B)
                for (int i = i0; i < Math.Min(r, i0 + B); i++)
                    for (int j = j0; j < Math.Min(c, j0 + B); j++)
                    {
                        if (accumulate) dst[j * r + i] += src[i * c + j];
                        else dst[j * r + i] = src[i * c + j];
                    }
    }

    private sealed class TransposeNode : Node
    {
        public override string OpName => "Transpose";
        // dX += dYᵀ
        protected internal override void Backward()
        {
            var y = Output!;
            var g = In0!.GradForWrite(out bool accumulate);
            TransposeInto(y.Grad, y.Shape[0], y.Shape[1], g, accumulate);
        }
    }
}
