using DeepTrain.Cli;

namespace DeepTrain.Tests.Cli;

[CollectionDefinition("console", DisableParallelization = true)]
public class ConsoleCollection;

/// <summary>The deeptrain command end to end, in process (standard output and error captured).</summary>
[Collection("console")]
public class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("deeptrain-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        Console.SetOut(o); Console.SetError(e);
        try { return (CliApp.Run(args), o.ToString(), e.ToString()); }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
    }

    private static readonly string[] Small = ["--hidden", "24", "--epochs", "1", "--quiet"];

    [Fact]
    public void AMissingDataDirectoryIsAOneLineErrorWithExitCode2()
    {
        var (code, _, err) = Run("train", "--data", "/no/such/dir");
        Assert.Equal(2, code);
        Assert.StartsWith("error: ", err);
        Assert.Contains("/no/such/dir", err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public void ACorruptIdxFileIsAOneLineErrorWithExitCode2()
    {
        var digits = TestUtil.FindRepoFile(Path.Combine("data", "digits"))!;
        foreach (var f in Directory.GetFiles(digits, "*.gz")) File.Copy(f, Path.Combine(_dir, Path.GetFileName(f)));
        var images = Path.Combine(_dir, "train-images-idx3-ubyte.gz");
        File.WriteAllBytes(images, File.ReadAllBytes(images)[..2000]);
        var (code, _, err) = Run("train", "--data", _dir);
        Assert.Equal(2, code);
        Assert.StartsWith("error: ", err);
        Assert.Contains("train-images-idx3-ubyte.gz", err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("train")]
    [InlineData("compare")]
    [InlineData("lr-find")]
    [InlineData("diagnose")]
    [InlineData("pretrain")]
    [InlineData("export")]
    [InlineData("summary")]
    public void EveryCommandPrintsItsHelp(string command)
    {
        var (code, output, err) = Run(command, "--help");
        Assert.True(code == 0, err);
        Assert.Contains("USAGE", output);
    }

    [Fact]
    public void BadOptionsAreRefusedWithTheirName()
    {
        Assert.Equal(2, Run("train", "--bogus").Code);
        var (code, _, err) = Run(["train", "--optimizer", "adamm", .. Small]);
        Assert.Equal(2, code);
        Assert.Contains("adamm", err);
        Assert.Contains("nesterov", err);
        (code, _, err) = Run(["train", "--lr", "-1", .. Small]);
        Assert.Equal(2, code);
        Assert.Contains("learning rate", err);
        (code, _, err) = Run(["train", "--momentum", "1.5", "--optimizer", "momentum", .. Small]);
        Assert.Equal(2, code);
        Assert.Contains("momentum", err);
        (code, _, err) = Run(["train", "--early-stopping", "-1", .. Small]);
        Assert.Equal(2, code);
        Assert.Contains("patience", err);
    }

    [Fact]
    public void TrainsSavesAndSummarizesAModel()
    {
        var model = Path.Combine(_dir, "m.safetensors");
        var (code, output, err) = Run(["train", "--batch-norm", "--dropout", "0.1", "--out", model, .. Small]);
        Assert.True(code == 0, err);
        Assert.Matches(@"test accuracy: 0\.\d{4}", output);
        Assert.True(File.Exists(model));
        (code, output, _) = Run("summary", model);
        Assert.Equal(0, code);
        Assert.Contains("hidden1.weight", output);
        Assert.Contains("bn1.running_mean", output);
        Assert.Contains("[784, 24]", output);
    }

    [Fact]
    public void ExportsAModelToOnnx()
    {
        var model = Path.Combine(_dir, "m.safetensors");
        Assert.Equal(0, Run(["train", "--batch-norm", "--out", model, .. Small]).Code);
        var onnx = Path.Combine(_dir, "m.onnx");
        var (code, output, err) = Run("export", model, "--onnx", onnx, "--no-fold-bn", "--softmax");
        Assert.True(code == 0, err);
        Assert.Contains("probabilities", output);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnx);
        Assert.Equal("input", session.InputMetadata.Keys.Single());
        Assert.Equal(2, Run("export", Path.Combine(_dir, "missing.safetensors"), "--onnx", onnx).Code);
    }

    [Fact]
    public void AConfigFileGivesOptionsAndTheCommandLineWins()
    {
        var config = Path.Combine(_dir, "run.json");
        File.WriteAllText(config, """{ "hidden": "20", "epochs": 1, "optimizer": "sgd", "lr": 0.05, "batch-norm": true, "quiet": true }""");
        var (code, output, err) = Run("train", "--config", config, "--optimizer", "momentum");
        Assert.True(code == 0, err);
        Assert.Contains("784-20-10", output);
        Assert.Contains("optimizer momentum (lr 0.05)", output);
        File.WriteAllText(config, "{ not json");
        Assert.Equal(2, Run("train", "--config", config).Code);
    }

    [Fact]
    public void ResumesFromACheckpoint()
    {
        var ckpt = Path.Combine(_dir, "ckpt.safetensors");
        var (code, output, err) = Run("train", "--hidden", "16", "--epochs", "1", "--quiet", "--checkpoint-every", "1", "--out", ckpt);
        Assert.True(code == 0, err);
        (code, output, err) = Run("train", "--hidden", "16", "--epochs", "2", "--quiet", "--resume", ckpt);
        Assert.True(code == 0, err);
        Assert.Contains("resuming", output);
        Assert.Contains("at epoch 2 of 2", output);
    }

    [Fact]
    public void ReusesFreezesAndCachesLowerLayers()
    {
        var baseModel = Path.Combine(_dir, "base.safetensors");
        Assert.Equal(0, Run("train", "--hidden", "32,16", "--epochs", "1", "--quiet", "--classes", "0-4", "--out", baseModel).Code);
        var (code, output, err) = Run("train", "--hidden", "32,16,8", "--epochs", "1", "--quiet", "--classes", "5-9",
            "--init-from", baseModel, "--restore", "hidden[12]", "--freeze", "hidden[12]", "--cache-frozen");
        Assert.True(code == 0, err);
        Assert.Contains("hidden1.weight", output);
        Assert.Contains("frozen: hidden1.weight, hidden1.bias, hidden2.weight, hidden2.bias", output);
        Assert.Contains("cached the outputs of the 2 frozen lower layers", output);
    }

    [Fact]
    public void ComparesOptimizers()
    {
        var (code, output, err) = Run("compare", "--optimizer", "sgd,adam", "--hidden", "16", "--epochs", "1", "--labels-per-class", "50");
        Assert.True(code == 0, err);
        Assert.Contains("| sgd ", output);
        Assert.Contains("| adam ", output);
        Assert.Equal(2, Run("compare", "--hidden", "16").Code); // nothing to compare
    }

    [Fact]
    public void FindsALearningRate()
    {
        var plot = Path.Combine(_dir, "lr.png");
        var (code, output, err) = Run("lr-find", "--hidden", "16", "--steps", "60", "--optimizer", "sgd", "--plot-file", plot);
        Assert.True(code == 0, err);
        Assert.Matches(@"suggested learning rate: \d", output);
        Assert.True(new FileInfo(plot).Length > 1000);
    }

    [Fact]
    public void DiagnosesADeepStackAndWritesAReport()
    {
        var report = Path.Combine(_dir, "report");
        var (code, output, err) = Run("diagnose", "--depth", "4", "--units", "20", "--activation", "logistic,elu", "--init", "standard,he", "--steps", "5", "--report", report);
        Assert.True(code == 0, err);
        Assert.Contains("logistic+standard", output);
        Assert.Contains("vanishing", output);
        Assert.Contains("all layers healthy", output);
        var html = File.ReadAllText(Path.Combine(report, "index.html"));
        Assert.Contains("data:image/png;base64,", html);
    }

    [Fact]
    public void PretrainsThenFineTunes()
    {
        var pre = Path.Combine(_dir, "pre.safetensors");
        var plots = Path.Combine(_dir, "plots");
        var (code, output, err) = Run("pretrain", "--method", "rbm", "--hidden", "32", "--epochs", "1", "--out", pre, "--plot", plots);
        Assert.True(code == 0, err);
        Assert.True(File.Exists(Path.Combine(plots, "features.png")));
        (code, output, err) = Run("train", "--init-from", pre, "--hidden", "32", "--activation", "sigmoid", "--labels-per-class", "20", "--epochs", "1", "--quiet");
        Assert.True(code == 0, err);
        Assert.Contains("hidden1.weight", output);
        Assert.Matches(@"test accuracy: 0\.\d{4}", output);
    }
}
