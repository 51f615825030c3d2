using System.Globalization;
using System.Text.Json.Nodes;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Training;

namespace DeepTrain.Checkpoints;

/// <summary>
/// Where a fit stands, saved beside the weights so training can resume bit for bit: the optimizer (its kind,
/// hyper-parameters, parameter groups, clipping, step count, current learning rate and state arrays), the number of
/// epochs completed, the fit's seed, the state of the model's random generator (dropout masks), and optionally the
/// history so far.
/// <code>
/// model.Fit(train, valid, options);                       // epochs 0 .. K−1
/// ModelFile.Save("run.safetensors", model, TrainingCheckpoint.Capture(model, options.Optimizer!, K, options.Seed, history));
/// var (model2, training) = ModelFile.LoadWithTraining("run.safetensors");
/// model2.Fit(train, valid, training!.ApplyTo(new FitOptions { Epochs = N, BatchSize = 64 }));  // epochs K .. N−1
/// </code>
/// Resuming gives the same weights as an uninterrupted run with the same seed, batch size, data and thread count.
/// Stateful callbacks (early stopping's patience, the plateau schedule) are not saved.
/// </summary>
public sealed class TrainingCheckpoint
{
    /// <summary>The optimizer to save, or (after loading) the rebuilt optimizer over the loaded model's parameters.</summary>
    public Optimizer? Optimizer { get; init; }

    /// <summary>Epochs completed: the <see cref="FitOptions.InitialEpoch"/> to resume from.</summary>
    public int Epoch { get; init; }

    /// <summary>The fit's seed (<see cref="FitOptions.Seed"/>).</summary>
    public int Seed { get; init; }

    /// <summary>The model's random generator state after <see cref="Epoch"/> epochs (<see cref="Tensors.Rng.GetState"/>), or null.</summary>
    public ulong[]? RngState { get; init; }

    /// <summary>The history of the epochs completed, or null.</summary>
    public History? History { get; init; }

    /// <summary>Captures the state of a fit of <paramref name="model"/> after <paramref name="epoch"/> epochs.</summary>
    public static TrainingCheckpoint Capture(Module model, Optimizer? optimizer, int epoch, int seed, History? history = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (epoch < 0) throw new ArgumentException($"epoch must be >= 0: got {epoch}");
        return new TrainingCheckpoint { Optimizer = optimizer, Epoch = epoch, Seed = seed, RngState = model.Rng.GetState(), History = history };
    }

