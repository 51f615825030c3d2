using System.Globalization;
using DeepTrain.Checkpoints;
using DeepTrain.Cli.Plots;
using DeepTrain.Data;
using DeepTrain.Diagnostics;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Training;
using Spectre.Console.Cli;

namespace DeepTrain.Cli.Commands;

/// <summary><c>deeptrain train</c>: build (or reuse, or resume), train, evaluate, save.</summary>
public sealed class TrainCommand : Command<TrainSettings>
{
    /// <inheritdoc/>
    public override int Execute(CommandContext context, TrainSettings s, CancellationToken cancellationToken)
    {
        var launch = Distributed.MpiLaunch.Detect();
        if (launch is { Size: > 1 }) return DataParallelTraining.Execute(s, launch); // mpirun / srun
        if (s.SyncBatchNorm && launch is null) throw new CliException("--sync-batch-norm applies to data-parallel runs (under mpirun or srun)");
        TrainingSetup.ApplyThreads(s);
        var data = TrainingSetup.LoadData(s);
        Run(s, data, Console.Out);
        return 0;
    }

    /// <summary>What one training run gave.</summary>
    internal sealed record Result(Sequential Model, History History, EvaluationResult Test, double Seconds);

    /// <summary>
    /// Builds, trains, evaluates and saves as <paramref name="s"/> says, printing to <paramref name="log"/>;
    /// with <paramref name="distributed"/>, as one process of a data-parallel run (only its primary writes files).
    /// </summary>
    internal static Result Run(TrainSettings s, TrainingSetup.Splits data, TextWriter log, IDataParallel? distributed = null)
    {
        var Console = log;
        bool writes = distributed?.IsPrimary ?? true;
        Console.WriteLine($"data: {s.Data}: {data.Train.Count:N0} training, {data.Validation?.Count ?? 0:N0} validation, {data.Test.Count:N0} test examples, {data.Train.Features} features, {data.Train.Classes} classes");

        Sequential model;
        Optimizer optimizer;
        FitOptions fit;
        if (s.Resume is not null)
        {
            if (s.InitFrom is not null) throw new CliException("--resume and --init-from cannot be combined");
            var loaded = ModelFile.LoadWithTraining(s.Resume);
            if (loaded.Training?.Optimizer is null) throw new CliException($"{s.Resume}: holds no training state; it was not written by --checkpoint-every");
            model = loaded.Model;
            optimizer = loaded.Training.Optimizer;
            fit = TrainingSetup.BuildFitOptions(s, optimizer, data, CliApp.Interrupt.Token);
            loaded.Training.ApplyTo(fit);
            if (fit.InitialEpoch >= s.Epochs) throw new CliException($"{s.Resume} has already completed {fit.InitialEpoch} epochs; ask for more with --epochs");
            Console.WriteLine($"resuming {s.Resume} at epoch {fit.InitialEpoch + 1} of {s.Epochs}");
        }
        else
        {
            model = TrainingSetup.BuildModel(s, data.Train.Features, Math.Max(data.Train.Classes, data.Test.Classes));
            if (s.InitFrom is not null)
            {
                var report = ModelFile.Restore(model, s.InitFrom, s.Restore ?? ".*", ParseMap(s.RestoreMap));
                Console.WriteLine(report);
            }
            else if (s.Restore is not null || s.RestoreMap is not null) throw new CliException("--restore and --restore-map need --init-from");
            optimizer = TrainingSetup.BuildOptimizer(s, model.Parameters());
            fit = TrainingSetup.BuildFitOptions(s, optimizer, data, CliApp.Interrupt.Token);
        }
        fit.Distributed = distributed;
        if (s.Freeze is not null)
        {
            var frozen = Freezing.Freeze(model, s.Freeze);
            Console.WriteLine($"frozen: {string.Join(", ", frozen)}");
        }
        Console.WriteLine($"model: {Describe(model)}; optimizer {s.Optimizer} (lr {optimizer.LearningRate.ToString("G4", CultureInfo.InvariantCulture)}){(s.Schedule is null ? "" : $", schedule {s.Schedule}")}");

        if (s.CheckpointEvery is { } every)
        {
            if (s.Out is null) throw new CliException("--checkpoint-every needs --out (the checkpoint file)");
            fit.Callbacks.Add(new ModelCheckpoint(s.Out, every));
        }
        StatsRecorder? recorder = null;
        if (s.Diagnose || s.Report is not null)
        {
            int batches = (data.Train.Count + s.BatchSize - 1) / s.BatchSize;
            recorder = new StatsRecorder(model, every: Math.Max(1, batches / 4)) { WarningOutput = Console };
            fit.Callbacks.Add(recorder);
        }

        History history;
        var started = DateTime.UtcNow;
        if (s.CacheFrozen)
        {
            if (recorder is not null) throw new CliException("--cache-frozen cannot be combined with --diagnose/--report (the cached layers are not run)");
            var cache = FrozenFeatureCache.Create(model, data.Train);
            Console.WriteLine($"cached the outputs of the {cache.LowerLayers} frozen lower layers ({cache.Train.Count:N0} rows of {cache.Train.Features} features)");
            history = cache.Upper.Fit(cache.Train, data.Validation is null ? null : cache.Transform(data.Validation), fit);
        }
        else
        {
            history = model.Fit(data.Train, data.Validation, fit);
        }
        double seconds = (DateTime.UtcNow - started).TotalSeconds;
        if (history.StopReason != "completed") Console.WriteLine($"stopped: {history.StopReason}");
        var test = model.Evaluate(data.Test);
        if (s.Out is not null && s.CheckpointEvery is null && writes)
        {
            ModelFile.Save(s.Out, model);
            Console.WriteLine($"saved model to {s.Out}");
        }
        else if (s.Out is not null && history.StopReason == "cancelled")
            Console.WriteLine(File.Exists(s.Out)
                ? $"{s.Out} holds the model and training state of the last complete epoch it saved; --resume {s.Out} goes on from there"
                : $"no epoch was completed, so nothing was saved to {s.Out}");
        else if (s.Out is not null) Console.WriteLine($"saved model and training state to {s.Out}");

        IReadOnlyList<LayerStats>? lastLook = null;
        if (recorder is not null && recorder.Records.Count > 0)
        {
            long lastStep = recorder.Records[^1].Step;
            lastLook = recorder.Records.Where(r => r.Step == lastStep).ToList();
            Console.WriteLine($"diagnostics at step {lastStep} ({recorder.MillisecondsPerRecordedStep:F1} ms per recorded step):");
            foreach (var line in Verdict.Lines(lastLook)) Console.WriteLine($"  {line}");
        }
        var pngs = new List<string>();
        string title = $"{s.Data} {Widths(model)}";
        if ((s.Plot is not null || s.Report is not null) && writes)
        {
            string dir = s.Plot ?? Path.Combine(s.Report!, "plots");
            pngs.AddRange(Charts.LearningCurves(history, dir, title));
            foreach (var p in pngs) Console.WriteLine($"wrote {p}");
        }
        if (s.Report is not null && writes)
        {
            var report = new HtmlReport($"deeptrain train: {title}");
            report.Paragraph($"{history.Epochs} epochs in {seconds:F1} s; test accuracy {test.Accuracy:F4}, test loss {test.Loss:F4}");
            var keys = history.Keys.ToList();
            report.Table(["epoch", .. keys], Enumerable.Range(0, history.Epochs).Select(e =>
                (IReadOnlyList<string>)[(e + 1).ToString(CultureInfo.InvariantCulture), .. keys.Select(k => history[k][e].ToString("G5", CultureInfo.InvariantCulture))]));
            if (lastLook is not null)
            {
                report.Heading($"per-layer statistics at step {lastLook[0].Step}");
                report.Table(["layer", "activation", "act mean", "act std", "saturated", "dead", "weight grad norm", "output grad RMS", "update/weight"],
                    lastLook.Select(r => (IReadOnlyList<string>)[r.Layer, r.Activation, F(r.ActivationMean), F(r.ActivationStd), $"{r.SaturatedFraction:P0}", $"{r.DeadFraction:P0}", F(r.WeightGradNorm), F(r.OutputGradRms), F(r.UpdateRatio)]));
                report.List(Verdict.Lines(lastLook));
            }
            foreach (var p in pngs) report.Image(p, Path.GetFileNameWithoutExtension(p));
            Console.WriteLine($"wrote {report.Save(s.Report)}");
        }
        Console.WriteLine($"training time: {seconds.ToString("F1", CultureInfo.InvariantCulture)} s");
        Console.WriteLine($"test loss: {test.Loss.ToString("F4", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"test accuracy: {test.Accuracy.ToString("F4", CultureInfo.InvariantCulture)}");
        return new Result(model, history, test, seconds);
    }

    private static string F(double v) => v.ToString("G3", CultureInfo.InvariantCulture);

    internal static string Widths(Sequential model) => $"{model.InputFeatures}-{string.Join("-", model.Layers.OfType<Dense>().Select(d => d.Units))}";

    internal static string Describe(Sequential model) =>
        $"{Widths(model)} " +
        $"({string.Join(", ", model.Layers.Select(l => l.Kind == "Dense" ? $"{l.Name}:{((Dense)l).Activation.Name}" : $"{l.Name}"))})";

    private static Dictionary<string, string>? ParseMap(string? spec)
    {
        if (spec is null) return null;
        var map = new Dictionary<string, string>();
        foreach (var pair in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = pair.Split('=', 2);
            if (kv.Length != 2 || kv[0].Length == 0 || kv[1].Length == 0) throw new CliException($"--restore-map: '{pair}' is not old=new");
            map[kv[0]] = kv[1];
        }
        return map;
    }
}
