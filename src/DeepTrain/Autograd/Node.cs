using DeepTrain.Tensors;

namespace DeepTrain.Autograd;

/// <summary>
/// One recorded op in the graph: it knows its inputs (at most three), its output, and how to push the output's
/// gradient back to its inputs. Ops derive one small node class each, written next to their forward code.
/// Nodes are pooled by the step scope, so they hold no closures and reset their fields in <see cref="Clear"/>.
/// </summary>
public abstract class Node
{
    internal Tensor? In0, In1, In2;
    internal Tensor? Output;
    internal int VisitMark;
    internal bool Freed;

    /// <summary>Adds this op's contribution to its inputs' gradients, given <c>Output.Grad</c>.</summary>
    /// <remarks>Only inputs that require a gradient are written; each write accumulates (<c>dX += ...</c>).</remarks>
    protected internal abstract void Backward();

    /// <summary>The op's name, for error messages.</summary>
    public abstract string OpName { get; }

    /// <summary>Drops references so the pooled node holds nothing alive; ops with extra saved state override it.</summary>
    protected internal virtual void Clear()
    {
        In0 = In1 = In2 = null;
        Output = null;
        Freed = false;
    }

    /// <summary>True when input <paramref name="t"/> needs a gradient.</summary>
    protected static bool Needs(Tensor? t) => t is not null && t.RequiresGrad;
}
