using DeepTrain.Autograd;
using DeepTrain.Kernels;
using DeepTrain.Layers;
using DeepTrain.Tensors;

namespace DeepTrain.Onnx;

/// <summary>
/// Translates a user-defined activation (an arbitrary <c>Func&lt;Tensor, Tensor&gt;</c>) into ONNX nodes by tracing:
/// the function runs once on a trace input that requires a gradient, so every op that depends on the input records
/// a node on the tape; walking that tape from the result back to the input gives the op graph, and each op becomes
/// its ONNX counterpart. Tensors the function makes without the input (captured or computed constants) become
/// initializers named <c>{layer}.constant{k}</c>.
/// </summary>
/// <remarks>
/// The trace records what the function did on this one input: a function that branches on the values (not only the
/// shapes) it sees would be captured along one branch. Functions built from ops, as activations are, have no such
/// branches.
/// </remarks>
internal static class ActivationTracer
{
    private const int TraceRows = 3;

    /// <summary>The DeepTrain ops a traced activation may use.</summary>
    internal static readonly string[] SupportedOps =
        ["Add", "Sub", "Mul", "Div", "Affine", "Maximum", "Minimum", "Exp", "Log", "Sqrt", "Pow", "MatMul", "Softmax", "LogSoftmax", "PRelu",
         .. Enum.GetNames<ActivationKind>()];

    /// <summary>Emits the traced graph of <paramref name="activation"/> applied to <paramref name="x"/> ([batch, <paramref name="units"/>]).</summary>
    public static string Emit(OnnxGraphBuilder b, Activation activation, string x, string scope, int units)
    {
        var (input, output) = Trace(activation, scope, units);
        if (output.Shape != input.Shape)
            throw new OnnxExportException(scope, $"layer '{scope}': the custom activation '{activation.Name}' changed the shape {input.Shape} to {output.Shape}; an activation must keep it");
        var translator = new Translator(b, activation.Name, scope, input.RawData, x);
        string y = translator.Visit(output);
        if (!translator.ReachedInput)
            throw new OnnxExportException(scope, $"layer '{scope}': the custom activation '{activation.Name}' does not depend on its input (it returns a constant)");
        return y;
    }

