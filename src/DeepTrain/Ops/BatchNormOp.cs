using DeepTrain.Autograd;
using DeepTrain.Kernels;
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
        ReadOnlySpan<float> gamma = scale is null ? default : scale.Data, beta = offset is null ? default : offset.Data;
        if (training)
        {
            var mean = Tensor.Empty(new Shape(c)).Data;
            var var_ = Tensor.Empty(new Shape(c)).Data;
            BatchNormKernels.ForwardTraining(x.Data, n, c, gamma, beta, epsilon, mean, var_, invStd.Data, xhat.Data, y.Data);
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
            BatchNormKernels.ForwardInference(x.Data, n, c, gamma, beta, epsilon, movingMean.Data, movingVar.Data, invStd.Data, xhat.Data, y.Data);
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
        // training:  dx += γ·s/N · (N·dy − Σdy − x̂·Σ(dy·x̂))   (μ and σ² depend on x; = when dx is still zero)
        // inference: dx += γ·s · dy                            (moving statistics are constants)
        protected internal override void Backward()
        {
            var x = In0!; var gamma = In1; var beta = In2; var y = Output!;
            int n = x.Shape[0], c = x.Shape[1];
            Span<float> dGamma = Needs(gamma) ? gamma!.EnsureGrad().AsSpan(0, c) : default;
            Span<float> dBeta = Needs(beta) ? beta!.EnsureGrad().AsSpan(0, c) : default;
            bool accumulate = false;
            Span<float> dx = Needs(x) ? x.GradForWrite(out accumulate).AsSpan(0, x.Length) : default;
            BatchNormKernels.Backward(y.Grad, XHat!.Data, InvStd!.Data, n, c, gamma is null ? default : gamma.Data, Training, dGamma, dBeta, dx, accumulate);
        }

        protected internal override void Clear()
        {
            base.Clear();
            XHat = InvStd = null;
        }
    }
}
