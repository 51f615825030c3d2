using DeepTrain.Kernels;
using DeepTrain.Layers;
using DeepTrain.Onnx.Proto;
using DeepTrain.Tensors;
using Google.Protobuf;
using Module = DeepTrain.Layers.Module;

namespace DeepTrain.Onnx;

/// <summary>
/// Writes a trained <see cref="Sequential"/> as an ONNX model (opset <see cref="OpsetVersion"/>) in inference form,
/// for ONNX Runtime and other ONNX engines. The graph reads a float32 input <c>input</c> of shape
/// [batch, features] (batch is the symbolic dimension <c>batch</c>) and gives <c>output</c> [batch, outputs]
/// (or <c>probabilities</c> with <see cref="OnnxExportOptions.Softmax"/>).
/// </summary>
/// <remarks>
/// Translation, layer by layer: Dense → <c>Gemm</c> (W is [inputs, units], as in DeepTrain, so no transpose) followed
/// by its activation; BatchNorm → folded into the Dense below it (see <see cref="OnnxExportOptions.FoldBatchNorm"/>)
/// or a <c>BatchNormalization</c> node with the moving statistics; activations → <c>Sigmoid</c>, <c>Tanh</c>,
/// <c>Relu</c>, <c>LeakyRelu</c>, <c>Elu</c>, <c>Selu</c> (DeepTrain's α and λ), <c>Softplus</c>; RReLU →
/// <c>LeakyRelu</c> with its inference slope (lower + upper) / 2; PReLU → <c>PRelu</c> with a [units] (or [1]) slope;
/// a user-defined activation → the ops it records when run once on a trace input (element-wise arithmetic,
/// maximum/minimum, exp, log, sqrt, pow and the built-in activations); Dropout and StopGradient → nothing (they are
/// identities at inference). Initializers carry DeepTrain's parameter names
/// (<c>hidden1.weight</c>, <c>bn1.running_mean</c>, ...). Any other layer is an <see cref="OnnxExportException"/>
/// naming it.
/// <code>
/// model.Fit(train, valid, options);
/// OnnxExporter.Export(model, "model.onnx", new OnnxExportOptions { Softmax = true });
/// </code>
/// </remarks>
public static class OnnxExporter
{
    /// <summary>The ONNX operator set the exported models import (default domain).</summary>
    public const int OpsetVersion = 17;

