using System.ComponentModel;
using System.Globalization;
using DeepTrain.Data;
using DeepTrain.Diagnostics;
using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Training;
using DeepTrain.Cli.Plots;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeepTrain.Cli.Commands;

/// <summary>
/// <c>deeptrain diagnose</c>: builds a deep stack for each setting (activation × initializer), pushes a batch of
/// real data through it, and shows per-layer activation spread and gradient size at initialization and after N
/// training steps, side by side, with a plain-language verdict.
/// </summary>
public sealed class DiagnoseCommand : Command<DiagnoseCommand.Settings>
{
    /// <summary>The command's options.</summary>
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--data <DATA>")] [Description("'digits' (default), 'fashion-mnist' or a directory of IDX files")]
        public string Data { get; set; } = "digits";
        [CommandOption("--depth <N>")] [Description("Hidden layers (default 10)")]
        public int Depth { get; set; } = 10;
        [CommandOption("--units <N>")] [Description("Units per hidden layer (default 100)")]
        public int Units { get; set; } = 100;
        [CommandOption("--activation <LIST>")] [Description("Activations to compare (default logistic,elu)")]
        public string Activation { get; set; } = "logistic,elu";
        [CommandOption("--init <LIST>")] [Description("Initializers to compare (default normal1,he)")]
        public string Init { get; set; } = "normal1,he";
        [CommandOption("--batch-norm")] [Description("Also run each setting with BatchNorm")]
        public bool BatchNorm { get; set; }
        [CommandOption("--steps <N>")] [Description("Training steps between the two looks (default 100)")]
        public int Steps { get; set; } = 100;
        [CommandOption("--batch-size <N>")] [Description("Batch size (default 64; the looks use 256 examples)")]
        public int BatchSize { get; set; } = 64;
        [CommandOption("--optimizer <NAME>")] [Description("Optimizer for the training steps (default sgd)")]
        public string Optimizer { get; set; } = "sgd";
        [CommandOption("--lr <RATE>")] [Description("Learning rate (default 0.01)")]
        public float LearningRate { get; set; } = 0.01f;
        [CommandOption("--seed <N>")]
        public int Seed { get; set; } = 42;
        [CommandOption("--plot <DIR>")] [Description("Write gradient-by-depth and activation-histogram PNGs to DIR")]
        public string? Plot { get; set; }
        [CommandOption("--report <DIR>")] [Description("Write a self-contained HTML report to DIR/index.html")]
        public string? Report { get; set; }
    }

    private sealed record Run(string Setting, IReadOnlyList<LayerStats> AtInit, IReadOnlyList<LayerStats> AfterTraining);

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.Depth < 1 || s.Units < 1) throw new CliException($"--depth and --units must be >= 1: got {s.Depth}, {s.Units}");
        if (s.Steps < 0) throw new CliException($"--steps must be >= 0: got {s.Steps}");
        var acts = s.Activation.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(a => (Name: a, Value: Layers.Activation.Parse(a))).ToList();
        var inits = s.Init.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(i => (Name: i, Value: Initializer.Parse(i))).ToList();
        var (train, _) = KnownDatasets.Load(s.Data);
        int lookRows = Math.Min(256, train.Count);
        var x = Tensor.Zeros(lookRows, train.Features);
        var y = new int[lookRows];
        train.GetBatch(Enumerable.Range(0, lookRows).ToArray(), x.Data, y);
        var subset = train.Subset(Enumerable.Range(0, Math.Min(train.Count, Math.Max(1, s.Steps) * s.BatchSize)).ToArray());

        var runs = new List<Run>();
        foreach (var bn in s.BatchNorm ? new[] { false, true } : [false])
            foreach (var (aName, act) in acts)
                foreach (var (iName, init) in inits)
                {
                    string setting = $"{aName}+{iName}{(bn ? "+bn" : "")}";
                    var model = new MlpBuilder { Hidden = Enumerable.Repeat(s.Units, s.Depth).ToArray(), Activation = act, Initializer = init, BatchNorm = bn }
                        .Build(train.Features, train.Classes, (ulong)s.Seed);
                    var atInit = StatsRecorder.Analyze(model, x, y, keepActivations: s.Plot is not null || s.Report is not null);
                    if (s.Steps > 0)
                    {
                        var optimizer = OptimizerFactory.Create(s.Optimizer, model.Parameters(), new OptimizerOptions { LearningRate = s.LearningRate });
                        try
                        {
                            model.Fit(subset, null, new FitOptions { Optimizer = optimizer, Epochs = 1, BatchSize = s.BatchSize, Seed = s.Seed, Progress = ProgressMode.None, Cancellation = CliApp.Interrupt.Token });
                        }
                        catch (TrainingDivergedException e)
                        {
                            Console.WriteLine($"{setting}: training diverged: {e.Message}");
                        }
                    }
                    var after = StatsRecorder.Analyze(model, x, y, step: s.Steps, keepActivations: s.Plot is not null || s.Report is not null);
                    runs.Add(new Run(setting, atInit, after));
                }

        var report = s.Report is null ? null : new HtmlReport($"deeptrain diagnose: {s.Depth} hidden layers of {s.Units} units on {s.Data}");
        foreach (var (label, pick) in new (string, Func<Run, IReadOnlyList<LayerStats>>)[] { ("at initialization", r => r.AtInit), ($"after {s.Steps} steps of {s.Optimizer} (lr {s.LearningRate.ToString(CultureInfo.InvariantCulture)})", r => r.AfterTraining) })
        {
            if (label.StartsWith("after") && s.Steps == 0) continue;
            Console.WriteLine();
            Console.WriteLine($"{label}: activation std / saturated or dead % / gradient RMS w.r.t. the layer's output");
            var header = new List<string> { "layer" };
            header.AddRange(runs.Select(r => r.Setting));
            var rows = new List<List<string>>();
            int layers = runs[0].AtInit.Count;
            for (int l = 0; l < layers; l++)
            {
                var row = new List<string> { runs[0].AtInit[l].Layer };
                foreach (var r in runs)
                {
                    var st = pick(r)[l];
                    double bad = Math.Max(st.SaturatedFraction, st.DeadFraction);
                    row.Add(string.Create(CultureInfo.InvariantCulture, $"{st.ActivationStd:F3} / {bad * 100:F0}% / {st.OutputGradRms:E1}"));
                }
                rows.Add(row);
            }
            // at most four settings side by side per table, so each fits a terminal line
            for (int first = 1; first < header.Count; first += 4)
            {
                int count = Math.Min(4, header.Count - first);
                var table = new Table().Border(TableBorder.Simple);
                table.AddColumn("layer");
                foreach (var h in header.Skip(first).Take(count)) table.AddColumn(Markup.Escape(h));
                foreach (var r in rows) table.AddRow([Markup.Escape(r[0]), .. r.Skip(first).Take(count).Select(Markup.Escape)]);
                AnsiConsole.Write(table);
            }
            report?.Heading(label);
            report?.Paragraph("each cell: activation std / saturated or dead % / gradient RMS w.r.t. the layer's output");
            report?.Table(header, rows);
            foreach (var r in runs)
            {
                var lines = Verdict.Lines(pick(r)).ToList();
                Console.WriteLine($"{r.Setting}:");
                foreach (var line in lines) Console.WriteLine($"  {line}");
                report?.Paragraph($"{r.Setting}:");
                report?.List(lines);
            }
        }

        var pngs = new List<(string Path, string Caption)>();
        string? plotDir = s.Plot ?? (s.Report is null ? null : Path.Combine(s.Report, "plots"));
        if (plotDir is not null)
        {
            Directory.CreateDirectory(plotDir);
            pngs.Add((Charts.GradientByDepth(runs.Select(r => (r.Setting, r.AtInit)).ToList(), Path.Combine(plotDir, "gradient-by-depth-init.png"), "gradient size by depth at initialization"), "gradient size by depth at initialization"));
            if (s.Steps > 0)
                pngs.Add((Charts.GradientByDepth(runs.Select(r => (r.Setting, r.AfterTraining)).ToList(), Path.Combine(plotDir, "gradient-by-depth-trained.png"), $"gradient size by depth after {s.Steps} steps"), $"gradient size by depth after {s.Steps} steps"));
            foreach (var r in runs)
            {
                string file = Path.Combine(plotDir, $"activations-{Safe(r.Setting)}.png");
                pngs.Add((Charts.ActivationHistograms(r.AtInit, file, $"{r.Setting}: activations per layer at initialization"), $"{r.Setting}: activation histograms at initialization"));
            }
            foreach (var (p, _) in pngs) Console.WriteLine($"wrote {p}");
        }
        if (report is not null)
        {
            foreach (var (p, c) in pngs) report.Image(p, c);
            Console.WriteLine($"wrote {report.Save(s.Report!)}");
        }
        return 0;
    }

    private static string Safe(string s) => string.Concat(s.Select(c => char.IsLetterOrDigit(c) ? c : '-'));
}
