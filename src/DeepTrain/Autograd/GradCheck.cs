using DeepTrain.Tensors;

namespace DeepTrain.Autograd;

/// <summary>The outcome of a <see cref="GradCheck"/>: the worst mismatch and where it was.</summary>
/// <param name="Passed">True when every gradient element matched within the tolerances.</param>
/// <param name="MaxError">The largest |analytic − numeric| − rtol·|numeric| over all elements (≤ atol when passed).</param>
/// <param name="Detail">A description of the worst element.</param>
public sealed record GradCheckResult(bool Passed, double MaxError, string Detail);

/// <summary>
/// Compares the backward pass of a function with central finite differences. The function's output is reduced
/// to a scalar by a fixed random weighting, evaluated in double precision, so every output element is checked.
/// </summary>
public static class GradCheck
{
    /// <summary>
    /// Checks d f / d input for every input with <see cref="Tensor.RequiresGrad"/> set. Perturbs each element by
    /// ±<paramref name="eps"/> and requires |analytic − numeric| ≤ <paramref name="atol"/> + <paramref name="rtol"/>·|numeric|.
    /// </summary>
    public static GradCheckResult Check(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-3, double atol = 1e-3, double rtol = 1e-2, ulong seed = 7)
    {
        foreach (var t in inputs) t.ZeroGrad();
        var y0 = f(inputs);
        var weights = Tensor.Uniform(y0.Shape, -1f, 1f, new Rng(seed));
        var loss = Ops.Ops.Sum(Ops.Ops.Mul(y0, weights));
        loss.Backward();

        double worst = double.NegativeInfinity;
        string detail = "no input requires a gradient";
        bool passed = true;
        for (int ti = 0; ti < inputs.Length; ti++)
        {
            var x = inputs[ti];
            if (!x.RequiresGrad) continue;
            var analytic = x.HasGrad ? x.Grad.ToArray() : new float[x.Length];
            var data = x.Data;
            for (int i = 0; i < data.Length; i++)
            {
                float orig = data[i];
                data[i] = (float)(orig + eps);
                double plus = Weighted(f, inputs, weights);
                data[i] = (float)(orig - eps);
                double minus = Weighted(f, inputs, weights);
                data[i] = orig;
                // the perturbation actually applied in float
                double h = ((double)(float)(orig + eps) - (float)(orig - eps));
                double numeric = (plus - minus) / h;
                double err = Math.Abs(analytic[i] - numeric) - rtol * Math.Abs(numeric);
                if (err > worst)
                {
                    worst = err;
                    detail = $"input {ti} {x.Shape} element {i}: analytic {analytic[i]:G6}, numeric {numeric:G6}";
                }
                if (err > atol) passed = false;
            }
        }
        return new GradCheckResult(passed, worst, detail);
    }

    private static double Weighted(Func<Tensor[], Tensor> f, Tensor[] inputs, Tensor weights)
    {
        using var _ = GradMode.NoGrad();
        var y = f(inputs).Data;
        var w = weights.Data;
        double s = 0;
        for (int i = 0; i < y.Length; i++) s += (double)y[i] * w[i];
        return s;
    }
}
