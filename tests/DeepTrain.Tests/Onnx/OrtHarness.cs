using DeepTrain.Data;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Tensors;
using DeepTrain.Training;
using Microsoft.ML.OnnxRuntime;

namespace DeepTrain.Tests.Onnx;

/// <summary>Real digits, a short training run, and ONNX Runtime inference for the export tests.</summary>
internal static class OrtHarness
{
    /// <summary>The largest |ONNX Runtime − DeepTrain| the tests accept on any output.</summary>
    public const float Tolerance = 1e-5f;

    private static readonly Lazy<(Dataset Train, Dataset Test)> s_digits = new(() => KnownDatasets.Load("digits"));

    /// <summary>512 training digits (for a few optimizer steps).</summary>
    public static Dataset TrainSubset => s_digits.Value.Train.Subset(Enumerable.Range(0, 512).ToArray());

    /// <summary>The first <paramref name="rows"/> test digits as a [rows, 784] tensor (pixels in [0, 1]).</summary>
    public static Tensor Images(int rows, int skip = 0)
    {
        var test = s_digits.Value.Test;
        var x = Tensor.Zeros(rows, test.Features);
        test.GetBatch(Enumerable.Range(skip, rows).ToArray(), x.Data, new int[rows]);
        return x;
    }

    /// <summary>Trains for a few dozen Adam steps, so weights, BatchNorm statistics and PReLU slopes move away from their initial values.</summary>
    public static Sequential Trained(Sequential model, int epochs = 2)
    {
        model.Fit(TrainSubset, null, new FitOptions
        {
            Optimizer = new Adam(model.Parameters(), learningRate: 3e-3f),
            Epochs = epochs,
            BatchSize = 32,
            Progress = ProgressMode.None,
            Seed = 7,
        });
        return model;
    }

    /// <summary>Runs an exported model in ONNX Runtime on <paramref name="x"/> ([rows, features]) and returns its output, row-major.</summary>
    public static float[] Run(byte[] onnx, Tensor x, string inputName = "input", string outputName = "output", SessionOptions? options = null)
    {
        using var session = options is null ? new InferenceSession(onnx) : new InferenceSession(onnx, options);
        using var input = OrtValue.CreateTensorValueFromMemory(x.ToArray(), [x.Shape[0], x.Shape[1]]);
        using var run = new RunOptions();
        using var results = session.Run(run, [inputName], [input], [outputName]);
        var shape = results[0].GetTensorTypeAndShape().Shape;
        Assert.Equal(x.Shape[0], (int)shape[0]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>max |a − b|.</summary>
    public static float MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        float m = 0;
        for (int i = 0; i < a.Length; i++)
        {
            float d = MathF.Abs(a[i] - b[i]);
            if (!(d <= m)) m = d; // NaN propagates
        }
        return m;
    }

    /// <summary>Exports <paramref name="model"/>, runs it in ONNX Runtime on <paramref name="x"/>, and asserts it matches <c>Predict</c> within <see cref="Tolerance"/>.</summary>
    public static float AssertMatches(Sequential model, Tensor x, DeepTrain.Onnx.OnnxExportOptions? options = null)
    {
        var bytes = DeepTrain.Onnx.OnnxExporter.ToBytes(model, options);
        var expected = model.Predict(x).ToArray();
        var actual = Run(bytes, x, outputName: options?.OutputName ?? (options?.Softmax == true ? "probabilities" : "output"));
        float diff = MaxAbsDiff(expected, actual);
        Assert.True(diff <= Tolerance, $"max |ORT − DeepTrain| = {diff:E3} > {Tolerance:E0}");
        return diff;
    }
}
