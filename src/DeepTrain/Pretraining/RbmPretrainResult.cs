using DeepTrain.Layers;
using DeepTrain.Training;

namespace DeepTrain.Pretraining;

/// <summary>
/// The result of <see cref="RbmPretrainer"/>: the logistic Dense stack initialized from the RBMs, each RBM's
/// history and the RBMs themselves (a deep belief net), whose mean-field passes reconstruct.
/// </summary>
public sealed class RbmPretrainResult : PretrainResult
{
    internal RbmPretrainResult(Sequential encoder, IReadOnlyList<History> layers, IReadOnlyList<Rbm> rbms)
        : base(encoder, layers) => Rbms = rbms;

    /// <summary>The trained RBMs, bottom to top.</summary>
    public IReadOnlyList<Rbm> Rbms { get; }

    /// <summary>
    /// The mean-field reconstruction through the stack: up with p(h | v) through every RBM, then down with E[v | h]
    /// through every RBM in reverse.
    /// </summary>
    public override float[] Reconstruct(ReadOnlySpan<float> inputs, int rows)
    {
        int features = Rbms[0].Visible;
        if (rows < 0 || inputs.Length != rows * features) throw new ArgumentException($"{inputs.Length} values are not {rows} rows of {features} features");
        float[] x = inputs.ToArray();
        foreach (var rbm in Rbms)
        {
            var h = new float[rows * rbm.Hidden];
            rbm.HiddenProbabilities(x, rows, h);
            x = h;
        }
        for (int i = Rbms.Count - 1; i >= 0; i--)
        {
            var v = new float[rows * Rbms[i].Visible];
            Rbms[i].VisibleMeans(x, rows, v);
            x = v;
        }
        return x;
    }
}
