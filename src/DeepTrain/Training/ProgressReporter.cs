using System.Diagnostics;
using System.Globalization;
using System.Text;
using Spectre.Console;

namespace DeepTrain.Training;

/// <summary>
/// Shows a fit's progress: a live Spectre.Console bar per epoch (loss, accuracy, samples/s, learning rate) on a
/// terminal, one plain line per epoch when the output is redirected, or nothing.
/// </summary>
internal abstract class ProgressReporter : IDisposable
{
    public static ProgressReporter Create(FitOptions o)
    {
        if (o.Progress == ProgressMode.None || o.Distributed is { IsPrimary: false }) return new Silent();
        bool terminal = o.Output is null && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (o.Progress == ProgressMode.Auto && terminal) return new Bar();
        return new Lines(o.Output ?? Console.Out);
    }

    /// <summary>Runs the training loop (inside a live display when there is one).</summary>
    public virtual void Run(Action loop) => loop();
    public virtual void BeginEpoch(int epoch, int epochs, int batches) { }
    public virtual void Batch(int batch, double loss, Metric[] metrics, double samplesPerSecond, float learningRate) { }
    public virtual void EndEpoch(int epoch, int epochs, IReadOnlyDictionary<string, double> logs) { }
    public virtual void Dispose() { }

    /// <summary>The end-of-epoch line: <c>epoch 3/10: loss 0.4123 accuracy 0.8512 val_loss ... (2.1 s, 26,190 samples/s)</c>.</summary>
    public static string EpochLine(int epoch, int epochs, IReadOnlyDictionary<string, double> logs)
    {
        var sb = new StringBuilder($"epoch {epoch + 1}/{epochs}:");
        foreach (var (k, v) in logs)
        {
            if (k is "seconds" or "samples_per_second") continue;
            sb.Append(' ').Append(k).Append(' ').Append(k == "lr" ? v.ToString("G4", CultureInfo.InvariantCulture) : v.ToString("F4", CultureInfo.InvariantCulture));
        }
        sb.Append(CultureInfo.InvariantCulture, $" ({logs["seconds"]:F1} s, {logs["samples_per_second"]:N0} samples/s)");
        return sb.ToString();
    }

    private sealed class Silent : ProgressReporter { }

    private sealed class Lines(TextWriter output) : ProgressReporter
    {
        public override void EndEpoch(int epoch, int epochs, IReadOnlyDictionary<string, double> logs)
        {
            output.WriteLine(EpochLine(epoch, epochs, logs));
            output.Flush();
        }
    }

    private sealed class Bar : ProgressReporter
    {
        private ProgressContext? _ctx;
        private ProgressTask? _task;
        private readonly Stopwatch _sinceUpdate = Stopwatch.StartNew();
        private string _epochLabel = "";

        public override void Run(Action loop) =>
            AnsiConsole.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx => { _ctx = ctx; loop(); });

        public override void BeginEpoch(int epoch, int epochs, int batches)
        {
            _epochLabel = $"{epoch + 1}/{epochs}";
            _task = _ctx!.AddTask($"epoch {_epochLabel}", maxValue: batches);
        }

        public override void Batch(int batch, double loss, Metric[] metrics, double samplesPerSecond, float learningRate)
        {
            if (_task is null) return;
            _task.Value = batch;
            if (_sinceUpdate.ElapsedMilliseconds < 150 && batch < _task.MaxValue) return;
            _sinceUpdate.Restart();
            var sb = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"epoch {_epochLabel}: loss {loss:F4}"));
            foreach (var m in metrics) sb.Append(CultureInfo.InvariantCulture, $" {m.Name} {m.Result:F4}");
            sb.Append(CultureInfo.InvariantCulture, $" lr {learningRate:G3} {samplesPerSecond:N0} samples/s");
            _task.Description = Markup.Escape(sb.ToString());
        }

        public override void EndEpoch(int epoch, int epochs, IReadOnlyDictionary<string, double> logs)
        {
            if (_task is null) return;
            _task.Value = _task.MaxValue;
            _task.Description = Markup.Escape(EpochLine(epoch, epochs, logs));
            _task.StopTask();
        }
    }
}
