using System.ComponentModel;
using Spectre.Console.Cli;

namespace DeepTrain.Cli.Commands;

/// <summary>
/// The options of <c>deeptrain compare</c>: every option of <c>train</c>; <c>--optimizer</c>, <c>--schedule</c>,
/// <c>--activation</c> and <c>--init</c> may list several values (comma-separated), and every combination is run.
/// </summary>
public sealed class CompareSettings : TrainSettings
{
    [CommandOption("--plot-curves <DIR>")]
    [Description("Write one validation-accuracy and one validation-loss plot with a curve per setting")]
    public string? PlotCurves { get; set; }
}
