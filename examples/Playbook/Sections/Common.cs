using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using DeepTrain.Data;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Training;

namespace Playbook;

/// <summary>Helpers shared by the sections: data, a standard fit, formatting.</summary>
public static class Common
{
    private static readonly ConcurrentDictionary<string, (Dataset Train, Dataset Test)> s_loaded = new();

    /// <summary>The training and test sets, loaded once per process.</summary>
    public static (Dataset Train, Dataset Test) LoadRaw(PlaybookOptions o) => s_loaded.GetOrAdd(o.Data, name => KnownDatasets.Load(name));

    /// <summary>
    /// Training, validation and test sets. Full runs use at most <paramref name="trainPerClass"/> training images per
    /// class (the whole bundled digits set has 800 per class), small runs 40 per class.
    /// </summary>
    public static (Dataset Train, Dataset Valid, Dataset Test) Load(PlaybookOptions o, int trainPerClass = 1000)
    {
        var (train, test) = LoadRaw(o);
        int perClass = o.Small ? 40 : Math.Min(trainPerClass, train.CountPerClass().Min());
        int validPerClass = o.Small ? 10 : Math.Max(50, perClass / 10);
        var pool = train.TakePerClass(perClass + validPerClass, o.Seed);
        var (fit, valid) = pool.Split(validPerClass * train.Classes, o.Seed);
        if (o.Small) test = test.TakePerClass(20, o.Seed);
        return (fit, valid, test);
    }

    /// <summary>Fit options with no progress output, a fixed seed and the given optimizer.</summary>
    public static FitOptions Options(PlaybookOptions o, Optimizer optimizer, int epochs, int batchSize = 64) => new()
    {
        Optimizer = optimizer, Epochs = epochs, BatchSize = batchSize, Seed = o.Seed, Progress = ProgressMode.None,
    };

    /// <summary>Trains and returns (validation accuracy at the end, seconds).</summary>
    public static (double ValAccuracy, double Seconds, History History) FitTimed(Module model, Dataset train, Dataset valid, FitOptions options)
    {
        var clock = Stopwatch.StartNew();
        var history = model.Fit(train, valid, options);
        return (history["val_accuracy"][^1], clock.Elapsed.TotalSeconds, history);
    }

    /// <summary>A number in invariant culture.</summary>
    public static string F(double value, string format = "F4") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>A number in scientific notation.</summary>
    public static string E(double value) => value.ToString("0.0E+0", CultureInfo.InvariantCulture);

    /// <summary>Prints a section title.</summary>
    public static void Title(PlaybookOptions o, string title, Dataset train, Dataset? valid = null, Dataset? test = null)
    {
        o.Output.WriteLine($"== {title}");
        o.Output.WriteLine($"data: {o.Data}{(o.Small ? " (small)" : "")}, train {train.Count}" +
                           (valid is null ? "" : $", validation {valid.Count}") + (test is null ? "" : $", test {test.Count}"));
    }

    /// <summary>A fresh working directory for one section's files.</summary>
    public static string WorkDir(PlaybookOptions o, string section)
    {
        string dir = Path.Combine(o.WorkDirectory, section);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A column-aligned table.</summary>
    public static void Table(PlaybookOptions o, string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, header.Length).Select(c => all.Max(r => r[c].Length)).ToArray();
        foreach (var r in all)
            o.Output.WriteLine(string.Join("  ", r.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
    }
}
