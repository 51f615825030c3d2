using System.Numerics.Tensors;
using DeepTrain.Autograd;
using DeepTrain.Tensors;

namespace DeepTrain.Ops;

/// <summary>
/// Sums per-feature statistics over the replicas of a data-parallel run (each replica holds a slice of the global
/// batch), for synchronized batch normalization. Every replica calls <see cref="Sum"/> at the same points with
/// buffers of the same length.
/// </summary>
public interface ICrossReplicaSum
{
    /// <summary>Replaces <paramref name="values"/> on every replica with the element-wise sum over all replicas.</summary>
    void Sum(Span<float> values);
}

// Batch normalization whose batch is split across replicas: statistics and backward sums are global.
public static partial class Ops
{
    /// <summary>
    /// Training-mode batch normalization of x [n, C] with the statistics of the global batch, whose rows are split
    /// across replicas (x holds this replica's n rows; N = Σn): μ = Σx/N and σ² = Σ(x − μ)²/N, each summed through
    /// <paramref name="replicas"/>; y, the moving averages (unbiased σ² with N) and the backward pass are those of
    /// <see cref="BatchNorm"/> on the whole global batch. With one replica it is <see cref="BatchNorm"/>.
    /// </summary>
    /// <remarks>
    /// Gradients follow the data-parallel convention: each replica's loss is its own mean, and the replicas'
    /// parameter gradients are later combined as Σ (n/N)·g; so the backward sums Σdy and Σdy·x̂ are combined with
    /// the same weights and divided by this replica's n/N, making the later combination exact.
    /// </remarks>
    public static Tensor SyncBatchNorm(Tensor x, Tensor? scale, Tensor? offset, Tensor movingMean, Tensor movingVar, float momentum, float epsilon, ICrossReplicaSum replicas)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        if (x.Shape.Rank != 2) throw new ArgumentException($"BatchNorm needs a batch of shape [N, C]: got {x.Shape}");
        int n = x.Shape[0], c = x.Shape[1];
        if (movingMean.Length != c || movingVar.Length != c) throw new ArgumentException($"BatchNorm: moving statistics of {movingMean.Length} columns for input {x.Shape}");
        var y = Tensor.Empty(x.Shape);
        var xhat = Tensor.Empty(x.Shape);
        var invStd = Tensor.Empty(new Shape(c));
        var xd = x.Data; var xh = xhat.Data; var isd = invStd.Data;

        // pass 1: Σx and the row count, summed over replicas
        var sums = Tensor.EmptyZeroed(new Shape(c + 1)).Data;
        var mean = sums[..c];
        for (int r = 0; r < n; r++) TensorPrimitives.Add(mean, xd.Slice(r * c, c), mean);
        sums[c] = n;
        replicas.Sum(sums);
        float total = sums[c];
        if (total < 2) throw new ArgumentException($"BatchNorm in training mode needs at least 2 rows per global batch to estimate a variance: got {total}");
        TensorPrimitives.Multiply(mean, 1f / total, mean);

        // pass 2: Σ(x − μ)², summed over replicas
        var var_ = Tensor.EmptyZeroed(new Shape(c)).Data;
        for (int r = 0; r < n; r++)
        {
            var row = xh.Slice(r * c, c);
            TensorPrimitives.Subtract(xd.Slice(r * c, c), mean, row);
            TensorPrimitives.FusedMultiplyAdd(row, row, var_, var_);
        }
        replicas.Sum(var_);
        TensorPrimitives.Multiply(var_, 1f / total, var_);
        for (int j = 0; j < c; j++) isd[j] = 1f / MathF.Sqrt(var_[j] + epsilon);
        for (int r = 0; r < n; r++) { var row = xh.Slice(r * c, c); TensorPrimitives.Multiply(row, isd, row); }
        var mm = movingMean.Data; var mv = movingVar.Data;
        float unbias = total / (total - 1);
        for (int j = 0; j < c; j++)
        {
            mm[j] = mm[j] * momentum + mean[j] * (1 - momentum);
            mv[j] = mv[j] * momentum + var_[j] * unbias * (1 - momentum);
        }

        var yd = y.Data;
        for (int r = 0; r < n; r++)
        {
            var src = xh.Slice(r * c, c); var dst = yd.Slice(r * c, c);
            if (scale is not null) TensorPrimitives.Multiply(src, scale.Data, dst); else src.CopyTo(dst);
            if (offset is not null) TensorPrimitives.Add(dst, offset.Data, dst);
        }
        y.RecordWith<SyncBatchNormNode>(x, scale, offset, out var node);
        if (node is not null) { node.XHat = xhat; node.InvStd = invStd; node.Total = total; node.Replicas = replicas; }
        return y;
    }

    private sealed class SyncBatchNormNode : Node
    {
        public Tensor? XHat, InvStd;
        public float Total;
        public ICrossReplicaSum? Replicas;
        public override string OpName => "SyncBatchNorm";

        // As BatchNorm's backward over the global batch of N rows, with w = n/N this replica's share:
        // dβ += Σ dy;  dγ += Σ dy·x̂   (local sums; the gradient exchange weights them by w)
        // S₁ = Σ_replicas w·Σdy,  S₂ = Σ_replicas w·Σ(dy·x̂)
        // dx += γ·s · (dy − (S₁ + x̂·S₂)/(w·N))   (1/w undoes the weighting the gradient exchange applies upstream)
        protected internal override void Backward()
        {
            var x = In0!; var gamma = In1; var beta = In2; var y = Output!;
            int n = x.Shape[0], c = x.Shape[1];
            var dy = y.Grad; var xh = XHat!.Data; var s = InvStd!.Data;
            var sums = Tensor.EmptyZeroed(new Shape(2 * c)).Data;
            var sumDy = sums[..c]; var sumDyXh = sums[c..];
            for (int r = 0; r < n; r++)
            {
                var dyr = dy.Slice(r * c, c);
                TensorPrimitives.Add(sumDy, dyr, sumDy);
                TensorPrimitives.FusedMultiplyAdd(dyr, xh.Slice(r * c, c), sumDyXh, sumDyXh);
            }
            if (Needs(beta)) { var g = beta!.EnsureGrad().AsSpan(0, c); TensorPrimitives.Add(g, sumDy, g); }
            if (Needs(gamma)) { var g = gamma!.EnsureGrad().AsSpan(0, c); TensorPrimitives.Add(g, sumDyXh, g); }
            if (!Needs(x)) return;
            float share = n / Total;
            TensorPrimitives.Multiply(sums, share, sums);
            Replicas!.Sum(sums);
            // (S / w) / N = S / n
            TensorPrimitives.Multiply(sums, 1f / n, sums);
            var k = Tensor.Empty(new Shape(c)).Data; // γ·s (per column)
            if (gamma is not null) TensorPrimitives.Multiply(gamma.Data, s, k); else s.CopyTo(k);
            var gx = x.EnsureGrad().AsSpan(0, x.Length);
            var tmp = Tensor.Empty(new Shape(c)).Data;
            var t2 = Tensor.Empty(new Shape(c)).Data;
            for (int r = 0; r < n; r++)
            {
                TensorPrimitives.Multiply(xh.Slice(r * c, c), sumDyXh, t2);
                TensorPrimitives.Subtract(dy.Slice(r * c, c), sumDy, tmp);
                TensorPrimitives.Subtract(tmp, t2, tmp);
                var gr = gx.Slice(r * c, c);
                TensorPrimitives.FusedMultiplyAdd(tmp, k, gr, gr);
            }
        }

        protected internal override void Clear()
        {
            base.Clear();
            XHat = InvStd = null;
            Replicas = null;
        }
    }
}
