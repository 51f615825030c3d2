using System.Globalization;

namespace DeepTrain.Diagnostics;

/// <summary>One plain-language finding about a layer, with the remedies that apply.</summary>
/// <param name="Layer">The layer concerned.</param>
/// <param name="Problem">What is wrong (<c>gradient 3e-05 x the top layer's: vanishing</c>).</param>
/// <param name="Remedies">What usually fixes it.</param>
public sealed record Finding(string Layer, string Problem, string Remedies);

/// <summary>
/// Turns one step's <see cref="LayerStats"/> into findings. The thresholds are named constants: a hidden layer's
/// output-gradient size (RMS) below <see cref="VanishingRatio"/> times the top hidden layer's is vanishing, above
/// <see cref="ExplodingRatio"/> times exploding; more than <see cref="DeadThreshold"/> of units dead, or of
/// activations saturated (<see cref="SaturatedThreshold"/>), is reported too.
/// </summary>
public static class Verdict
{
    /// <summary>Gradient size relative to the top hidden layer below which a layer's gradient is vanishing.</summary>
    public const double VanishingRatio = 1e-2;
    /// <summary>Gradient size relative to the top hidden layer above which a layer's gradient is exploding.</summary>
    public const double ExplodingRatio = 1e2;
    /// <summary>Fraction of dead units above which a layer is reported.</summary>
    public const double DeadThreshold = 0.5;
    /// <summary>Fraction of saturated activations above which a layer is reported.</summary>
    public const double SaturatedThreshold = 0.5;

    /// <summary>The findings for one step's figures (bottom layer first); empty when every layer is healthy.</summary>
    public static IReadOnlyList<Finding> Assess(IReadOnlyList<LayerStats> step)
    {
        var findings = new List<Finding>();
        var hidden = step.Take(Math.Max(1, step.Count - 1)).ToList(); // the output layer is the reference's top
        var top = hidden[^1].OutputGradRms;
        foreach (var s in hidden)
        {
            if (!double.IsFinite(s.ActivationStd) || !double.IsFinite(s.OutputGradRms))
            {
                findings.Add(new(s.Layer, "non-finite activations or gradients: the network has diverged",
                    "a lower learning rate, gradient clipping, He/Glorot initialization, BatchNorm"));
                continue;
            }
            if (top > 0 && s != hidden[^1])
            {
                double ratio = s.OutputGradRms / top;
                if (ratio < VanishingRatio)
                    findings.Add(new(s.Layer, $"gradient {ratio.ToString("G2", CultureInfo.InvariantCulture)} x the top layer's: vanishing",
                        "He or Glorot initialization, a nonsaturating activation (ELU, leaky ReLU, SELU), BatchNorm"));
                else if (ratio > ExplodingRatio)
                    findings.Add(new(s.Layer, $"gradient {ratio.ToString("G2", CultureInfo.InvariantCulture)} x the top layer's: exploding",
                        "gradient clipping, a lower learning rate, He/Glorot initialization, BatchNorm"));
            }
            if (s.DeadFraction > DeadThreshold)
                findings.Add(new(s.Layer, $"{s.DeadFraction:P0} dead units".Replace(" %", "%"),
                    "leaky ReLU, ELU or SELU instead of ReLU, a lower learning rate, He initialization"));
            if (s.SaturatedFraction > SaturatedThreshold)
                findings.Add(new(s.Layer, $"{s.SaturatedFraction:P0} saturated".Replace(" %", "%"),
                    "Glorot initialization for logistic/tanh, or a nonsaturating activation, BatchNorm"));
        }
        return findings;
    }

    /// <summary>The findings as lines, or one line saying every layer is healthy.</summary>
    public static IEnumerable<string> Lines(IReadOnlyList<LayerStats> step)
    {
        var findings = Assess(step);
        if (findings.Count == 0) { yield return "all layers healthy: gradient sizes within two orders of magnitude, no dead or saturated layer"; yield break; }
        foreach (var f in findings) yield return $"{f.Layer}: {f.Problem} (try: {f.Remedies})";
    }
}
