using Playbook;

namespace DeepTrain.Tests.Examples;

/// <summary>
/// Runs every section of the playbook example (examples/Playbook, compiled into this project by path) on the bundled
/// digits with <c>--small</c>, so that no example of docs/guide.md can rot.
/// </summary>
public class ExamplesTests
{
    public static TheoryData<string> SectionNames()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _, _) in Catalog.Sections) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(SectionNames))]
    public void Section_runs_on_small_data_and_reports_finite_figures(string name)
    {
        var output = new StringWriter();
        var options = new PlaybookOptions
        {
            Data = "digits", Small = true, Output = output,
            WorkDirectory = Path.Combine(Path.GetTempPath(), $"deeptrain-playbook-test-{Environment.ProcessId}"),
        };
        var figures = Catalog.Sections.Single(s => s.Name == name).Run(options);
        Assert.NotEmpty(figures);
        Assert.Contains("==", output.ToString());
        // A divergence is a result some sections demonstrate (NaN); anything else must be a number.
        Assert.All(figures, f => Assert.False(double.IsInfinity(f.Value), $"{name}: {f.Key} = {f.Value}"));
    }

    [Fact]
    public void Section_figures_show_what_the_guide_says()
    {
        var options = new PlaybookOptions
        {
            Data = "digits", Small = true, Output = TextWriter.Null,
            WorkDirectory = Path.Combine(Path.GetTempPath(), $"deeptrain-playbook-test-{Environment.ProcessId}"),
        };
        var bn = S04BatchNorm.Run(options);
        Assert.Equal(0.2, bn["running_mean0"], 5);                 // 0.9·0 + 0.1·2 (Keras's momentum convention)
        Assert.Equal(1.1, bn["running_var0"], 5);                  // 0.9·1 + 0.1·2
        Assert.Equal(1, bn["frozen_unchanged"]);                    // frozen BatchNorm runs in inference mode

        var clip = S05Clipping.Run(options);
        Assert.Equal(1.0, clip["Value.b"], 5);
        Assert.Equal(1.0, clip["Norm.b"], 5);
        Assert.Equal(12.0 / 13, clip["GlobalNorm.b"], 5);

        var freezing = S07Freezing.Run(options);
        Assert.All(freezing.Where(f => f.Key.EndsWith(".unchanged")), f => Assert.Equal(1, f.Value));

        var reuse = S06Reuse.Run(options);
        Assert.Equal(reuse["base.test_accuracy"], reuse["restored.test_accuracy"]);
        Assert.Equal(4, reuse["partial.restored"]);
    }
}
