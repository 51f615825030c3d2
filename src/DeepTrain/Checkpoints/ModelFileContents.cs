namespace DeepTrain.Checkpoints;

/// <summary>
/// What a model file holds, read and validated without building a model (for <c>deeptrain summary</c> and
/// inspection): its metadata, its tensors, the architecture when it is a DeepTrain model file, and the training
/// state as JSON when one was saved.
/// </summary>
public sealed class ModelFileContents
{
    private readonly SafetensorsFile _file;

    internal ModelFileContents(SafetensorsFile file, int? formatVersion, ModelArchitecture? architecture, string? trainingJson)
    {
        _file = file; FormatVersion = formatVersion; Architecture = architecture; TrainingJson = trainingJson;
    }

    /// <summary>The file.</summary>
    public string Path => _file.Source;

    /// <summary>The DeepTrain format version, or null for a plain safetensors file.</summary>
    public int? FormatVersion { get; }

    /// <summary>The architecture, or null for a plain safetensors file.</summary>
    public ModelArchitecture? Architecture { get; }

    /// <summary>The training state as JSON (optimizer, epoch, seed, history), or null.</summary>
    public string? TrainingJson { get; }

    /// <summary>The <c>__metadata__</c> map.</summary>
    public IReadOnlyDictionary<string, string> Metadata => _file.Metadata;

    /// <summary>Every tensor, in the order of its data (weights, buffers and <c>optimizer/</c> state).</summary>
    public IReadOnlyList<TensorEntry> Tensors => _file.Tensors;

    /// <summary>The model's tensors only (parameters and buffers, without optimizer state).</summary>
    public IEnumerable<TensorEntry> ModelTensors => _file.Tensors.Where(t => !t.Name.StartsWith(ModelFile.OptimizerPrefix, StringComparison.Ordinal));

    /// <summary>The number of values in the model's tensors.</summary>
    public long ValueCount => ModelTensors.Sum(t => t.ElementCount);

    /// <summary>The values of tensor <paramref name="name"/> as float32.</summary>
    public float[] ReadFloats(string name) => _file.ReadFloats(name);
}