    /// <summary>The ONNX IR version of the exported models (8: the version that goes with opset 17).</summary>
    public const int IrVersion = 8;

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> as an ONNX model, atomically (a temporary file renamed over the target).</summary>
    /// <exception cref="OnnxExportException">A layer has no ONNX form.</exception>
    public static void Export(Sequential model, string path, OnnxExportOptions? options = null)
    {
        var bytes = ToBytes(model, options);
        Checkpoints.AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>The ONNX model of <paramref name="model"/>, serialized (the bytes of a <c>.onnx</c> file).</summary>
    /// <exception cref="OnnxExportException">A layer has no ONNX form.</exception>
    public static byte[] ToBytes(Sequential model, OnnxExportOptions? options = null) => Build(model, options).ToByteArray();

    /// <summary>Translates the model into an ONNX <c>ModelProto</c>.</summary>
    internal static ModelProto Build(Sequential model, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxExportOptions();
        options.Validate();

        var names = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);
        foreach (var (n, t) in model.NamedParameters()) names[t] = n;
        foreach (var (n, t) in model.NamedBuffers()) names[t] = n;
        string NameOf(Tensor t, string fallback) => names.TryGetValue(t, out var n) ? n : fallback;

        var b = new OnnxGraphBuilder(options.InputName);
        b.Graph.Name = string.IsNullOrEmpty(model.Name) ? "deeptrain" : model.Name;
        b.Graph.Input.Add(OnnxGraphBuilder.MatrixInfo(options.InputName, model.InputFeatures));

        var layers = WithoutIdentities(model);
        string x = options.InputName;
        int width = model.InputFeatures;
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            switch (layer)
            {
                case Dense d:
                {
                    var bn = options.FoldBatchNorm && IsLinear(d.Activation) && i + 1 < layers.Count ? layers[i + 1] as BatchNorm : null;
                    if (bn is not null)
                    {
                        var (w, bias) = Fold(d, bn);
                        x = b.Node("Gemm", d.Name, [x,
                            b.Initializer(NameOf(d.Weight, d.Name + ".weight") + "_folded", w, d.Inputs, d.Units),
                            b.Initializer((d.Bias is null ? d.Name + ".bias" : NameOf(d.Bias, d.Name + ".bias")) + "_folded", bias, d.Units)]);
                        i++; // the BatchNorm is done
                    }
                    else
                    {
                        var inputs = new List<string> { x, b.Initializer(NameOf(d.Weight, d.Name + ".weight"), d.Weight.Data, d.Inputs, d.Units) };
                        if (d.Bias is not null) inputs.Add(b.Initializer(NameOf(d.Bias, d.Name + ".bias"), d.Bias.Data, d.Units));
                        x = b.Node("Gemm", d.Name, inputs);
                    }
                    width = d.Units;
                    x = EmitActivation(b, d.Activation, x, d.Name, width);
                    break;
                }
                case BatchNorm bn:
                {
                    int c = bn.Features;
                    var ones = new float[c]; Array.Fill(ones, 1f);
                    string scale = bn.Gamma is null ? b.Initializer(bn.Name + ".gamma_ones", ones, c) : b.Initializer(NameOf(bn.Gamma, bn.Name + ".gamma"), bn.Gamma.Data, c);
                    string offset = bn.Beta is null ? b.Initializer(bn.Name + ".beta_zeros", new float[c], c) : b.Initializer(NameOf(bn.Beta, bn.Name + ".beta"), bn.Beta.Data, c);
                    string mean = b.Initializer(NameOf(bn.RunningMean, bn.Name + ".running_mean"), bn.RunningMean.Data, c);
                    string variance = b.Initializer(NameOf(bn.RunningVar, bn.Name + ".running_var"), bn.RunningVar.Data, c);
                    x = b.Node("BatchNormalization", bn.Name, [x, scale, offset, mean, variance], OnnxGraphBuilder.Float("epsilon", bn.Epsilon));
                    break;
                }
                case ActivationLayer a:
                    x = EmitActivation(b, a.Activation, x, a.Name, width);
                    break;
                case PReLU p:
                    x = b.Node("PRelu", p.Name, [x, b.Initializer(NameOf(p.Alpha, p.Name + ".alpha"), p.Alpha.Data, p.Alpha.Length)]);
                    break;
                default:
                    throw new OnnxExportException(layer.Name,
                        $"layer '{layer.Name}' ({layer.Kind}) has no ONNX form; the exporter translates Dense, BatchNorm, Activation, PReLU, " +
                        "Dropout and StopGradient layers");
            }
        }
        if (options.Softmax) x = b.Node("Softmax", "softmax", [x], OnnxGraphBuilder.Int("axis", -1));
        b.SetOutput(x, options.EffectiveOutputName, model.OutputFeatures);

        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "DeepTrain",
            ProducerVersion = System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(typeof(OnnxExporter).Assembly)?.InformationalVersion ?? "",
            ModelVersion = 1,
            Graph = b.Graph,
        };
        if (options.Description is not null) proto.DocString = options.Description;
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        proto.MetadataProps.Add(new StringStringEntryProto { Key = "deeptrain.layers", Value = string.Join(",", model.Layers.Select(l => $"{l.Name}:{l.Kind}")) });
        return proto;
    }

    // The layers in order, inference identities (Dropout, StopGradient) left out.
    private static List<Module> WithoutIdentities(Sequential s) => s.Layers.Where(l => l is not (Dropout or StopGradient)).ToList();

    private static bool IsLinear(Activation a) => !a.IsCustom && !a.IsRandomized && a.Kind == ActivationKind.Identity;

    // y = γ(xW + b − μ)/√(σ² + ε) + β = x(W·diag(s)) + ((b − μ)·s + β), s = γ/√(σ² + ε); computed in double.
    private static (float[] W, float[] B) Fold(Dense d, BatchNorm bn)
    {
        int k = d.Inputs, n = d.Units;
        var s = new double[n];
        var bias = new float[n];
        var mean = bn.RunningMean.Data; var variance = bn.RunningVar.Data;
        for (int j = 0; j < n; j++)
        {
            double gamma = bn.Gamma is null ? 1.0 : bn.Gamma.Data[j];
            double beta = bn.Beta is null ? 0.0 : bn.Beta.Data[j];
            double b0 = d.Bias is null ? 0.0 : d.Bias.Data[j];
            s[j] = gamma / Math.Sqrt((double)variance[j] + bn.Epsilon);
            bias[j] = (float)((b0 - mean[j]) * s[j] + beta);
        }
        var w = new float[k * n];
        var src = d.Weight.Data;
        for (int r = 0; r < k; r++)
            for (int j = 0; j < n; j++) w[r * n + j] = (float)(src[r * n + j] * s[j]);
        return (w, bias);
    }

    /// <summary>Emits the nodes of <paramref name="activation"/> applied to <paramref name="x"/> (a [batch, <paramref name="units"/>] value) and returns the result's name.</summary>
    internal static string EmitActivation(OnnxGraphBuilder b, Activation activation, string x, string scope, int units)
    {
        if (activation.IsCustom) return ActivationTracer.Emit(b, activation, x, scope, units);
        if (activation.IsRandomized)
            return b.Node("LeakyRelu", scope, [x], OnnxGraphBuilder.Float("alpha", (activation.Alpha + activation.Upper) / 2f));
        return EmitKind(b, activation.Kind, activation.Alpha, x, scope);
    }

    /// <summary>Emits one built-in activation kind.</summary>
    internal static string EmitKind(OnnxGraphBuilder b, ActivationKind kind, float alpha, string x, string scope) => kind switch
    {
        ActivationKind.Identity => x,
        ActivationKind.Relu => b.Node("Relu", scope, [x]),
        ActivationKind.LeakyRelu => b.Node("LeakyRelu", scope, [x], OnnxGraphBuilder.Float("alpha", alpha)),
        ActivationKind.Elu => b.Node("Elu", scope, [x], OnnxGraphBuilder.Float("alpha", alpha)),
        ActivationKind.Selu => b.Node("Selu", scope, [x],
            OnnxGraphBuilder.Float("alpha", ActivationKernels.SeluAlpha), OnnxGraphBuilder.Float("gamma", ActivationKernels.SeluScale)),
        ActivationKind.Sigmoid => b.Node("Sigmoid", scope, [x]),
        ActivationKind.Tanh => b.Node("Tanh", scope, [x]),
        ActivationKind.Softplus => b.Node("Softplus", scope, [x]),
        _ => throw new OnnxExportException(scope, $"layer '{scope}': the activation {kind} has no ONNX translation"),
    };
}
