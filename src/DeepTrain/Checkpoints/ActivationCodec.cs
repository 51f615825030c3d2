using System.Globalization;
using DeepTrain.Kernels;
using DeepTrain.Layers;

namespace DeepTrain.Checkpoints;

/// <summary>
/// Writes an activation as a spec string that <see cref="Activation.Parse"/> (or, for RReLU bounds and custom
/// activations, this codec) turns back into the same activation: <c>relu</c>, <c>elu:0.5</c>,
/// <c>leaky_relu:0.2</c>, <c>rrelu:0.1:0.3</c>, <c>custom:NAME</c>.
/// </summary>
internal static class ActivationCodec
{
    internal const string CustomPrefix = "custom:";

    private static string F(float v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The spec of <paramref name="a"/>; a custom activation is stored by name only.</summary>
    public static string ToSpec(Activation a)
    {
        if (a.IsCustom) return CustomPrefix + a.Name;
        if (a.IsRandomized)
            return a.Alpha == 1f / 8 && a.Upper == 1f / 3 ? "rrelu" : $"rrelu:{F(a.Alpha)}:{F(a.Upper)}";
        string spec = a.Kind switch
        {
            ActivationKind.Elu => a.Alpha == 1f ? "elu" : "elu:" + F(a.Alpha),
            ActivationKind.LeakyRelu => a.Alpha == 0.01f ? "leaky_relu" : "leaky_relu:" + F(a.Alpha),
            _ => a.Name,
        };
        var back = Activation.Parse(spec);
        if (back.Kind != a.Kind || back.Alpha != a.Alpha)
            throw new InvalidOperationException($"activation '{a.Name}' does not round-trip through its spec '{spec}'");
        return spec;
    }

    /// <summary>The activation of <paramref name="spec"/>; custom ones come from <paramref name="resolver"/>.</summary>
    public static Activation FromSpec(string spec, Func<string, Activation?>? resolver, string layer, string source)
    {
        if (spec.StartsWith(CustomPrefix, StringComparison.Ordinal))
        {
            string name = spec[CustomPrefix.Length..];
            return resolver?.Invoke(name) ?? throw new ModelFileException(source,
                $"layer '{layer}' uses the user-defined activation '{name}', whose code a file cannot hold: pass a resolver to " +
                $"ModelFile.Load (customActivations: name => name == \"{name}\" ? Activation.Custom(\"{name}\", ...) : null)");
        }
        try
        {
            var parts = spec.Split(':');
            if (parts.Length == 3 && parts[0] == "rrelu")
                return Activation.RRelu(float.Parse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture),
                                        float.Parse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture));
            return Activation.Parse(spec);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            throw new ModelFileException(source, $"layer '{layer}': activation '{spec}' cannot be rebuilt ({ex.Message})", ex);
        }
    }
}
