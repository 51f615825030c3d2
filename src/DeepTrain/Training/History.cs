namespace DeepTrain.Training;

/// <summary>
/// What <c>Fit</c> recorded, one value per epoch for each series: <c>loss</c>, each metric, <c>val_loss</c> and
/// <c>val_</c> metrics when there is validation data, <c>lr</c> and <c>seconds</c>.
/// </summary>
public sealed class History
{
    private readonly Dictionary<string, List<double>> _series = new();

    /// <summary>The number of epochs recorded.</summary>
    public int Epochs { get; private set; }

    /// <summary>Why training stopped: <c>completed</c>, <c>early stopping</c>, <c>cancelled</c>, ...</summary>
    public string StopReason { get; internal set; } = "completed";

    /// <summary>The series names.</summary>
    public IEnumerable<string> Keys => _series.Keys;

    /// <summary>The values of a series, one per epoch.</summary>
    public IReadOnlyList<double> this[string key] => _series.TryGetValue(key, out var l) ? l
        : throw new KeyNotFoundException($"History has no series '{key}'; it has: {string.Join(", ", _series.Keys)}");

    /// <summary>True when the series exists.</summary>
    public bool Contains(string key) => _series.ContainsKey(key);

    /// <summary>Appends one epoch's values.</summary>
    public void Add(IReadOnlyDictionary<string, double> logs)
    {
        foreach (var (k, v) in logs)
        {
            if (!_series.TryGetValue(k, out var l)) _series[k] = l = new List<double>();
            while (l.Count < Epochs) l.Add(double.NaN);
            l.Add(v);
        }
        Epochs++;
    }
}
