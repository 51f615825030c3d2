using DeepTrain.Diagnostics;
using DeepTrain.Training;
using ScottPlot;

namespace DeepTrain.Cli.Plots;

/// <summary>The PNG plots of the CLI (ScottPlot): learning curves, gradient size by depth, activation histograms.</summary>
/// <remarks>
/// Plotting lives in the CLI, not in the library, so the DeepTrain package stays free of native dependencies
/// (ScottPlot renders through SkiaSharp). Every file is written atomically (temporary file, then rename).
/// </remarks>
internal static class Charts
{
    public const int Width = 900, Height = 520;

    /// <summary>Writes <c>loss.png</c>, <c>accuracy.png</c> and, when the rate changed, <c>learning-rate.png</c>; returns the files.</summary>
    public static List<string> LearningCurves(History history, string dir, string title)
    {
        Directory.CreateDirectory(dir);
        var files = new List<string>();
        double[] epochs = Enumerable.Range(1, history.Epochs).Select(e => (double)e).ToArray();
        foreach (var (key, label) in new[] { ("loss", "loss"), ("accuracy", "accuracy") })
        {
            if (!history.Contains(key)) continue;
            var plt = new Plot();
            var train = plt.Add.Scatter(epochs, history[key].ToArray());
            train.LegendText = "training";
            if (history.Contains("val_" + key))
            {
                var val = plt.Add.Scatter(epochs, history["val_" + key].ToArray());
                val.LegendText = "validation";
            }
            plt.Title($"{title}: {label}");
            plt.XLabel("epoch");
            plt.YLabel(label);
            plt.ShowLegend();
            files.Add(Save(plt, Path.Combine(dir, $"{key}.png")));
        }
        if (history.Contains("lr") && history["lr"].Distinct().Count() > 1)
        {
            var plt = new Plot();
            plt.Add.Scatter(epochs, history["lr"].ToArray());
            plt.Title($"{title}: learning rate at the end of each epoch");
            plt.XLabel("epoch");
            plt.YLabel("learning rate");
            files.Add(Save(plt, Path.Combine(dir, "learning-rate.png")));
        }
        return files;
    }

    /// <summary>One line per setting: log10 of the output-gradient RMS against depth.</summary>
    public static string GradientByDepth(IReadOnlyList<(string Setting, IReadOnlyList<LayerStats> Stats)> settings, string path, string title)
    {
        var plt = new Plot();
        foreach (var (setting, stats) in settings)
        {
            var hidden = stats.Take(stats.Count - 1).ToList();
            double[] depth = hidden.Select(s => (double)s.Depth).ToArray();
            double[] size = hidden.Select(s => Math.Log10(Math.Max(1e-30, s.OutputGradRms))).ToArray();
            var line = plt.Add.Scatter(depth, size);
            line.LegendText = setting;
        }
        plt.Title(title);
        plt.XLabel("hidden layer (1 = bottom)");
        plt.YLabel("log10 gradient RMS w.r.t. the layer's output");
        plt.ShowLegend(Edge.Right);
        return Save(plt, path);
    }

    /// <summary>A histogram of each hidden layer's activations, one small panel per layer stacked in one PNG.</summary>
    public static string ActivationHistograms(IReadOnlyList<LayerStats> stats, string path, string title)
    {
        var hidden = stats.Take(stats.Count - 1).Where(s => s.Activations is not null).ToList();
        var plt = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < hidden.Count; i++)
        {
            var values = hidden[i].Activations!.Select(v => (double)v).ToArray();
            double lo = values.Min(), hi = values.Max();
            if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
            var hist = ScottPlot.Statistics.Histogram.WithBinCount(40, lo, hi);
            hist.AddRange(values);
            double[] centers = hist.Bins;
            double total = hist.Counts.Sum();
            double[] fraction = hist.Counts.Select(c => c / total).ToArray();
            var line = plt.Add.Scatter(centers, fraction);
            line.LegendText = hidden[i].Layer;
            line.MarkerSize = 0;
            line.Color = palette.GetColor(i);
        }
        plt.Title(title);
        plt.XLabel("activation value");
        plt.YLabel("fraction of activations");
        plt.ShowLegend(Edge.Right);
        return Save(plt, path);
    }

    /// <summary>Writes the plot as a PNG, atomically (temporary file, then rename); returns the path.</summary>
    public static string Save(Plot plt, string path, int width = Width, int height = Height)
    {
        var tmp = path + ".tmp.png";
        plt.SavePng(tmp, width, height);
        File.Move(tmp, path, overwrite: true);
        return path;
    }
}
