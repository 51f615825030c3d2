using System.Text.Json.Nodes;
using DeepTrain.Layers;
using DeepTrain.Regularization;

namespace DeepTrain.Checkpoints;

/// <summary>
/// One layer of a model's architecture as stored in a model file: its kind (<c>Dense</c>, <c>BatchNorm</c>,
/// <c>Dropout</c>, <c>Activation</c>, <c>PReLU</c>, <c>StopGradient</c>), its name, and its configuration as a JSON
/// object (see docs/model-format.md for the keys of each kind). Enough to make the layer again without the code
/// that made it.
/// </summary>
public sealed class LayerConfig
{
    /// <summary>Makes a configuration.</summary>
    public LayerConfig(string kind, string name, JsonObject config)
    {
        Kind = kind; Name = name; Config = config;
    }

    /// <summary>The layer's kind.</summary>
    public string Kind { get; }

    /// <summary>The layer's name (the first part of its parameters' names).</summary>
    public string Name { get; }

    /// <summary>The configuration.</summary>
    public JsonObject Config { get; }

    /// <summary>The kinds a model file can describe.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["Dense", "BatchNorm", "Dropout", "Activation", "PReLU", "StopGradient"];

    /// <summary>The configuration of <paramref name="layer"/>; <paramref name="source"/> names the file for errors.</summary>
    /// <exception cref="ModelFileException">The layer is of a kind, or uses an initializer, a file cannot describe.</exception>
    public static LayerConfig Describe(Module layer, string source)
    {
        JsonObject c = layer switch
        {
            Dense d => new JsonObject
            {
                ["units"] = d.Units,
                ["activation"] = ActivationCodec.ToSpec(d.Activation),
                ["use_bias"] = d.UseBias,
                ["kernel_initializer"] = InitializerCodec.ToJson(d.KernelInitializer, d.Name, source),
                ["bias_initializer"] = InitializerCodec.ToJson(d.BiasInitializer, d.Name, source),
                ["kernel_regularizer"] = d.KernelRegularizer is { } r ? new JsonObject { ["l1"] = r.L1, ["l2"] = r.L2 } : null,
                ["kernel_constraint"] = d.KernelConstraint is { } m ? new JsonObject { ["max_norm"] = m.MaxValue } : null,
            },
            BatchNorm b => new JsonObject { ["momentum"] = b.Momentum, ["epsilon"] = b.Epsilon, ["center"] = b.Center, ["scale"] = b.Scale },
            Dropout dr => new JsonObject { ["rate"] = dr.Rate },
            ActivationLayer a => new JsonObject { ["activation"] = ActivationCodec.ToSpec(a.Activation) },
            PReLU p => new JsonObject { ["initial_slope"] = p.InitialSlope, ["shared"] = p.Shared },
            StopGradient => new JsonObject(),
            _ => throw new ModelFileException(source, $"layer '{layer.Name}' is a {layer.GetType().Name}, which a model file cannot describe (it can: {string.Join(", ", Kinds)})"),
        };
        // Round-trip through text so that every value reads back the same way as one loaded from a file.
        return new LayerConfig(layer.Kind, layer.Name, (JsonObject)JsonNode.Parse(c.ToJsonString())!);
    }

    /// <summary>Makes a new, unbuilt layer from this configuration.</summary>
    /// <param name="customActivations">Gives the activation for a user-defined activation's name, or null.</param>
    /// <param name="source">The file, for error messages.</param>
    /// <exception cref="ModelFileException">The configuration is invalid or names an unknown kind.</exception>
    public Module Create(Func<string, Activation?>? customActivations, string source)
    {
        string where = $"layer '{Name}' ({Kind})";
        try
        {
            return Kind switch
            {
                "Dense" => new Dense(Json.Int(Config, "units", where, source),
                    ActivationCodec.FromSpec(Json.String(Config, "activation", where, source), customActivations, Name, source),
                    InitializerCodec.FromJson(Config["kernel_initializer"], Name, source),
                    InitializerCodec.FromJson(Config["bias_initializer"], Name, source),
                    Json.Bool(Config, "use_bias", where, source), Name,
                    Config["kernel_regularizer"] is JsonObject r ? new Regularizer(Json.Float(r, "l1", where, source), Json.Float(r, "l2", where, source)) : null,
                    Config["kernel_constraint"] is JsonObject m ? new MaxNorm(Json.Float(m, "max_norm", where, source)) : null),
                "BatchNorm" => new BatchNorm(Json.Float(Config, "momentum", where, source), Json.Float(Config, "epsilon", where, source),
                    Json.Bool(Config, "center", where, source), Json.Bool(Config, "scale", where, source), Name),
                "Dropout" => new Dropout(Json.Float(Config, "rate", where, source), Name),
                "Activation" => new ActivationLayer(ActivationCodec.FromSpec(Json.String(Config, "activation", where, source), customActivations, Name, source), Name),
                "PReLU" => new PReLU(Json.Float(Config, "initial_slope", where, source), Json.Bool(Config, "shared", where, source), Name),
                "StopGradient" => new StopGradient(Name),
                _ => throw new ModelFileException(source, $"{where}: unknown layer kind '{Kind}' (known: {string.Join(", ", Kinds)}); the file may come from a newer DeepTrain"),
            };
        }
        catch (ArgumentException ex)
        {
            throw new ModelFileException(source, $"{where}: invalid configuration ({ex.Message})", ex);
        }
    }

    /// <summary>
    /// The parameters and buffers (short names and shapes) the layer will have for inputs of
    /// <paramref name="inputFeatures"/> features, and its output width, computed without building anything.
    /// </summary>
    internal IReadOnlyList<(string Name, long[] Shape)> ExpectedTensors(int inputFeatures, out int outputFeatures, string source)
    {
        string where = $"layer '{Name}' ({Kind})";
        outputFeatures = inputFeatures;
        switch (Kind)
        {
            case "Dense":
                int units = Json.Int(Config, "units", where, source);
                if (units <= 0) throw new ModelFileException(source, $"{where}: units must be > 0: got {units}");
                outputFeatures = units;
                return Json.Bool(Config, "use_bias", where, source)
                    ? [("weight", [inputFeatures, units]), ("bias", [units])]
                    : [("weight", [inputFeatures, units])];
            case "BatchNorm":
                var list = new List<(string, long[])>();
                if (Json.Bool(Config, "scale", where, source)) list.Add(("gamma", [inputFeatures]));
                if (Json.Bool(Config, "center", where, source)) list.Add(("beta", [inputFeatures]));
                list.Add(("running_mean", [inputFeatures]));
                list.Add(("running_var", [inputFeatures]));
                return list;
            case "PReLU":
                return [("alpha", [Json.Bool(Config, "shared", where, source) ? 1 : inputFeatures])];
            default:
                return [];
        }
    }

    /// <summary>A one-line description (<c>Dense hidden1: {"units":300,...}</c>).</summary>
    public override string ToString() => $"{Kind} {Name}: {Config.ToJsonString()}";
}