    /// <summary>
    /// Sets <paramref name="options"/> to resume: its optimizer, initial epoch, seed and initial generator state.
    /// Returns <paramref name="options"/>.
    /// </summary>
    public FitOptions ApplyTo(FitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Optimizer is not null) options.Optimizer = Optimizer;
        options.InitialEpoch = Epoch;
        options.Seed = Seed;
        options.InitialRngState = RngState;
        return options;
    }

    internal JsonObject ToJson(IReadOnlyDictionary<Tensor, string> names, string source)
    {
        var o = new JsonObject { ["epoch"] = Epoch, ["seed"] = Seed };
        if (RngState is { } rng)
        {
            var a = new JsonArray();
            foreach (var w in rng) a.Add(w.ToString("x16", CultureInfo.InvariantCulture));
            o["rng_state"] = a;
        }
        if (Optimizer is { } opt)
        {
            var (kind, config) = OptimizerCodec.Describe(opt, source);
            var groups = new JsonArray();
            foreach (var g in opt.Groups)
            {
                var ps = new JsonArray();
                foreach (var p in g.Parameters)
                    ps.Add(names.TryGetValue(p, out var n) ? n
                        : throw new ModelFileException(source, $"the optimizer trains a tensor ('{p.Name ?? "unnamed"}', shape {p.Shape}) that is not a parameter of the model being saved"));
                groups.Add(new JsonObject { ["parameters"] = ps, ["learning_rate"] = g.LearningRate, ["weight_decay"] = g.WeightDecay });
            }
            o["optimizer"] = new JsonObject
            {
                ["kind"] = kind, ["config"] = config, ["learning_rate"] = opt.LearningRate, ["iterations"] = opt.Iterations, ["groups"] = groups,
                ["clipping"] = opt.Clipping is { } c ? new JsonObject { ["mode"] = c.Mode.ToString(), ["threshold"] = c.Threshold } : null,
            };
        }
        if (History is { } h)
        {
            var series = new JsonObject();
            foreach (var k in h.Keys)
            {
                var a = new JsonArray();
                foreach (var v in h[k]) a.Add(double.IsFinite(v) ? JsonValue.Create(v) : null);
                series[k] = a;
            }
            o["history"] = new JsonObject { ["stop_reason"] = h.StopReason, ["series"] = series };
        }
        return o;
    }

    internal static TrainingCheckpoint FromJson(string json, Module model, SafetensorsFile file)
    {
        string source = file.Source;
        const string w = "the training state";
        var o = Json.ParseObject(json, "training state", source);
        int epoch = Json.Int(o, "epoch", w, source);
        if (epoch < 0) throw new ModelFileException(source, $"the training state's epoch must be >= 0: got {epoch}");
        ulong[]? rng = null;
        if (o["rng_state"] is JsonArray ra)
        {
            if (ra.Count != 4) throw new ModelFileException(source, "the training state's rng_state is not 4 hexadecimal words");
            rng = new ulong[ra.Count];
            for (int i = 0; i < ra.Count; i++)
                if (ra[i] is not JsonValue v || !v.TryGetValue<string>(out var s)
                    || !ulong.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out rng[i]))
                    throw new ModelFileException(source, "the training state's rng_state is not 4 hexadecimal words");
        }
        Optimizer? optimizer = o["optimizer"] is JsonObject oo ? ReadOptimizer(oo, model, file) : null;
        History? history = o["history"] is JsonObject ho ? ReadHistory(ho, source) : null;
        return new TrainingCheckpoint { Epoch = epoch, Seed = Json.Int(o, "seed", w, source), RngState = rng, Optimizer = optimizer, History = history };
    }

    private static Optimizer ReadOptimizer(JsonObject o, Module model, SafetensorsFile file)
    {
        string source = file.Source;
        const string w = "the optimizer";
        var byName = model.NamedParameters().ToDictionary(p => p.Name, p => p.Value);
        var groups = new List<ParamGroup>();
        foreach (var gn in Json.Array(o, "groups", w, source))
        {
            if (gn is not JsonObject g) throw new ModelFileException(source, "an optimizer group is not an object");
            var ps = new List<Tensor>();
            foreach (var pn in Json.Array(g, "parameters", "an optimizer group", source))
            {
                string name = pn is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new ModelFileException(source, "an optimizer group lists something other than a parameter name");
                ps.Add(byName.TryGetValue(name, out var t) ? t : throw new ModelFileException(source, $"the optimizer trains '{name}', which the model does not have"));
            }
            float? lr = g["learning_rate"] is null ? null : Json.Float(g, "learning_rate", "an optimizer group", source);
            float? wd = g["weight_decay"] is null ? null : Json.Float(g, "weight_decay", "an optimizer group", source);
            try { groups.Add(new ParamGroup(ps, lr, wd)); }
            catch (ArgumentException ex) { throw new ModelFileException(source, $"an optimizer group is invalid: {ex.Message}", ex); }
        }
        var opt = OptimizerCodec.Create(Json.String(o, "kind", w, source), Json.Object(o, "config", w, source), groups, source);
        try
        {
            opt.LearningRate = Json.Float(o, "learning_rate", w, source);
            long it = Json.Long(o, "iterations", w, source);
            if (it < 0) throw new ArgumentException($"iterations must be >= 0: got {it}");
            opt.Iterations = it;
            if (o["clipping"] is JsonObject c)
                opt.Clipping = new GradientClipping(Enum.Parse<ClipMode>(Json.String(c, "mode", "the clipping", source)), Json.Float(c, "threshold", "the clipping", source));
            foreach (var e in file.Tensors)
            {
                if (!e.Name.StartsWith(ModelFile.OptimizerPrefix, StringComparison.Ordinal)) continue;
                string rest = e.Name[ModelFile.OptimizerPrefix.Length..];
                int cut = rest.LastIndexOf('/');
                if (cut <= 0 || !int.TryParse(rest[(cut + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int slot))
                    throw new ModelFileException(source, $"optimizer state tensor '{e.Name}' is not named optimizer/<parameter>/<slot>");
                opt.SetState(rest[..cut], slot, file.ReadFloats(e.Name));
            }
        }
        catch (ArgumentException ex)
        {
            throw new ModelFileException(source, $"the optimizer state cannot be restored: {ex.Message}", ex);
        }
        return opt;
    }

    private static History ReadHistory(JsonObject o, string source)
    {
        var h = new History();
        var series = Json.Object(o, "series", "the history", source);
        int epochs = 0;
        foreach (var (_, v) in series) epochs = Math.Max(epochs, (v as JsonArray)?.Count ?? 0);
        for (int e = 0; e < epochs; e++)
        {
            var logs = new Dictionary<string, double>();
            foreach (var (k, v) in series)
                logs[k] = v is JsonArray a && e < a.Count && a[e] is JsonValue x && x.TryGetValue<double>(out var d) ? d : double.NaN;
            h.Add(logs);
        }
        if (o["stop_reason"] is JsonValue sr && sr.TryGetValue<string>(out var reason)) h.StopReason = reason;
        return h;
    }
}
