using System.Numerics.Tensors;
using DeepTrain.Autograd;
using DeepTrain.Tensors;

namespace DeepTrain.Ops;

// Batch normalization over the rows of an [N, C] batch, fused forward and backward.
public static partial class Ops
{
    /// <summary>
    /// Batch normalization of x [N, C] per column: in training, with the batch's mean μ and (biased) variance σ²,
    /// y = γ·(x − μ)/√(σ² + ε) + β, and the moving averages are updated as
    /// <c>m ← m·momentum + μ·(1 − momentum)</c>, <c>v ← v·momentum + σ²ᵤ·(1 − momentum)</c> with the unbiased
    /// variance σ²ᵤ = σ²·N/(N−1) (as PyTorch). In inference, the moving averages replace μ and σ².
    /// γ (<paramref name="scale"/>) and β (<paramref name="offset"/>) are optional.
    /// </summary>
    public static Tensor BatchNorm(Tensor x, Tensor? scale, Tensor? offset, Tensor movingMean, Tensor movingVar, bool training, float momentum, float epsilon)
    {
        if (x.Shape.Rank != 2) throw new ArgumentException($"BatchNorm needs a batch of shape [N, C]: got {x.Shape}");
        int n = x.Shape[0], c = x.Shape[1];
        if (movingMean.Length != c || movingVar.Length != c) throw new ArgumentException($"BatchNorm: moving statistics of {movingMean.Length} columns for input {x.Shape}");
        if (training && n < 2) throw new ArgumentException($"BatchNorm in training mode needs at least 2 rows per batch to estimate a variance: got {n}");
        var y = Tensor.Empty(x.Shape);
        var xhat = Tensor.Empty(x.Shape);
        var invStd = Tensor.Empty(new Shape(c));
        var xd = x.Data; var xh = xhat.Data; var isd = invStd.Data;
        if (training)
        {
            var mean = Tensor.EmptyZeroed(new Shape(c)).Data;
            var var_ = Tensor.EmptyZeroed(new Shape(c)).Data;
            for (int r = 0; r < n; r++) TensorPrimitives.Add(mean, xd.Slice(r * c, c), mean);
            TensorPrimitives.Multiply(mean, 1f / n, mean);
            for (int r = 0; r < n; r++)
            {
                var row = xh.Slice(r * c, c);
                TensorPrimitives.Subtract(xd.Slice(r * c, c), mean, row);
                TensorPrimitives.FusedMultiplyAdd(row, row, var_, var_);
            }
            TensorPrimitives.Multiply(var_, 1f / n, var_);
            for (int j = 0; j < c; j++) isd[j] = 1f / MathF.Sqrt(var_[j] + epsilon);
            for (int r = 0; r < n; r++) { var row = xh.Slice(r * c, c); TensorPrimitives.Multiply(row, isd, row); }
            // moving averages: m ← m·momentum + batch·(1 − momentum)
            var mm = movingMean.Data; var mv = movingVar.Data;
            float unbias = (float)n / (n - 1);
            for (int j = 0; j < c; j++)
            {
                mm[j] = mm[j] * momentum + mean[j] * (1 - momentum);
                mv[j] = mv[j] * momentum + var_[j] * unbias * (1 - momentum);
            }
        }
        else
        {
            var mm = movingMean.Data; var mv = movingVar.Data;
            for (int j = 0; j < c; j++) isd[j] = 1f / MathF.Sqrt(mv[j] + epsilon);
            for (int r = 0; r < n; r++)
            {
                var row = xh.Slice(r * c, c);
                TensorPrimitives.Subtract(xd.Slice(r * c, c), mm, row);
                TensorPrimitives.Multiply(row, isd, row);
            }
        }
        var yd = y.Data;
        for (int r = 0; r < n; r++)
        {
            var src = xh.Slice(r * c, c); var dst = yd.Slice(r * c, c);
            if (scale is not null) TensorPrimitives.Multiply(src, scale.Data, dst); else src.CopyTo(dst);
            if (offset is not null) TensorPrimitives.Add(dst, offset.Data, dst);
        }
        y.RecordWith<BatchNormNode>(x, scale, offset, out var node);
        if (node is not null) { node.XHat = xhat; node.InvStd = invStd; node.Training = training; }
        return y;
    }

    private sealed class BatchNormNode : Node
    {
        public Tensor? XHat, InvStd;
        public bool Training;
        public override string OpName => "BatchNorm";

        // x̂ = (x − μ)·s with s = 1/√(σ² + ε); y = γ·x̂ + β. Per column, over N rows:
        // dβ += Σ dy;  dγ += Σ dy·x̂;
        // training:  dx += γ·s/N · (N·dy − Σdy − x̂·Σ(dy·x̂))   (μ and σ² depend on x)
        // inference: dx += γ·s · dy                            (moving statistics are constants)
        protected internal override void Backward()
        {
            var x = In0!; var gamma = In1; var beta = In2; var y = Output!;
            int n = x.Shape[0], c = x.Shape[1];
            var dy = y.Grad; var xh = XHat!.Data; var s = InvStd!.Data;
            var sumDy = Tensor.EmptyZeroed(new Shape(c)).Data;
            var sumDyXh = Tensor.EmptyZeroed(new Shape(c)).Data;
            for (int r = 0; r < n; r++)
            {
                var dyr = dy.Slice(r * c, c);
                TensorPrimitives.Add(sumDy, dyr, sumDy);
                TensorPrimitives.FusedMultiplyAdd(dyr, xh.Slice(r * c, c), sumDyXh, sumDyXh);
            }
            if (Needs(beta)) { var g = beta!.EnsureGrad().AsSpan(0, c); TensorPrimitives.Add(g, sumDy, g); }
            if (Needs(gamma)) { var g = gamma!.EnsureGrad().AsSpan(0, c); TensorPrimitives.Add(g, sumDyXh, g); }
            if (!Needs(x)) return;
            var k = Tensor.Empty(new Shape(c)).Data; // γ·s (per column)
            if (gamma is not null) TensorPrimitives.Multiply(gamma.Data, s, k); else s.CopyTo(k);
            var gx = x.EnsureGrad().AsSpan(0, x.Length);
            var tmp = Tensor.Empty(new Shape(c)).Data;
            if (Training)
            {
                float invN = 1f / n;
                TensorPrimitives.Multiply(sumDy, invN, sumDy);
                TensorPrimitives.Multiply(sumDyXh, invN, sumDyXh);
                var t2 = Tensor.Empty(new Shape(c)).Data;
                for (int r = 0; r < n; r++)
                {
                    // gx += k ⊙ (dy − mean(dy) − x̂ ⊙ mean(dy·x̂))
                    TensorPrimitives.Multiply(xh.Slice(r * c, c), sumDyXh, t2);
                    TensorPrimitives.Subtract(dy.Slice(r * c, c), sumDy, tmp);
                    TensorPrimitives.Subtract(tmp, t2, tmp);
                    var gr = gx.Slice(r * c, c);
                    TensorPrimitives.FusedMultiplyAdd(tmp, k, gr, gr);
                }
            }
            else
            {
                for (int r = 0; r < n; r++)
                {
                    var gr = gx.Slice(r * c, c);
                    TensorPrimitives.FusedMultiplyAdd(dy.Slice(r * c, c), k, gr, gr);
                }
            }
        }

        protected internal override void Clear()
        {
            base.Clear();
            XHat = InvStd = null;
        }
    }
}
