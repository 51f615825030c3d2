using DeepTrain.Autograd;

namespace DeepTrain.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// Computes the gradient of this scalar with respect to every tensor of its graph that requires one,
    /// accumulating into their <see cref="Grad"/>. The graph is freed afterwards unless
    /// <paramref name="retainGraph"/> is true; a second call on a freed graph throws.
    /// </summary>
    public void Backward(bool retainGraph = false) => Backprop.Run(this, retainGraph);

    /// <summary>
    /// The same values cut from the graph (stop-gradient): nothing flows back through the result. Shares storage.
    /// </summary>
    public Tensor Detach()
    {
        var t = View(Shape);
        return t;
    }

    /// <summary>Records an op node of type <typeparamref name="TNode"/> as this tensor's creator when any input needs a gradient.</summary>
    /// <returns>This tensor.</returns>
    internal Tensor Record<TNode>(Tensor? in0, Tensor? in1 = null, Tensor? in2 = null) where TNode : Node, new()
        => RecordWith<TNode>(in0, in1, in2, out _);

    /// <summary>Like <see cref="Record{TNode}"/>, handing out the node (null when nothing was recorded) to fill its saved state.</summary>
    internal Tensor RecordWith<TNode>(Tensor? in0, Tensor? in1, Tensor? in2, out TNode? node) where TNode : Node, new()
    {
        node = null;
        if (!GradMode.IsEnabled) return this;
        if (!((in0?.RequiresGrad ?? false) || (in1?.RequiresGrad ?? false) || (in2?.RequiresGrad ?? false))) return this;
        node = StepScope.Current is { } s ? s.RentNode<TNode>() : new TNode();
        node.In0 = in0; node.In1 = in1; node.In2 = in2;
        node.Output = this;
        Creator = node;
        SetResultRequiresGrad(true);
        return this;
    }
}
