using System.Numerics.Tensors;

namespace DeepTrain.Regularization;

/// <summary>
/// The max-norm constraint (Srebro et al.; Keras's <c>max_norm</c>): after each update, every unit's incoming
/// weight vector (a column of a Dense weight [inputs, units]) is rescaled so its L2 norm is at most
/// <see cref="MaxValue"/>.
/// </summary>
public sealed class MaxNorm
{
    /// <summary>Makes the constraint; <paramref name="maxValue"/> must be &gt; 0.</summary>
    public MaxNorm(float maxValue)
    {
        if (!(maxValue > 0) || !float.IsFinite(maxValue)) throw new ArgumentException($"max-norm must be a finite number > 0: got {maxValue}");
        MaxValue = maxValue;
    }

    /// <summary>The largest norm allowed.</summary>
    public float MaxValue { get; }

    /// <summary>Rescales the columns of <paramref name="weight"/> [inputs, units] in place.</summary>
    public void Apply(Tensor weight)
    {
        int rows = weight.Shape.Rows, cols = weight.Shape.Last;
        var d = weight.Data;
        Span<float> norms = cols <= 4096 ? stackalloc float[cols] : new float[cols];
        norms.Clear();
        for (int r = 0; r < rows; r++) TensorPrimitives.FusedMultiplyAdd(d.Slice(r * cols, cols), d.Slice(r * cols, cols), norms, norms);
        for (int j = 0; j < cols; j++)
        {
            float n = MathF.Sqrt(norms[j]);
            norms[j] = n > MaxValue ? MaxValue / n : 1f;
        }
        for (int r = 0; r < rows; r++) TensorPrimitives.Multiply(d.Slice(r * cols, cols), norms, d.Slice(r * cols, cols));
    }
}
