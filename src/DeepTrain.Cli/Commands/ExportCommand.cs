using System.ComponentModel;
using DeepTrain.Checkpoints;
using DeepTrain.Onnx;
using Spectre.Console.Cli;

namespace DeepTrain.Cli.Commands;

/// <summary><c>deeptrain export MODEL --onnx out.onnx [--no-fold-bn] [--softmax]</c>: the model in inference form as ONNX.</summary>
public sealed class ExportCommand : Command<ExportCommand.Settings>
{
    /// <summary>The command's arguments.</summary>
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<MODEL>")] [Description("A model file written by deeptrain train --out")]
        public string Model { get; set; } = "";
        [CommandOption("--onnx <FILE>")] [Description("The ONNX file to write (required)")]
        public string? Onnx { get; set; }
        [CommandOption("--no-fold-bn")] [Description("Keep BatchNorm as BatchNormalization nodes instead of folding it into the Dense before it")]
        public bool NoFoldBn { get; set; }
        [CommandOption("--softmax")] [Description("End with a Softmax (output 'probabilities' instead of logits)")]
        public bool Softmax { get; set; }
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.Onnx is null) throw new CliException("export needs --onnx FILE");
        if (!File.Exists(s.Model)) throw new CliException($"model file not found: {s.Model}");
        var model = ModelFile.Load(s.Model);
        OnnxExporter.Export(model, s.Onnx, new OnnxExportOptions { FoldBatchNorm = !s.NoFoldBn, Softmax = s.Softmax });
        Console.WriteLine($"wrote {s.Onnx} ({new FileInfo(s.Onnx).Length:N0} bytes): input 'input' [batch, {model.InputFeatures}], " +
                          $"output '{(s.Softmax ? "probabilities" : "output")}' [batch, {model.OutputFeatures}], BatchNorm {(s.NoFoldBn ? "as nodes" : "folded")}");
        return 0;
    }
}
