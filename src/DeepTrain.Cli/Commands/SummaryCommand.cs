using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using DeepTrain.Layers;

namespace DeepTrain.Cli.Commands;

/// <summary><c>deeptrain summary MODEL</c>: layers, parameter names, shapes, trainable flags and counts.</summary>
public sealed class SummaryCommand : Command<SummaryCommand.Settings>
{
    /// <summary>The command's arguments.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>The model file.</summary>
        [CommandArgument(0, "<MODEL>")]
        [Description("A model file written by deeptrain train --out")]
        public string Model { get; set; } = "";
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (!File.Exists(s.Model)) throw new CliException($"model file not found: {s.Model}");
        var model = Checkpoints.ModelFile.Load(s.Model);
        Console.WriteLine($"model: {s.Model}");
        Render(model);
        return 0;
    }

    /// <summary>Prints the Keras-style summary of <paramref name="model"/>.</summary>
    public static void Render(Sequential model)
    {
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumns("layer", "kind", "config", "parameter", "shape", "trainable", "count");
        long total = 0, trainable = 0;
        foreach (var layer in model.Layers)
        {
            var own = layer.OwnParameters.Select(p => (p.Name, p.Value, IsBuffer: false)).Concat(layer.OwnBuffers.Select(b => (b.Name, b.Value, IsBuffer: true))).ToList();
            if (own.Count == 0) table.AddRow(Markup.Escape(layer.Name), layer.Kind, Markup.Escape(layer.Describe()), "", "", "", "0");
            bool first = true;
            foreach (var (name, t, isBuffer) in own)
            {
                table.AddRow(first ? Markup.Escape(layer.Name) : "", first ? layer.Kind : "", first ? Markup.Escape(layer.Describe()) : "",
                    Markup.Escape(t.Name ?? name), Markup.Escape(t.Shape.ToString()), isBuffer ? "buffer" : t.Trainable ? "yes" : "frozen", t.Length.ToString("N0"));
                first = false;
                if (isBuffer) continue;
                total += t.Length;
                if (t.Trainable) trainable += t.Length;
            }
        }
        AnsiConsole.Write(table);
        Console.WriteLine($"inputs: {model.InputFeatures}, outputs: {model.OutputFeatures}");
        Console.WriteLine($"parameters: {total:N0} ({trainable:N0} trainable, {total - trainable:N0} frozen)");
    }
}
