using DeepTrain.Autograd;
using DeepTrain.Kernels;
using DeepTrain.Tensors;

namespace DeepTrain.Ops;

// Matrix products: plain MatMul, and the fused dense op (product + bias + activation in one forward and one backward).
public static partial class Ops
{
    /// <summary>The matrix product a·b of an [m, k] and a [k, n] matrix.</summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        if (a.Shape.Rank != 2 || b.Shape.Rank != 2 || a.Shape[1] != b.Shape[0])
            throw new ArgumentException($"MatMul: shapes {a.Shape} and {b.Shape} do not multiply (need [m, k] and [k, n])");
        int m = a.Shape[0], k = a.Shape[1], n = b.Shape[1];
        var c = Tensor.Empty(new Shape(m, n));
        Gemm.Sgemm(false, false, m, n, k, 1f, a.Data, k, b.Data, n, 0f, c.Data, n);
        return c.Record<MatMulNode>(a, b);
    }

    // target.Grad [m, n] += op(A)·op(B), or = when the gradient is zero (no zero-fill first).
    private static void Product(bool transA, bool transB, int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Tensor target)
    {
        var grad = target.GradForWrite(out bool accumulate);
        Gemm.Sgemm(transA, transB, m, n, k, 1f, a, lda, b, ldb, accumulate ? 1f : 0f, grad, n);
    }

    private sealed class MatMulNode : Node
    {
        public override string OpName => "MatMul";
        // C[m,n] = A[m,k]·B[k,n]:  dA[m,k] += dC·Bᵀ,  dB[k,n] += Aᵀ·dC
        protected internal override void Backward()
        {
            var a = In0!; var b = In1!; var c = Output!;
            int m = a.Shape[0], k = a.Shape[1], n = b.Shape[1];
            if (Needs(a)) Product(false, true, m, k, n, c.Grad, n, b.Data, n, a);
            if (Needs(b)) Product(true, false, k, n, m, a.Data, k, c.Grad, n, b);
        }
    }

    /// <summary>
    /// The fused dense op: y = f(x·W + b) for x [batch, in], W [in, out], b [out] (optional), in one pass forward
    /// and one pass backward. <paramref name="kind"/> and <paramref name="alpha"/> choose f.
    /// </summary>
    public static Tensor Dense(Tensor x, Tensor w, Tensor? b, ActivationKind kind = ActivationKind.Identity, float alpha = 0f)
    {
        if (x.Shape.Rank != 2 || w.Shape.Rank != 2 || x.Shape[1] != w.Shape[0])
            throw new ArgumentException($"Dense: input of shape {x.Shape} does not fit a weight of shape {w.Shape} (need [batch, {(w.Shape.Rank == 2 ? w.Shape[0] : -1)}])");
        int m = x.Shape[0], k = x.Shape[1], n = w.Shape[1];
        if (b is not null && b.Length != n) throw new ArgumentException($"Dense: bias of shape {b.Shape} does not fit {n} units");
        var z = Tensor.Empty(new Shape(m, n));
        Gemm.Sgemm(false, false, m, n, k, 1f, x.Data, k, w.Data, n, 0f, z.Data, n);
        if (b is not null)
        {
            // Added after the product, while z is still in cache (filling z with b first would cost a pass over cold memory).
            BiasKernels.AddToRows(z.Data, b.Data, m);
        }
        Tensor y = z;
        if (kind != ActivationKind.Identity)
        {
            y = Tensor.Empty(z.Shape);
            ActivationKernels.Forward(kind, alpha, z.Data, y.Data);
        }
        y.RecordWith<DenseNode>(x, w, b, out var node);
        if (node is not null) { node.Z = z; node.Kind = kind; node.Alpha = alpha; }
        return y;
    }

    private sealed class DenseNode : Node
    {
        public Tensor? Z;
        public ActivationKind Kind;
        public float Alpha;
        public override string OpName => "Dense";

        // Y = f(Z), Z = X·W + b with X [m,k], W [k,n]:
        // dZ = dY ⊙ f′(Z);  dW [k,n] += Xᵀ·dZ;  db [n] += Σ_rows dZ;  dX [m,k] += dZ·Wᵀ
        protected internal override void Backward()
        {
            var x = In0!; var w = In1!; var b = In2; var y = Output!; var z = Z!;
            int m = x.Shape[0], k = x.Shape[1], n = w.Shape[1];
            ReadOnlySpan<float> dz = y.Grad;
            if (Kind != ActivationKind.Identity)
            {
                var tmp = Tensor.Empty(z.Shape);
                ActivationKernels.Backward(Kind, Alpha, z.Data, y.Data, y.Grad, tmp.Data);
                dz = tmp.Data;
            }
            if (Needs(w)) Product(true, false, k, n, m, x.Data, k, dz, n, w);
            if (Needs(b))
            {
                BiasKernels.SumRowsInto(dz, m, b!.EnsureGrad().AsSpan(0, n));
            }
            if (Needs(x)) Product(false, true, m, k, n, dz, n, w.Data, n, x);
        }

        protected internal override void Clear()
        {
            base.Clear();
            Z = null;
        }
    }
}
