using System.Text.Json;
using DeepTrain.Cli.Commands;
using DeepTrain.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeepTrain.Cli;

/// <summary>The <c>deeptrain</c> command: wiring, config files, Ctrl-C, and the one-line errors.</summary>
public static class CliApp
{
    /// <summary>Exit code for bad input (bad option, missing or corrupt file).</summary>
    public const int BadInput = 2;

    /// <summary>Cancelled by Ctrl-C; training stops cleanly after the current batch.</summary>
    public static CancellationTokenSource Interrupt { get; private set; } = new();

    /// <summary>Runs the command line; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        Interrupt = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (Interrupt.IsCancellationRequested) return; // a second Ctrl-C kills the process
            e.Cancel = true;
            Interrupt.Cancel();
            Console.Error.WriteLine("stopping after the current batch (Ctrl-C again to kill)...");
        };
        Console.CancelKeyPress += onCancel;
        // Spectre writes where Console.Out points now (tests redirect it); tables are not squeezed into 80 columns in logs
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160;
        try
        {
            var app = new CommandApp();
            app.Configure(config =>
            {
                config.SetApplicationName("deeptrain");
                config.PropagateExceptions();
                config.UseStrictParsing();
                config.ConfigureConsole(AnsiConsole.Console);
                config.AddCommand<TrainCommand>("train").WithDescription("Train a dense network on IDX or CSV data and report its test accuracy.");
                config.AddCommand<PretrainCommand>("pretrain").WithDescription("Greedy layer-wise unsupervised pretraining (autoencoders or RBMs); labels are ignored.");
                config.AddCommand<CompareCommand>("compare").WithDescription("Train the same network under several settings (e.g. --optimizer sgd,adam) and compare them.");
                config.AddCommand<LrFindCommand>("lr-find").WithDescription("Find a learning rate with the range test (the model is left untouched).");
                config.AddCommand<DiagnoseCommand>("diagnose").WithDescription("Show per-layer activation and gradient statistics of a deep stack, and what is wrong.");
                config.AddCommand<ExportCommand>("export").WithDescription("Export a model file to ONNX (inference form).");
                config.AddCommand<SummaryCommand>("summary").WithDescription("List a model file's layers and parameters.");
            });
            return app.Run(ExpandConfig(args));
        }
        catch (Exception e) when (IsUserError(e))
        {
            Console.Error.WriteLine($"error: {Message(e)}");
            return BadInput;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static bool IsUserError(Exception e) => e is CliException or ArgumentException or DataFormatException or DatasetNotFoundException
        or FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException or JsonException
        or CommandParseException or CommandRuntimeException or Checkpoints.ModelFileException or Training.TrainingDivergedException
        or Onnx.OnnxExportException;

    private static string Message(Exception e) => e switch
    {
        CommandParseException p => p.Message + HelpHint(),
        CommandRuntimeException r => r.Message + HelpHint(),
        ArgumentException { ParamName: { } p } a => a.Message.Replace($" (Parameter '{p}')", ""),
        _ => e.Message,
    };

    private static string HelpHint() => " (see deeptrain --help)";

    /// <summary>
    /// <c>--config FILE</c>: the JSON object's keys are option names without dashes (<c>"hidden": "300,100"</c>,
    /// <c>"batch-norm": true</c>); they become options placed before the command line's own, so an option given on
    /// the command line wins.
    /// </summary>
    internal static string[] ExpandConfig(string[] args)
    {
        int i = Array.IndexOf(args, "--config");
        if (i < 0) return args;
        if (i + 1 >= args.Length) throw new CliException("--config needs a file name");
        string path = args[i + 1];
        if (!File.Exists(path)) throw new CliException($"config file not found: {path}");
        JsonElement root;
        try { root = JsonDocument.Parse(File.ReadAllText(path)).RootElement; }
        catch (JsonException e) { throw new CliException($"{path}: not valid JSON: {e.Message}"); }
        if (root.ValueKind != JsonValueKind.Object) throw new CliException($"{path}: the config must be a JSON object of option names and values");
        var extra = new List<string>();
        foreach (var p in root.EnumerateObject())
        {
            string name = "--" + p.Name.TrimStart('-');
            switch (p.Value.ValueKind)
            {
                case JsonValueKind.True: extra.Add(name); break;
                case JsonValueKind.False: break;
                case JsonValueKind.String: extra.Add(name); extra.Add(p.Value.GetString()!); break;
                case JsonValueKind.Number: extra.Add(name); extra.Add(p.Value.GetRawText()); break;
                case JsonValueKind.Array: extra.Add(name); extra.Add(string.Join(",", p.Value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()))); break;
                default: throw new CliException($"{path}: option '{p.Name}' has an unsupported value ({p.Value.ValueKind})");
            }
        }
        var rest = args.Take(i).Concat(args.Skip(i + 2)).ToList();
        if (rest.Count == 0) throw new CliException("--config must follow a command, e.g. deeptrain train --config run.json");
        // command name first, then the config's options, then the command line's (which win)
        return [rest[0], .. extra, .. rest.Skip(1)];
    }
}

/// <summary>A bad command line or input, reported as one line with exit code 2.</summary>
public sealed class CliException(string message) : Exception(message);
