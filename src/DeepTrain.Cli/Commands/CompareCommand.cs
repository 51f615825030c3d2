using System.Globalization;
using DeepTrain.Training;
using ScottPlot;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeepTrain.Cli.Commands;

/// <summary>
/// <c>deeptrain compare</c>: trains the same network on the same data and seed under several settings and prints
/// a table (setting, epochs, best validation accuracy, test accuracy, seconds).
/// </summary>
public sealed class CompareCommand : Command<CompareSettings>
{
    /// <inheritdoc/>
    public override int Execute(CommandContext context, CompareSettings s, CancellationToken cancellationToken)
    {
        TrainingSetup.ApplyThreads(s);
        if (s.Out is not null || s.Resume is not null || s.CheckpointEvery is not null || s.Report is not null || s.Plot is not null)
            throw new CliException("compare does not take --out, --resume, --checkpoint-every, --plot or --report (use --plot-curves DIR)");
        var axes = new List<(string Option, string[] Values, Action<TrainSettings, string> Set)>
        {
            ("optimizer", Split(s.Optimizer), (t, v) => t.Optimizer = v),
            ("schedule", Split(s.Schedule ?? "none"), (t, v) => t.Schedule = v == "none" ? null : v),
            ("activation", Split(s.Activation), (t, v) => t.Activation = v),
            ("init", Split(s.Init), (t, v) => t.Init = v),
        };
        var varying = axes.Where(a => a.Values.Length > 1).ToList();
        if (varying.Count == 0) throw new CliException("give several values to compare, e.g. --optimizer sgd,momentum,adam or --schedule exponential,power");
        var combos = new List<(string Name, TrainSettings Settings)> { ("", s.Copy()) };
        foreach (var (option, values, set) in axes)
            combos = combos.SelectMany(c => values.Select(v =>
            {
                var t = c.Settings.Copy();
                set(t, v);
                string name = values.Length > 1 ? (c.Name.Length == 0 ? v : $"{c.Name}+{v}") : c.Name;
                return (name, t);
            })).ToList();

        var data = TrainingSetup.LoadData(s);
        Console.WriteLine($"comparing {combos.Count} settings on {s.Data} ({data.Train.Count:N0} training examples), {s.Epochs} epochs, batch {s.BatchSize}, seed {s.Seed}");
        var rows = new List<(string Name, TrainCommand.Result R)>();
        foreach (var (name, t) in combos)
        {
            if (CliApp.Interrupt.IsCancellationRequested) break;
            t.Quiet = true;
            var r = TrainCommand.Run(t, data, TextWriter.Null);
            double bestVal = r.History.Contains("val_accuracy") ? r.History["val_accuracy"].Max() : double.NaN;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {r.History.Epochs} epochs, best val accuracy {bestVal:F4}, test accuracy {r.Test.Accuracy:F4}, {r.Seconds:F1} s"));
            rows.Add((name, r));
        }
        var table = new Table().Border(TableBorder.Markdown);
        table.AddColumns("setting", "epochs", "best val accuracy", "test accuracy", "seconds");
        foreach (var (name, r) in rows)
            table.AddRow(Markup.Escape(name), r.History.Epochs.ToString(CultureInfo.InvariantCulture),
                (r.History.Contains("val_accuracy") ? r.History["val_accuracy"].Max() : double.NaN).ToString("F4", CultureInfo.InvariantCulture),
                r.Test.Accuracy.ToString("F4", CultureInfo.InvariantCulture), r.Seconds.ToString("F1", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        if (s.PlotCurves is not null)
        {
            Directory.CreateDirectory(s.PlotCurves);
            foreach (var key in new[] { "val_accuracy", "val_loss" })
            {
                var plt = new Plot();
                foreach (var (name, r) in rows)
                {
                    if (!r.History.Contains(key)) continue;
                    var line = plt.Add.Scatter(Enumerable.Range(1, r.History.Epochs).Select(e => (double)e).ToArray(), r.History[key].ToArray());
                    line.LegendText = name;
                }
                plt.Title($"{key.Replace('_', ' ')} per epoch");
                plt.XLabel("epoch");
                plt.YLabel(key.Replace('_', ' '));
                plt.ShowLegend();
                Console.WriteLine($"wrote {Plots.Charts.Save(plt, Path.Combine(s.PlotCurves, $"{key}.png"))}");
            }
        }
        return 0;
    }

    private static string[] Split(string v) => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
