using System.Text.Json.Nodes;
using DeepTrain.Layers;

namespace DeepTrain.Checkpoints;

/// <summary>
/// What a model file says about a <see cref="Sequential"/> model, enough to make it again: its input width, its
/// initialization seed, its name, each layer's configuration, and which parameters were frozen. Stored as JSON in
/// the <c>architecture</c> metadata entry:
/// <c>{"kind":"Sequential","name":"","input_features":784,"seed":42,"layers":[{"kind":"Dense","name":"hidden1","config":{...}}],"frozen":[]}</c>.
/// </summary>
public sealed class ModelArchitecture
{
    /// <summary>Makes an architecture.</summary>
    public ModelArchitecture(int inputFeatures, ulong seed, string name, IReadOnlyList<LayerConfig> layers, IReadOnlyList<string> frozen)
    {
        InputFeatures = inputFeatures; Seed = seed; Name = name; Layers = layers; Frozen = frozen;
    }

    /// <summary>The number of input features.</summary>
    public int InputFeatures { get; }

    /// <summary>The initialization seed of the model.</summary>
    public ulong Seed { get; }

    /// <summary>The model's own name (usually empty; a non-empty one prefixes every parameter name).</summary>
    public string Name { get; }

    /// <summary>The layers, bottom to top.</summary>
    public IReadOnlyList<LayerConfig> Layers { get; }

    /// <summary>The full names of the parameters that were frozen when the model was saved.</summary>
    public IReadOnlyList<string> Frozen { get; }

    private string Prefix => Name.Length == 0 ? "" : Name + ".";

    /// <summary>Describes <paramref name="model"/>; <paramref name="source"/> names the file for errors.</summary>
    public static ModelArchitecture Describe(Sequential model, string source) =>
        new(model.InputFeatures, model.Seed, model.Name,
            model.Layers.Select(l => LayerConfig.Describe(l, source)).ToArray(),
            model.NamedParameters().Where(p => !p.Value.Trainable).Select(p => p.Name).ToArray());

    /// <summary>The architecture as compact JSON.</summary>
    public string ToJson()
    {
        var layers = new JsonArray();
        foreach (var l in Layers)
            layers.Add(new JsonObject { ["kind"] = l.Kind, ["name"] = l.Name, ["config"] = l.Config.DeepClone() });
        var frozen = new JsonArray();
        foreach (var f in Frozen) frozen.Add(f);
        return new JsonObject
        {
            ["kind"] = "Sequential", ["name"] = Name, ["input_features"] = InputFeatures, ["seed"] = Seed,
            ["layers"] = layers, ["frozen"] = frozen,
        }.ToJsonString();
    }

    /// <summary>Reads an architecture written by <see cref="ToJson"/>.</summary>
    /// <exception cref="ModelFileException">The JSON is invalid or incomplete.</exception>
    public static ModelArchitecture Parse(string json, string source)
    {
        var o = Json.ParseObject(json, "architecture", source);
        const string where = "architecture";
        string kind = Json.String(o, "kind", where, source);
        if (kind != "Sequential")
            throw new ModelFileException(source, $"the architecture is a '{kind}'; this DeepTrain rebuilds only Sequential models");
        int inputs = Json.Int(o, "input_features", where, source);
        if (inputs <= 0) throw new ModelFileException(source, $"the architecture's input_features must be > 0: got {inputs}");
        var layers = new List<LayerConfig>();
        int i = 0;
        foreach (var node in Json.Array(o, "layers", where, source))
        {
            i++;
            if (node is not JsonObject lo) throw new ModelFileException(source, $"layer {i} of the architecture is not an object");
            string lw = $"layer {i} of the architecture";
            layers.Add(new LayerConfig(Json.String(lo, "kind", lw, source), Json.String(lo, "name", lw, source), Json.Object(lo, "config", lw, source)));
        }
        var frozen = new List<string>();
        if (o["frozen"] is JsonArray fa)
            foreach (var f in fa)
                frozen.Add(f is JsonValue v && v.TryGetValue<string>(out var s) ? s
                    : throw new ModelFileException(source, "the architecture's \"frozen\" list holds something other than names"));
        return new ModelArchitecture(inputs, Json.ULong(o, "seed", where, source), o["name"] is JsonValue nv && nv.TryGetValue<string>(out var n) ? n : "", layers, frozen);
    }

    /// <summary>
    /// Every parameter and buffer the model will have, by full name, with its shape, computed from the
    /// configuration alone (so a file's tensors can be checked before anything is allocated).
    /// </summary>
    public IReadOnlyList<(string Name, long[] Shape)> ExpectedTensors(string source)
    {
        var all = new List<(string, long[])>();
        int features = InputFeatures;
        foreach (var l in Layers)
            foreach (var (n, s) in l.ExpectedTensors(features, out features, source)) all.Add((Prefix + l.Name + "." + n, s));
        return all;
    }

    /// <summary>Makes the model with freshly initialized weights and the saved frozen flags.</summary>
    /// <param name="customActivations">Gives the activation for a user-defined activation's name, or null.</param>
    /// <param name="source">The file, for error messages.</param>
    public Sequential Build(Func<string, Activation?>? customActivations, string source)
    {
        Sequential model;
        try
        {
            model = new Sequential(InputFeatures, Seed, Name.Length == 0 ? null : Name);
            foreach (var l in Layers) model.Add(l.Create(customActivations, source));
        }
        catch (ArgumentException ex)
        {
            throw new ModelFileException(source, $"the architecture cannot be built: {ex.Message}", ex);
        }
        var byName = model.NamedParameters().ToDictionary(p => p.Name, p => p.Value);
        foreach (var f in Frozen)
        {
            if (!byName.TryGetValue(f, out var t))
                throw new ModelFileException(source, $"the architecture lists '{f}' as frozen, but the model has no such parameter");
            Freezing.SetFrozen(t, frozen: true);
        }
        return model;
    }
}
