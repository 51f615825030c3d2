using System.Diagnostics;
using DeepTrain.Autograd;
using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Onnx;
using DeepTrain.Tensors;
using DeepTrain.Training;
using Xunit.Abstractions;
using static DeepTrain.Tests.Onnx.OrtHarness;
using O = DeepTrain.Ops.Ops;

namespace DeepTrain.Tests.Onnx;

/// <summary>
/// Exported models, run by ONNX Runtime 1.31 on real digits, must give DeepTrain's own inference outputs within
/// 1e-5 for every activation, BatchNorm folded and explicit, with and without softmax, for traced custom
/// activations and at any batch size.
/// </summary>
public class OnnxExportTests(ITestOutputHelper output)
{
    private static Activation ByName(string name) => name switch
    {
        "rrelu" => Activation.RRelu(0.1f, 0.3f),
        _ => Activation.Parse(name),
    };

    // 784 → Dense(32, f) → Dense(16, linear, no bias) → BatchNorm → f → Dropout → Dense(10): f both fused in Dense and
    // as a layer of its own, BatchNorm foldable.
    private static Sequential Mlp(Activation f, ulong seed = 3) => new(784, seed)
    {
        new Dense(32, f, Initializer.HeNormal, name: "hidden1"),
        new Dense(16, null, Initializer.HeNormal, useBias: false, name: "hidden2"),
        new BatchNorm(momentum: 0.5f, name: "bn2"),
        new ActivationLayer(f, name: "act2"),
        new Dropout(0.1f, name: "dropout2"),
        new Dense(10, name: "output"),
    };

