using System.Numerics.Tensors;
using DeepTrain.Autograd;
using DeepTrain.Tensors;

namespace DeepTrain.Ops;

// Fused, numerically stable losses; each returns the mean over the batch as a scalar tensor.
public static partial class Ops
{
    /// <summary>
    /// Sparse softmax cross-entropy from logits: mean over rows of −log softmax(z)[label], fused with its
    /// gradient (softmax − one-hot) / N and stable for logits of any size.
    /// </summary>
    public static Tensor SoftmaxCrossEntropy(Tensor logits, ReadOnlySpan<int> labels)
    {
        if (logits.Shape.Rank != 2) throw new ArgumentException($"SoftmaxCrossEntropy needs logits of shape [batch, classes]: got {logits.Shape}");
        int n = logits.Shape[0], c = logits.Shape[1];
        if (labels.Length != n) throw new ArgumentException($"SoftmaxCrossEntropy: {labels.Length} labels for a batch of {n}");
        var probs = Tensor.Empty(logits.Shape);
        double total = 0;
        for (int r = 0; r < n; r++)
        {
            int label = labels[r];
            if ((uint)label >= (uint)c) throw new ArgumentException($"SoftmaxCrossEntropy: label {label} at row {r} is outside [0, {c})");
            var pr = probs.Data.Slice(r * c, c);
            LogSoftmaxRow(logits.Data.Slice(r * c, c), pr); // pr = log-probabilities
            total -= pr[label];
            TensorPrimitives.Exp(pr, pr);
        }
        var loss = Tensor.Empty(Shape.Scalar);
        loss.RawData[0] = (float)(total / n);
        loss.RecordWith<SoftmaxCrossEntropyNode>(logits, null, probs, out var node);
        if (node is not null) node.SetLabels(labels);
        return loss;
    }

    private sealed class SoftmaxCrossEntropyNode : Node
    {
        private int[] _labels = [];
        private int _count;
        public void SetLabels(ReadOnlySpan<int> labels)
        {
            if (_labels.Length < labels.Length) _labels = new int[labels.Length];
            labels.CopyTo(_labels);
            _count = labels.Length;
        }

        public override string OpName => "SoftmaxCrossEntropy";
        // dZ[r, j] += dL · (p[r, j] − [j = label_r]) / N
        protected internal override void Backward()
        {
            var z = In0!; var p = In2!;
            int c = z.Shape[1];
            float s = Output!.Grad[0] / _count;
            var g = z.GradForWrite(out bool accumulate).AsSpan(0, z.Length);
            if (accumulate) TensorPrimitives.MultiplyAdd(p.Data, s, g, g);
            else TensorPrimitives.Multiply(p.Data, s, g);
            for (int r = 0; r < _count; r++) g[r * c + _labels[r]] -= s;
        }
    }

    /// <summary>Mean squared error: mean of (prediction − target)² over all elements.</summary>
    public static Tensor MeanSquaredError(Tensor prediction, Tensor target)
    {
        if (prediction.Shape != target.Shape) throw new ArgumentException($"MeanSquaredError: prediction shape {prediction.Shape} differs from target shape {target.Shape}");
        var diff = Tensor.Empty(prediction.Shape);
        TensorPrimitives.Subtract(prediction.Data, target.Data, diff.Data);
        var loss = Tensor.Empty(Shape.Scalar);
        loss.RawData[0] = prediction.Length == 0 ? float.NaN : TensorPrimitives.Dot(diff.Data, diff.Data) / prediction.Length;
        return loss.Record<MseNode>(prediction, target, diff);
    }

    private sealed class MseNode : Node
    {
        public override string OpName => "MeanSquaredError";
        // dP += dL · 2(P − T)/N;  dT −= the same
        protected internal override void Backward()
        {
            var d = In2!.Data;
            float s = 2f * Output!.Grad[0] / d.Length;
            if (Needs(In0)) { var g = In0!.EnsureGrad().AsSpan(0, d.Length); TensorPrimitives.MultiplyAdd(d, s, g, g); }
            if (Needs(In1)) { var g = In1!.EnsureGrad().AsSpan(0, d.Length); TensorPrimitives.MultiplyAdd(d, -s, g, g); }
        }
    }

    /// <summary>
    /// Binary cross-entropy from logits: mean of max(z, 0) − z·t + ln(1 + e^−|z|) over all elements, for targets
    /// t in [0, 1]; stable for logits of any size.
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor target)
    {
        if (logits.Shape != target.Shape) throw new ArgumentException($"BinaryCrossEntropyWithLogits: logits shape {logits.Shape} differs from target shape {target.Shape}");
        var zd = logits.Data; var td = target.Data;
        double total = 0;
        for (int i = 0; i < zd.Length; i++)
        {
            float z = zd[i];
            total += MathF.Max(z, 0f) - z * td[i] + MathF.Log(1f + MathF.Exp(-MathF.Abs(z)));
        }
        var loss = Tensor.Empty(Shape.Scalar);
        loss.RawData[0] = (float)(total / zd.Length);
        return loss.Record<BceNode>(logits, target);
    }

    private sealed class BceNode : Node
    {
        public override string OpName => "BinaryCrossEntropyWithLogits";
        // dZ += dL · (σ(z) − t)/N;  dT += dL · (−z)/N
        protected internal override void Backward()
        {
            var z = In0!; var t = In1!;
            float s = Output!.Grad[0] / z.Length;
            var zd = z.Data; var td = t.Data;
            if (Needs(z))
            {
                var g = z.EnsureGrad();
                for (int i = 0; i < zd.Length; i++) g[i] += s * (1f / (1f + MathF.Exp(-zd[i])) - td[i]);
            }
            if (Needs(t))
            {
                var g = t.EnsureGrad();
                for (int i = 0; i < zd.Length; i++) g[i] -= s * zd[i];
            }
        }
    }
}
