using System.Text.Json.Nodes;
using DeepTrain.Init;

namespace DeepTrain.Checkpoints;

/// <summary>
/// Writes an initializer as its preset name (<c>he_normal</c>, <c>zeros</c>) when <see cref="Initializer.Parse"/>
/// gives it back, else as an object: <c>{"class":"variance_scaling","scale":2,"mode":"fan_in","distribution":"uniform"}</c>,
/// <c>{"class":"constant","value":0.1}</c> or <c>{"class":"normal","mean":0,"std":0.05}</c>.
/// </summary>
internal static class InitializerCodec
{
    public static JsonNode ToJson(Initializer init, string layer, string source)
    {
        if (Preset(init.Name) is { } p && Same(p, init)) return JsonValue.Create(init.Name);
        return init switch
        {
            VarianceScaling v => new JsonObject
            {
                ["class"] = "variance_scaling", ["name"] = v.Name, ["scale"] = v.Scale,
                ["mode"] = v.Mode.ToString(), ["distribution"] = v.Distribution.ToString(),
            },
            Constant c => new JsonObject { ["class"] = "constant", ["name"] = c.Name, ["value"] = c.Value },
            RandomNormalInitializer r => new JsonObject { ["class"] = "normal", ["mean"] = r.Mean, ["std"] = r.Std },
            _ => throw new ModelFileException(source, $"layer '{layer}' uses the initializer {init.GetType().Name} ('{init.Name}'), which a model file cannot describe; use a built-in initializer"),
        };
    }

    public static Initializer FromJson(JsonNode? node, string layer, string source)
    {
        try
        {
            if (node is JsonValue v && v.TryGetValue<string>(out var name)) return Initializer.Parse(name);
            if (node is JsonObject o)
            {
                string cls = Json.String(o, "class", layer, source);
                return cls switch
                {
                    "variance_scaling" => new VarianceScaling(Json.Float(o, "scale", layer, source),
                        Enum.Parse<FanMode>(Json.String(o, "mode", layer, source)), Enum.Parse<Distribution>(Json.String(o, "distribution", layer, source)),
                        o["name"] is JsonValue n && n.TryGetValue<string>(out var nm) ? nm : null),
                    "constant" => new Constant(Json.Float(o, "value", layer, source), o["name"] is JsonValue n2 && n2.TryGetValue<string>(out var nm2) ? nm2 : null),
                    "normal" => Initializer.RandomNormal(Json.Float(o, "mean", layer, source), Json.Float(o, "std", layer, source)),
                    _ => throw new ArgumentException($"unknown initializer class '{cls}' (known: variance_scaling, constant, normal)"),
                };
            }
            throw new ArgumentException($"an initializer must be a name or an object: got {node?.ToJsonString() ?? "null"}");
        }
        catch (ArgumentException ex)
        {
            throw new ModelFileException(source, $"layer '{layer}': {ex.Message}", ex);
        }
    }

    private static Initializer? Preset(string name)
    {
        try { return Initializer.Parse(name); }
        catch (ArgumentException) { return null; }
    }

    private static bool Same(Initializer a, Initializer b) => (a, b) switch
    {
        (VarianceScaling x, VarianceScaling y) => x.Scale == y.Scale && x.Mode == y.Mode && x.Distribution == y.Distribution,
        (Constant x, Constant y) => x.Value == y.Value,
        (RandomNormalInitializer x, RandomNormalInitializer y) => x.Mean == y.Mean && x.Std == y.Std,
        _ => false,
    };
}