    [Theory]
    [InlineData("linear")]
    [InlineData("sigmoid")]
    [InlineData("tanh")]
    [InlineData("relu")]
    [InlineData("leaky_relu:0.2")]
    [InlineData("elu")]
    [InlineData("elu:0.7")]
    [InlineData("selu")]
    [InlineData("softplus")]
    [InlineData("rrelu")]
    public void EveryActivationMatchesOnnxRuntime(string activation)
    {
        var model = Trained(Mlp(ByName(activation)));
        var x = Images(300);
        float folded = AssertMatches(model, x);
        float unfolded = AssertMatches(model, x, new OnnxExportOptions { FoldBatchNorm = false });
        output.WriteLine($"{activation}: max diff folded {folded:E2}, explicit BN {unfolded:E2}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PReluSlopesMatchOnnxRuntime(bool shared)
    {
        var model = Trained(new Sequential(784, 5)
        {
            new Dense(24, null, Initializer.HeNormal, name: "hidden1"),
            new PReLU(shared: shared, name: "prelu1"),
            new Dense(10, name: "output"),
        }, epochs: 3);
        var slopes = ((PReLU)model["prelu1"]).Alpha.ToArray();
        Assert.Equal(shared ? 1 : 24, slopes.Length);
        Assert.Contains(slopes, a => MathF.Abs(a - 0.25f) > 1e-4f); // trained, not the initial 0.25
        output.WriteLine($"max diff {AssertMatches(model, Images(300)):E2}");
    }

    [Fact]
    public void FoldedAndExplicitBatchNormAgree()
    {
        // bn1 follows a Dense with bias (foldable), bn2 follows an activation layer (never foldable).
        var model = Trained(new Sequential(784, 11)
        {
            new Dense(40, null, Initializer.HeNormal, name: "hidden1"),
            new BatchNorm(momentum: 0.5f, name: "bn1"),
            new ActivationLayer(Activation.Elu(), name: "act1"),
            new BatchNorm(momentum: 0.5f, epsilon: 1e-2f, name: "bn2"),
            new Dense(10, name: "output"),
        });
        var bn1 = (BatchNorm)model["bn1"];
        Assert.Contains(bn1.RunningMean.ToArray(), m => MathF.Abs(m) > 1e-2f);
        Assert.Contains(bn1.RunningVar.ToArray(), v => MathF.Abs(v - 1f) > 1e-2f);

        var folded = OnnxExporter.Build(model);
        var explicitBn = OnnxExporter.Build(model, new OnnxExportOptions { FoldBatchNorm = false });
        Assert.Equal(["Gemm", "Elu", "BatchNormalization", "Gemm"], folded.Graph.Node.Select(n => n.OpType));
        Assert.Equal(["Gemm", "BatchNormalization", "Elu", "BatchNormalization", "Gemm"], explicitBn.Graph.Node.Select(n => n.OpType));
        Assert.Contains(folded.Graph.Initializer, t => t.Name == "hidden1.weight_folded");
        Assert.Contains(folded.Graph.Initializer, t => t.Name == "hidden1.bias_folded");
        Assert.Contains(explicitBn.Graph.Initializer, t => t.Name == "bn1.running_var");

        var x = Images(300);
        var a = Run(OnnxExporter.ToBytes(model), x);
        var b = Run(OnnxExporter.ToBytes(model, new OnnxExportOptions { FoldBatchNorm = false }), x);
        var expected = model.Predict(x).ToArray();
        output.WriteLine($"folded {MaxAbsDiff(a, expected):E2}, explicit {MaxAbsDiff(b, expected):E2}, folded vs explicit {MaxAbsDiff(a, b):E2}");
        Assert.True(MaxAbsDiff(a, expected) <= Tolerance);
        Assert.True(MaxAbsDiff(b, expected) <= Tolerance);
        Assert.True(MaxAbsDiff(a, b) <= Tolerance);
    }

    [Fact]
    public void BatchNormWithoutScaleOrCenterExports()
    {
        var model = Trained(new Sequential(784, 12)
        {
            new Dense(20, Activation.Tanh, name: "hidden1"),
            new BatchNorm(momentum: 0.5f, center: false, scale: false, name: "bn1"),
            new Dense(20, useBias: false, name: "hidden2"),
            new BatchNorm(momentum: 0.5f, center: false, name: "bn2"),
            new Dense(10, name: "output"),
        });
        var x = Images(200);
        AssertMatches(model, x);
        AssertMatches(model, x, new OnnxExportOptions { FoldBatchNorm = false });
    }

    [Fact]
    public void SoftmaxOnAndOff()
    {
        var model = Trained(Mlp(Activation.Relu));
        var x = Images(300);
        var logits = model.Predict(x);
        var probabilities = O.Softmax(logits).ToArray();

        var withSoftmax = OnnxExporter.Build(model, new OnnxExportOptions { Softmax = true });
        Assert.Equal("probabilities", Assert.Single(withSoftmax.Graph.Output).Name);
        Assert.Equal("Softmax", withSoftmax.Graph.Node[^1].OpType);
        var p = Run(OnnxExporter.ToBytes(model, new OnnxExportOptions { Softmax = true }), x, outputName: "probabilities");
        Assert.True(MaxAbsDiff(p, probabilities) <= Tolerance, $"softmax diff {MaxAbsDiff(p, probabilities):E2}");
        for (int r = 0; r < 300; r++) Assert.Equal(1.0, p.AsSpan(r * 10, 10).ToArray().Sum(), 4);

        Assert.Equal("output", Assert.Single(OnnxExporter.Build(model).Graph.Output).Name);
        AssertMatches(model, x);
    }

    [Fact]
    public void InputAndOutputNamesCanBeChosen()
    {
        var model = Trained(Mlp(Activation.Tanh));
        var x = Images(50);
        var y = Run(OnnxExporter.ToBytes(model, new OnnxExportOptions { InputName = "pixels", OutputName = "logits" }), x, "pixels", "logits");
        Assert.True(MaxAbsDiff(y, model.Predict(x).ToArray()) <= Tolerance);
        Assert.Throws<ArgumentException>(() => OnnxExporter.ToBytes(model, new OnnxExportOptions { InputName = "same", OutputName = "same" }));
    }

    [Fact]
    public void BatchDimensionIsDynamic()
    {
        var model = Trained(Mlp(Activation.Elu()));
        var graph = OnnxExporter.Build(model).Graph;
        var input = Assert.Single(graph.Input);
        Assert.Equal("input", input.Name);
        Assert.Equal("batch", input.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(784, input.Type.TensorType.Shape.Dim[1].DimValue);
        Assert.Equal("batch", graph.Output[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(10, graph.Output[0].Type.TensorType.Shape.Dim[1].DimValue);

        var bytes = OnnxExporter.ToBytes(model);
        foreach (int rows in new[] { 1, 37 })
        {
            var x = Images(rows, skip: 100);
            var diff = MaxAbsDiff(Run(bytes, x), model.Predict(x).ToArray());
            output.WriteLine($"batch {rows}: max diff {diff:E2}");
            Assert.True(diff <= Tolerance, $"batch {rows}: {diff:E2}");
        }
    }

    [Fact]
    public void InitializersCarryParameterNames()
    {
        var model = Mlp(Activation.Selu);
        var names = OnnxExporter.Build(model, new OnnxExportOptions { FoldBatchNorm = false }).Graph.Initializer.Select(t => t.Name).ToHashSet();
        Assert.Equal(model.NamedParameters().Select(p => p.Name).Concat(model.NamedBuffers().Select(p => p.Name)).ToHashSet(), names);
        var selu = OnnxExporter.Build(model).Graph.Node.First(n => n.OpType == "Selu");
        Assert.Equal(DeepTrain.Kernels.ActivationKernels.SeluAlpha, selu.Attribute.Single(a => a.Name == "alpha").F);
        Assert.Equal(DeepTrain.Kernels.ActivationKernels.SeluScale, selu.Attribute.Single(a => a.Name == "gamma").F);
    }

    public static TheoryData<string> CustomNames => ["leaky", "swish", "mish", "gelu_tanh", "kitchen_sink", "identity"];

    private static Activation Custom(string name) => name switch
    {
        "leaky" => Activation.Custom(name, z => O.Maximum(0.1f * z, z)),
        "swish" => Activation.Custom(name, z => z * O.Sigmoid(z)),
        "mish" => Activation.Custom(name, z => z * O.Tanh(O.Softplus(z))),
        // 0.5·z·(1 + tanh(√(2/π)·(z + 0.044715·z³)))
        "gelu_tanh" => Activation.Custom(name, z => 0.5f * z * (1f + O.Tanh(0.7978845608f * (z + 0.044715f * z.Pow(3f))))),
        // every traceable op family once, with a captured constant row and a detached branch
        "kitchen_sink" => Activation.Custom(name, z =>
        {
            var row = Tensor.FromArray(Enumerable.Range(0, z.Shape.Last).Select(i => 0.5f + 0.01f * i).ToArray());
            var soft = O.Log(O.Exp(O.Minimum(z, 4f)) + 1f);                  // softplus, clamped
            var root = O.Sqrt(z.Pow(2f) + 1f) - 1f;                           // smooth |z|
            var mixed = O.Div(soft * row, row + 1f) + O.Sub(root, O.Maximum(z, -1f)) / 3f;
            return O.Minimum(O.Maximum(mixed, O.Elu(z, 0.5f) - z.Detach()), O.Affine(z, 2f, 5f)) + O.LeakyRelu(-z, 0.3f);
        }),
        "identity" => Activation.Custom(name, z => z),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(CustomNames))]
    public void CustomActivationsAreTraced(string name)
    {
        var model = Trained(Mlp(Custom(name)));
        var x = Images(300);
        float folded = AssertMatches(model, x);
        float unfolded = AssertMatches(model, x, new OnnxExportOptions { FoldBatchNorm = false });
        var ops = OnnxExporter.Build(model).Graph.Node.Select(n => n.OpType).Distinct();
        output.WriteLine($"{name}: {string.Join(" ", ops)}; max diff {folded:E2} / {unfolded:E2}");
    }

    [Fact]
    public void CustomActivationTracesUnderNoGrad()
    {
        var model = Trained(Mlp(Custom("swish")));
        var x = Images(64);
        byte[] bytes;
        using (GradMode.NoGrad()) bytes = OnnxExporter.ToBytes(model);
        Assert.True(MaxAbsDiff(Run(bytes, x), model.Predict(x).ToArray()) <= Tolerance);
    }

    [Fact]
    public void CustomActivationWithAnUntranslatableOpIsRefused()
    {
        var model = new Sequential(784, 1)
        {
            new Dense(16, name: "hidden1"),
            new ActivationLayer(Activation.Custom("centered", z => z - O.Mean(z)), name: "weird_act"),
            new Dense(10, name: "output"),
        };
        var e = Assert.Throws<OnnxExportException>(() => OnnxExporter.ToBytes(model));
        Assert.Equal("weird_act", e.LayerName);
        Assert.Contains("weird_act", e.Message);
        Assert.Contains("centered", e.Message);
        Assert.Contains("Sum", e.Message);
    }

    [Fact]
    public void OpsOnADetachedInputAreRefusedNotBakedIn()
    {
        // Elu of a detached tensor records nothing: the trace cannot see that it depends on the input.
        var model = new Sequential(784, 1) { new Dense(4, Activation.Custom("ste", z => z + O.Elu(z.Detach())), name: "hidden1") };
        var e = Assert.Throws<OnnxExportException>(() => OnnxExporter.ToBytes(model));
        Assert.Equal("hidden1", e.LayerName);
        Assert.Contains("not recorded", e.Message);
    }

    [Fact]
    public void ConstantCustomActivationIsRefused()
    {
        var model = new Sequential(784, 1) { new Dense(4, Activation.Custom("zero", z => Tensor.Zeros(z.Shape)), name: "hidden1") };
        var e = Assert.Throws<OnnxExportException>(() => OnnxExporter.ToBytes(model));
        Assert.Equal("hidden1", e.LayerName);
        Assert.Contains("not recorded", e.Message);
    }

    /// <summary>A layer with no ONNX form.</summary>
    private sealed class Doubler(string name) : Module(name)
    {
        public override Tensor Forward(Tensor input) => input * 2f;
    }

    [Fact]
    public void LayerWithoutOnnxFormIsRefusedByName()
    {
        var model = new Sequential(784, 1) { new Dense(16, name: "hidden1"), new Doubler("twice"), new Dense(10, name: "output") };
        var e = Assert.Throws<OnnxExportException>(() => OnnxExporter.ToBytes(model));
        Assert.Equal("twice", e.LayerName);
        Assert.Contains("'twice'", e.Message);
        Assert.Contains("Doubler", e.Message);
    }

    [Fact]
    public void DropoutAndStopGradientAreOmitted()
    {
        var model = Trained(new Sequential(784, 9)
        {
            new Dense(32, Activation.Tanh, name: "hidden1"), new Dropout(0.3f), new Dense(16, Activation.Relu, name: "hidden2"),
            new StopGradient(name: "stop"), new Dense(10, name: "output"),
        });
        var graph = OnnxExporter.Build(model).Graph;
        Assert.Equal(["Gemm", "Tanh", "Gemm", "Relu", "Gemm"], graph.Node.Select(n => n.OpType));
        AssertMatches(model, Images(100));
    }

    [Fact]
    public void ExportWritesTheFileAtomically()
    {
        var model = Trained(Mlp(Activation.Elu()));
        var dir = Directory.CreateTempSubdirectory("deeptrain-onnx-");
        try
        {
            string path = Path.Combine(dir.FullName, "model.onnx");
            File.WriteAllText(path, "old content");
            OnnxExporter.Export(model, path);
            Assert.Equal(OnnxExporter.ToBytes(model), File.ReadAllBytes(path));
            Assert.Single(Directory.GetFiles(dir.FullName)); // no temporary file left behind
            var x = Images(20);
            Assert.True(MaxAbsDiff(Run(File.ReadAllBytes(path), x), model.Predict(x).ToArray()) <= Tolerance);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>The official ONNX checker (python3-onnx, with shape inference) accepts the exported models; skipped where it is not installed.</summary>
    [SkippableFact]
    public void OnnxCheckerAcceptsTheModels()
    {
        const string python = "/usr/bin/python3";
        Skip.IfNot(File.Exists(python) && RunPython(python, "import onnx").ExitCode == 0, "python3-onnx is not installed");
        var dir = Directory.CreateTempSubdirectory("deeptrain-onnx-check-");
        try
        {
            var models = new Dictionary<string, (Sequential Model, OnnxExportOptions? Options)>
            {
                ["folded"] = (Mlp(Activation.Elu()), null),
                ["explicit"] = (Mlp(Activation.Selu), new OnnxExportOptions { FoldBatchNorm = false, Softmax = true }),
                ["custom"] = (Mlp(Custom("kitchen_sink")), null),
                ["rrelu"] = (Mlp(Activation.RRelu()), null),
                ["prelu"] = (new Sequential(784, 2) { new Dense(8), new PReLU(), new Dense(3), new PReLU(shared: true) }, null),
            };
            foreach (var (name, (model, options)) in models) OnnxExporter.Export(model, Path.Combine(dir.FullName, name + ".onnx"), options);
            string script = $$"""
                import glob, onnx
                for p in sorted(glob.glob('{{dir.FullName}}/*.onnx')):
                    m = onnx.load(p)
                    onnx.checker.check_model(m, full_check=True)
                    print('ok', p, 'opset', m.opset_import[0].version, 'ir', m.ir_version)
                """;
            var (code, text) = RunPython(python, script);
            output.WriteLine(text);
            Assert.True(code == 0, text);
            Assert.Equal(models.Count, text.Split('\n').Count(l => l.StartsWith("ok ")));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static (int ExitCode, string Output) RunPython(string python, string script)
    {
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        psi.ArgumentList.Add("-");
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(script.Replace("\r\n", "\n"));
        p.StandardInput.Close();
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout + stderr.Result);
    }
}