    // Runs the function on a thread of its own: there gradient recording is on (whatever NoGrad scope the caller is
    // in) and no step scope is open, so the recorded tensors are ordinary objects that outlive the trace.
    private static (Tensor Input, Tensor Output) Trace(Activation activation, string scope, int units)
    {
        Tensor? input = null, output = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                var values = new float[TraceRows * units];
                for (int i = 0; i < values.Length; i++) values[i] = -3f + 6f * i / Math.Max(1, values.Length - 1) + 0.0123f;
                input = Tensor.FromArray(values, TraceRows, units);
                input.RequiresGrad = true;
                output = activation.Apply(input, training: false, rng: null);
            }
            catch (Exception e)
            {
                error = e;
            }
        }, maxStackSize: 16 << 20);
        thread.Start();
        thread.Join();
        if (error is not null)
            throw new OnnxExportException(scope, $"layer '{scope}': running the custom activation '{activation.Name}' on a trace input failed: {error.Message}", error);
        if (output is null)
            throw new OnnxExportException(scope, $"layer '{scope}': the custom activation '{activation.Name}' returned null");
        return (input!, output);
    }

    private sealed class Translator
    {
        private readonly OnnxGraphBuilder b;
        private readonly string activationName, scope;
        private readonly float[] _inputData;
        // Values by storage: a detached view shares its source's storage and so maps to the same ONNX value.
        private readonly Dictionary<float[], string> _values = new(ReferenceEqualityComparer.Instance);
        private int _constants;

        public Translator(OnnxGraphBuilder builder, string activationName, string scope, float[] inputData, string inputName)
        {
            b = builder; this.activationName = activationName; this.scope = scope;
            _inputData = inputData;
            _values[inputData] = inputName;
        }

        /// <summary>True once the walk has met the trace input.</summary>
        public bool ReachedInput { get; private set; }

        public string Visit(Tensor t)
        {
            if (_values.TryGetValue(t.RawData, out var known))
            {
                if (ReferenceEquals(t.RawData, _inputData)) ReachedInput = true;
                return known;
            }
            string name;
            if (t.Creator is { } node && ReferenceEquals(node.Output, t)) name = Translate(node);
            else if (t.Shape.Rank >= 2 && t.Shape[0] == TraceRows)
                // batch-shaped yet made without recorded ops from the input: an op on a detached tensor (or computed
                // from the input's values by hand); baking it in as a constant would be wrong for any other input
                throw new OnnxExportException(scope,
                    $"layer '{scope}': the custom activation '{activationName}' computes a batch-shaped tensor ({t.Shape}) whose ops were not recorded " +
                    "(ops applied to a Detach()ed input, or values computed outside the ops), so it cannot be traced to ONNX");
            else name = b.Initializer($"{scope}.constant{++_constants}", t.Data, Dims(t));
            _values[t.RawData] = name;
            return name;
        }

        private static long[] Dims(Tensor t)
        {
            var dims = new long[t.Shape.Rank];
            for (int i = 0; i < dims.Length; i++) dims[i] = t.Shape[i];
            return dims;
        }

        private float Attribute(Node n, string name) => n is IOpAttributes a
            ? a.GetAttribute(name)
            : throw new OnnxExportException(scope, $"layer '{scope}': the op {n.OpName} in custom activation '{activationName}' does not expose its '{name}'");

        private string Translate(Node n)
        {
            string op = n.OpName;
            switch (op)
            {
                case "Add" or "Sub" or "Mul" or "Div" or "MatMul":
                    return b.Node(op, scope, [Visit(n.In0!), Visit(n.In1!)]);
                case "Maximum" or "Minimum":
                {
                    string a = Visit(n.In0!);
                    string other = n.In1 is null ? b.Scalar($"{scope}.constant{++_constants}", Attribute(n, "s")) : Visit(n.In1);
                    return b.Node(op == "Maximum" ? "Max" : "Min", scope, [a, other]);
                }
                case "Affine":
                {
                    // y = α·x + β, in that order (as the op computes it)
                    float alpha = Attribute(n, "alpha"), beta = Attribute(n, "beta");
                    string y = Visit(n.In0!);
                    if (alpha != 1f) y = b.Node("Mul", scope, [y, b.Scalar($"{scope}.constant{++_constants}", alpha)]);
                    if (beta != 0f) y = b.Node("Add", scope, [y, b.Scalar($"{scope}.constant{++_constants}", beta)]);
                    return y;
                }
                case "Exp" or "Log" or "Sqrt":
                    return b.Node(op, scope, [Visit(n.In0!)]);
                case "Pow":
                {
                    float p = Attribute(n, "p");
                    string x = Visit(n.In0!);
                    return p == 2f ? b.Node("Mul", scope, [x, x]) : b.Node("Pow", scope, [x, b.Scalar($"{scope}.constant{++_constants}", p)]);
                }
                case "Softmax" or "LogSoftmax":
                    return b.Node(op, scope, [Visit(n.In0!)], OnnxGraphBuilder.Int("axis", -1));
                case "PRelu":
                    return b.Node("PRelu", scope, [Visit(n.In0!), Visit(n.In1!)]);
                default:
                    if (Enum.TryParse<ActivationKind>(op, out var kind))
                    {
                        string x = Visit(n.In0!);
                        float alpha = kind is ActivationKind.LeakyRelu or ActivationKind.Elu ? Attribute(n, "alpha") : 0f;
                        return OnnxExporter.EmitKind(b, kind, alpha, x, scope);
                    }
                    throw new OnnxExportException(scope,
                        $"layer '{scope}': the custom activation '{activationName}' uses the op {op}, which the ONNX exporter cannot translate; " +
                        $"traceable ops: {string.Join(", ", SupportedOps)}");
            }
        }
    }
}
