using System.ComponentModel;
using System.Globalization;
using DeepTrain.Training;
using ScottPlot;
using Spectre.Console.Cli;

namespace DeepTrain.Cli.Commands;

/// <summary>
/// <c>deeptrain lr-find</c>: the learning-rate range test. Raises the rate exponentially over one short run,
/// prints the suggested rate, and writes the loss-vs-rate plot when asked; the model is left untouched.
/// </summary>
public sealed class LrFindCommand : Command<LrFindCommand.Settings>
{
    /// <summary>The options: those of <c>train</c> plus the range.</summary>
    public sealed class Settings : TrainSettings
    {
        [CommandOption("--min-rate <R>")] [Description("The first rate (default 1e-7)")]
        public double MinRate { get; set; } = 1e-7;
        [CommandOption("--max-rate <R>")] [Description("The last rate (default 10)")]
        public double MaxRate { get; set; } = 10;
        [CommandOption("--steps <N>")] [Description("Steps from the first to the last rate (default 200)")]
        public int Steps { get; set; } = 200;
        [CommandOption("--plot-file <PNG>")] [Description("Write the smoothed loss against the rate (log scale) to this PNG")]
        public string? PlotFile { get; set; }
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        TrainingSetup.ApplyThreads(s);
        var data = TrainingSetup.LoadData(s);
        var model = TrainingSetup.BuildModel(s, data.Train.Features, Math.Max(data.Train.Classes, data.Test.Classes));
        var optimizer = TrainingSetup.BuildOptimizer(s, model.Parameters());
        var finder = new LearningRateFinder(s.MinRate, s.MaxRate, s.Steps);
        var r = finder.Run(model, data.Train, optimizer, batchSize: s.BatchSize, seed: s.Seed);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Rates.Count} steps from {r.Rates[0]:G3} to {r.Rates[^1]:G3}{(r.StoppedEarly ? " (stopped: the loss exploded)" : "")}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"lowest smoothed loss {r.Losses.Min():F4} at rate {r.MinLossRate:G3}"));
        if (s.PlotFile is not null)
        {
            var plt = new Plot();
            plt.Add.Scatter(r.Rates.Select(Math.Log10).ToArray(), r.Losses.ToArray());
            var mark = plt.Add.VerticalLine(Math.Log10(r.SuggestedRate));
            mark.LegendText = string.Create(CultureInfo.InvariantCulture, $"suggested {r.SuggestedRate:G3}");
            plt.Title($"learning-rate range test ({s.Optimizer}, batch {s.BatchSize})");
            plt.XLabel("log10 learning rate");
            plt.YLabel("smoothed training loss");
            plt.ShowLegend();
            var dir = Path.GetDirectoryName(Path.GetFullPath(s.PlotFile))!;
            Directory.CreateDirectory(dir);
            Console.WriteLine($"wrote {Plots.Charts.Save(plt, s.PlotFile)}");
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"suggested learning rate: {r.SuggestedRate:G3}"));
        return 0;
    }
}
