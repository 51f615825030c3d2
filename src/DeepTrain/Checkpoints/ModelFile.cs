using System.Globalization;
using System.Text.RegularExpressions;
using DeepTrain.Layers;

namespace DeepTrain.Checkpoints;

/// <summary>
/// Model files: one file per model that is a valid safetensors file (any safetensors reader opens its weights),
/// holding every parameter and buffer under its full name (<c>hidden1.weight</c>, <c>bn1.running_mean</c>), the
/// architecture as JSON and the format version in <c>__metadata__</c>, and optionally the training state (optimizer
/// state tensors named <c>optimizer/&lt;parameter&gt;/&lt;slot&gt;</c>). See docs/model-format.md.
/// <list type="bullet">
/// <item><see cref="Save"/> writes atomically; <see cref="Load"/> and <see cref="LoadWithTraining"/> rebuild the model;
/// <see cref="Read"/> inspects a file without building anything.</item>
/// <item><see cref="Restore"/> copies the tensors whose names match a pattern into a model built in code (from any
/// safetensors file); <see cref="LoadLayers(string, int, Func{string, Activation?}?)"/> takes the lower layers of a saved
/// model to build a new one on.</item>
/// </list>
/// Every problem with a file is a <see cref="ModelFileException"/> that names the file, the problem and the remedy.
/// </summary>
public static class ModelFile
{
    /// <summary>The format version this DeepTrain writes and the newest it reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The value of the <c>format</c> metadata entry of a DeepTrain model file.</summary>
    public const string FormatName = "deeptrain.model";

    /// <summary>The name prefix of optimizer state tensors.</summary>
    public const string OptimizerPrefix = "optimizer/";

