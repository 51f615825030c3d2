using System.Numerics.Tensors;

namespace DeepTrain.Optimizers;

/// <summary>How gradients are clipped before an update.</summary>
public enum ClipMode
{
    /// <summary>Each element into [−t, t] (TensorFlow's clip_by_value).</summary>
    Value,
    /// <summary>Each tensor's gradient rescaled so its L2 norm is at most t (clip_by_norm).</summary>
    Norm,
    /// <summary>All gradients rescaled together so their joint L2 norm is at most t (clip_by_global_norm).</summary>
    GlobalNorm,
}

/// <summary>Gradient clipping, applied by the optimizer to the gradients before each update.</summary>
public sealed class GradientClipping
{
    /// <summary>Makes a clipping rule; <paramref name="threshold"/> must be &gt; 0.</summary>
    public GradientClipping(ClipMode mode, float threshold)
    {
        Check.Positive(threshold, $"clip threshold ({mode})");
        Mode = mode;
        Threshold = threshold;
    }

    /// <summary>The clipping rule.</summary>
    public ClipMode Mode { get; }

    /// <summary>The threshold t.</summary>
    public float Threshold { get; }

    /// <summary>The joint L2 norm of the gradients before the last clipping.</summary>
    public float LastGlobalNorm { get; private set; }

    /// <summary>Clips the gradients of <paramref name="parameters"/> in place (those without a gradient are skipped).</summary>
    public void Apply(IReadOnlyList<Tensor> parameters)
    {
        double total = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            if (!p.HasGrad || !p.Trainable) continue;
            var g = p.Grad;
            float n = TensorPrimitives.Norm(g);
            total += (double)n * n;
            switch (Mode)
            {
                case ClipMode.Value: TensorPrimitives.Clamp(g, -Threshold, Threshold, g); break;
                case ClipMode.Norm: if (n > Threshold) TensorPrimitives.Multiply(g, Threshold / n, g); break;
            }
        }
        LastGlobalNorm = (float)Math.Sqrt(total);
        if (Mode == ClipMode.GlobalNorm && LastGlobalNorm > Threshold)
        {
            float s = Threshold / LastGlobalNorm;
            for (int i = 0; i < parameters.Count; i++)
                if (parameters[i] is { HasGrad: true, Trainable: true } p) TensorPrimitives.Multiply(p.Grad, s, p.Grad);
        }
    }
}