    /// <summary>Saves <paramref name="model"/> (and, if given, the training state) to <paramref name="path"/>, atomically.</summary>
    /// <exception cref="ModelFileException">The model or optimizer holds something a file cannot describe.</exception>
    public static void Save(string path, Sequential model, TrainingCheckpoint? training = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        var architecture = ModelArchitecture.Describe(model, path);
        var tensors = new List<(string, int[], ReadOnlyMemory<float>)>();
        var names = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, t) in model.NamedParameters().Concat(model.NamedBuffers()))
        {
            tensors.Add((name, t.Shape.ToArray(), t.RawData.AsMemory(0, t.Length)));
            names[t] = name;
        }
        var metadata = new Dictionary<string, string>
        {
            ["format"] = FormatName,
            ["format_version"] = FormatVersion.ToString(CultureInfo.InvariantCulture),
            ["producer"] = "DeepTrain",
            ["architecture"] = architecture.ToJson(),
        };
        if (training is not null)
        {
            metadata["training"] = training.ToJson(names, path).ToJsonString();
            if (training.Optimizer is { } opt)
            {
                var byTensorName = opt.Parameters.ToDictionary(p => p.Name ?? "", p => p);
                foreach (var (pname, slot, values) in opt.GetState())
                {
                    if (!byTensorName.TryGetValue(pname, out var p) || !names.TryGetValue(p, out var full) || full != pname)
                        throw new ModelFileException(path, $"the optimizer's state for '{pname}' does not belong to a parameter of the model under that name");
                    tensors.Add(($"{OptimizerPrefix}{pname}/{slot}", p.Shape.ToArray(), values));
                }
            }
        }
        SafetensorsWriter.WriteFile(path, tensors, metadata);
    }

    /// <summary>Rebuilds the model saved at <paramref name="path"/> with its weights, buffers and frozen flags.</summary>
    /// <param name="path">The model file.</param>
    /// <param name="customActivations">Gives the activation for each user-defined activation's name (a file holds only the name); null when there is none.</param>
    /// <exception cref="ModelFileException">The file is missing, damaged, of a newer format, or inconsistent.</exception>
    public static Sequential Load(string path, Func<string, Activation?>? customActivations = null) =>
        LoadCore(path, customActivations, withTraining: false).Model;

    /// <summary>Like <see cref="Load"/>, and also rebuilds the saved training state (its optimizer over the new model's parameters).</summary>
    public static LoadedModel LoadWithTraining(string path, Func<string, Activation?>? customActivations = null) =>
        LoadCore(path, customActivations, withTraining: true);

    /// <summary>Reads and validates a model file (or any safetensors file) without building a model.</summary>
    public static ModelFileContents Read(string path)
    {
        var file = SafetensorsFile.Read(path);
        int? version = CheckVersion(file);
        var architecture = version is null ? null : ReadArchitecture(file);
        return new ModelFileContents(file, version, architecture, file.Metadata.GetValueOrDefault("training"));
    }

    private static LoadedModel LoadCore(string path, Func<string, Activation?>? customActivations, bool withTraining)
    {
        var file = SafetensorsFile.Read(path);
        if (CheckVersion(file) is null)
            throw new ModelFileException(path, $"it is a safetensors file but not a DeepTrain model file (its metadata has no format '{FormatName}'), " +
                "so it holds no architecture: build the model in code and copy the weights in with ModelFile.Restore");
        var architecture = ReadArchitecture(file);
        // Check every tensor against the architecture before building, so a damaged file never makes us allocate
        // what its header or architecture claims.
        var expected = architecture.ExpectedTensors(path);
        var expectedNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, shape) in expected)
        {
            expectedNames.Add(name);
            var e = file.Find(name) ?? throw new ModelFileException(path, $"tensor '{name}' (shape [{string.Join(", ", shape)}]) is missing; the file is damaged or was not written by ModelFile.Save");
            if (!e.Shape.SequenceEqual(shape))
                throw new ModelFileException(path, $"tensor '{name}' has shape {e.ShapeText} but the architecture needs [{string.Join(", ", shape)}]; the file is damaged");
        }
        foreach (var e in file.Tensors)
            if (!expectedNames.Contains(e.Name) && !e.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
                throw new ModelFileException(path, $"it holds tensor '{e.Name}', which the architecture does not have; the file is damaged");

        var model = architecture.Build(customActivations, path);
        foreach (var (name, t) in model.NamedParameters().Concat(model.NamedBuffers()))
            file.ReadFloats(name).CopyTo(t.Data);
        TrainingCheckpoint? training = withTraining && file.Metadata.TryGetValue("training", out var json)
            ? TrainingCheckpoint.FromJson(json, model, file)
            : null;
        return new LoadedModel(model, training);
    }

    /// <summary>The DeepTrain format version of the file, or null when it is a plain safetensors file.</summary>
    private static int? CheckVersion(SafetensorsFile file)
    {
        if (!file.Metadata.TryGetValue("format", out var format) || format != FormatName) return null;
        if (!file.Metadata.TryGetValue("format_version", out var v) || !int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int version) || version < 1)
            throw new ModelFileException(file.Source, $"its format_version is {(v is null ? "missing" : $"'{v}'")}, not a version number; the file is damaged");
        if (version > FormatVersion)
            throw new ModelFileException(file.Source, $"it was written in model format version {version}, newer than the {FormatVersion} this DeepTrain reads: upgrade DeepTrain " +
                "(its weights can still be read by any safetensors reader)");
        return version;
    }

    private static ModelArchitecture ReadArchitecture(SafetensorsFile file) =>
        file.Metadata.TryGetValue("architecture", out var json)
            ? ModelArchitecture.Parse(json, file.Source)
            : throw new ModelFileException(file.Source, "its metadata has no architecture entry; the file is damaged");

    /// <summary>
    /// Copies into <paramref name="model"/> the file's tensors whose names, after <paramref name="mapping"/>, match
    /// <paramref name="pattern"/> (see <see cref="NamePattern"/>). Works with any safetensors file. All checks run
    /// before anything is copied, so a failed restore leaves the model unchanged.
    /// </summary>
    /// <param name="model">The model to restore into (built in code).</param>
    /// <param name="path">The file.</param>
    /// <param name="pattern">Which (mapped) names to restore; <c>hidden[123]</c> restores layers hidden1 to hidden3.</param>
    /// <param name="mapping">
    /// Renames file tensors before matching, old name → new name. A key equal to a tensor's name renames it; a key
    /// equal to a leading part of it that ends at a dot renames that part (<c>"encoder1" → "hidden1"</c> maps
    /// <c>encoder1.weight</c> to <c>hidden1.weight</c>); a key written <c>/regex/</c> rewrites matching names with
    /// <see cref="Regex.Replace(string, string)"/> and the value as replacement (<c>"/^enc(\d)/" → "hidden$1"</c>).
    /// Exact keys win over prefixes (the longest first), which win over expressions.
    /// </param>
    /// <returns>What was restored, what was left as it was, and which file tensors were not used.</returns>
    /// <exception cref="ModelFileException">The file is damaged, or a selected tensor's shape differs from the model's.</exception>
    public static RestoreReport Restore(Module model, string path, string pattern = ".*", IReadOnlyDictionary<string, string>? mapping = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var matcher = new NamePattern(pattern);
        var rename = CompileMapping(mapping);
        var file = SafetensorsFile.Read(path);
        CheckVersion(file);
        var targets = model.NamedParameters().Concat(model.NamedBuffers()).ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        var plan = new List<(TensorEntry Entry, string Target, Tensor Tensor)>();
        var unused = new List<UnusedTensor>();
        var taken = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in file.Tensors)
        {
            if (e.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal)) continue;
            string target = rename(e.Name);
            if (!matcher.IsMatch(target)) { unused.Add(new UnusedTensor(e.Name, target, "outside the pattern")); continue; }
            if (!targets.TryGetValue(target, out var t)) { unused.Add(new UnusedTensor(e.Name, target, "no such parameter or buffer in the model")); continue; }
            if (taken.TryGetValue(target, out var other))
                throw new ModelFileException(path, $"both '{other}' and '{e.Name}' map to '{target}'; fix the mapping");
            taken[target] = e.Name;
            if (!e.Shape.Select(d => (long)d).SequenceEqual(t.Shape.ToArray().Select(d => (long)d)))
                throw new ModelFileException(path, $"tensor '{e.Name}' has shape {e.ShapeText} but the model's '{target}' has shape [{string.Join(", ", t.Shape.ToArray())}]: " +
                    "the layer's width or input width differs; exclude it with the pattern or rebuild the model to match");
            if (!TensorEntry.FloatDtypes.Contains(e.Dtype))
                throw new ModelFileException(path, $"tensor '{e.Name}' has dtype {e.Dtype}; DeepTrain reads only floating-point tensors ({string.Join(", ", TensorEntry.FloatDtypes)})");
            plan.Add((e, target, t));
        }
        var restored = new List<RestoredTensor>();
        foreach (var (e, target, t) in plan)
        {
            file.ReadFloats(e.Name).CopyTo(t.Data);
            restored.Add(new RestoredTensor(e.Name, target, e.ShapeText));
        }
        var notRestored = targets.Keys.Where(k => !taken.ContainsKey(k)).ToList();
        return new RestoreReport(path, pattern, restored, notRestored, unused);
    }

    private static Func<string, string> CompileMapping(IReadOnlyDictionary<string, string>? mapping)
    {
        if (mapping is null || mapping.Count == 0) return n => n;
        var exact = new Dictionary<string, string>(StringComparer.Ordinal);
        var prefixes = new List<(string From, string To)>();
        var regexes = new List<(Regex From, string To)>();
        foreach (var (k, v) in mapping.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (k.Length >= 2 && k[0] == '/' && k[^1] == '/')
            {
                try { regexes.Add((new Regex(k[1..^1], RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)), v)); }
                catch (ArgumentException ex) { throw new ArgumentException($"mapping key '{k}' is not a valid regular expression: {ex.Message}", nameof(mapping), ex); }
            }
            else
            {
                exact[k] = v;
                prefixes.Add((k, v));
            }
        }
        prefixes.Sort((a, b) => b.From.Length.CompareTo(a.From.Length));
        return name =>
        {
            if (exact.TryGetValue(name, out var to)) return to;
            foreach (var (from, t) in prefixes)
                if (name.Length > from.Length && name.StartsWith(from, StringComparison.Ordinal) && name[from.Length] == '.')
                    return t + name[from.Length..];
            foreach (var (from, t) in regexes)
                if (from.IsMatch(name)) return from.Replace(name, t);
            return name;
        };
    }

    /// <summary>
    /// The first <paramref name="count"/> layers of the model saved at <paramref name="path"/>, made anew with their
    /// saved weights, to put at the bottom of a new model:
    /// <code>
    /// var model = new Sequential(784, seed: 7)
    /// {
    ///     ModelFile.LoadLayers("model_a.safetensors", 3),       // hidden1..hidden3 with their trained weights
    ///     new Dense(50, Activation.Elu(), name: "hidden4"),
    ///     new Dense(5, name: "output"),
    /// };
    /// Freezing.Freeze(model, "hidden[123]");
    /// </code>
    /// (Adding <see cref="ReusedLayers"/> in a collection initializer needs <c>using DeepTrain.Checkpoints;</c>.)
    /// </summary>
    public static ReusedLayers LoadLayers(string path, int count, Func<string, Activation?>? customActivations = null)
    {
        var (file, architecture) = OpenModel(path);
        if (count < 1 || count > architecture.Layers.Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"the model in '{path}' has {architecture.Layers.Count} layers ({string.Join(", ", architecture.Layers.Select(l => l.Name))}): got count {count}");
        return Reuse(file, architecture, architecture.Layers.Take(count), customActivations);
    }

    /// <summary>The layers called <paramref name="names"/> of the model saved at <paramref name="path"/>, in the saved order, made anew with their saved weights.</summary>
    public static ReusedLayers LoadLayers(string path, IEnumerable<string> names, Func<string, Activation?>? customActivations = null)
    {
        ArgumentNullException.ThrowIfNull(names);
        var (file, architecture) = OpenModel(path);
        var wanted = names.ToHashSet(StringComparer.Ordinal);
        foreach (var n in wanted)
            if (!architecture.Layers.Any(l => l.Name == n))
                throw new ArgumentException($"the model in '{path}' has no layer '{n}'; its layers: {string.Join(", ", architecture.Layers.Select(l => l.Name))}", nameof(names));
        return Reuse(file, architecture, architecture.Layers.Where(l => wanted.Contains(l.Name)), customActivations);
    }

    private static (SafetensorsFile, ModelArchitecture) OpenModel(string path)
    {
        var file = SafetensorsFile.Read(path);
        if (CheckVersion(file) is null)
            throw new ModelFileException(path, $"it is not a DeepTrain model file (no format '{FormatName}' in its metadata), so it describes no layers: build them in code and use ModelFile.Restore");
        return (file, ReadArchitecture(file));
    }

    private static ReusedLayers Reuse(SafetensorsFile file, ModelArchitecture architecture, IEnumerable<LayerConfig> layers, Func<string, Activation?>? customActivations)
    {
        string prefix = architecture.Name.Length == 0 ? "" : architecture.Name + ".";
        var list = new List<(Module, Dictionary<string, (IReadOnlyList<long>, float[])>)>();
        foreach (var config in layers)
        {
            var layer = config.Create(customActivations, file.Source);
            var weights = new Dictionary<string, (IReadOnlyList<long>, float[])>(StringComparer.Ordinal);
            foreach (var e in file.Tensors)
            {
                string layerPrefix = prefix + config.Name + ".";
                if (!e.Name.StartsWith(layerPrefix, StringComparison.Ordinal)) continue;
                string shortName = e.Name[layerPrefix.Length..];
                if (shortName.Contains('.')) continue;
                weights[shortName] = (e.Shape, file.ReadFloats(e.Name));
            }
            list.Add((layer, weights));
        }
        return new ReusedLayers(file.Source, list);
    }
}
