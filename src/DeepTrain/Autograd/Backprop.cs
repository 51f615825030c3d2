using System.Numerics.Tensors;
using DeepTrain.Tensors;

namespace DeepTrain.Autograd;

/// <summary>
/// Reverse-mode differentiation: orders the graph below a scalar topologically (depth-first, no allocation in
/// steady state) and runs each node's backward in reverse order, so every node sees its output's complete
/// gradient before it pushes it further down.
/// </summary>
internal static class Backprop
{
    [ThreadStatic] private static List<Node>? t_order;
    [ThreadStatic] private static Stack<(Node node, int next)>? t_stack;
    private static int s_mark;

    public static void Run(Tensor root, bool retainGraph)
    {
        if (root.Length != 1)
            throw new InvalidOperationException($"Backward() needs a scalar (one-element) tensor: shape is {root.Shape}; reduce it first, e.g. with Sum() or Mean()");
        if (!root.RequiresGrad)
            throw new InvalidOperationException("Backward() on a tensor that does not require a gradient: no input of its graph has RequiresGrad set, or it was made under NoGrad");
        if (root.Creator is { Freed: true })
            throw new InvalidOperationException("Backward() through a graph that was already freed by an earlier Backward(); pass retainGraph: true to the first call to differentiate twice");

        var order = t_order ??= new List<Node>(256);
        var stack = t_stack ??= new Stack<(Node, int)>(64);
        order.Clear();
        int mark = Interlocked.Increment(ref s_mark);
        if (root.Creator is { } top)
        {
            top.VisitMark = mark;
            stack.Push((top, 0));
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                Tensor? child = next switch { 0 => node.In0, 1 => node.In1, 2 => node.In2, _ => null };
                if (next > 2) { order.Add(node); continue; }
                stack.Push((node, next + 1));
                if (child?.Creator is { } c && child.RequiresGrad && c.VisitMark != mark)
                {
                    if (c.Freed)
                        throw new InvalidOperationException($"Backward() through a graph that was already freed (at op {c.OpName}); pass retainGraph: true to the first call");
                    c.VisitMark = mark;
                    stack.Push((c, 0));
                }
            }
        }

        // Gradients of intermediate results hold only this pass's contributions (leaves accumulate across passes).
        for (int i = 0; i < order.Count; i++) order[i].Output?.ZeroGrad();
        root.EnsureGrad()[0] += 1f;
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var node = order[i];
            if (node.Output?.RawGrad is null) continue; // nothing reached this node
            node.Backward();
        }
        if (!retainGraph)
            for (int i = 0; i < order.Count; i++) order[i].Freed = true;
        order.Clear();
    }

    /// <summary>Adds <paramref name="src"/> into <paramref name="t"/>'s gradient.</summary>
    public static void Accumulate(Tensor t, ReadOnlySpan<float> src)
    {
        var g = t.GradForWrite(out bool accumulate).AsSpan(0, t.Length);
        if (accumulate) TensorPrimitives.Add(g, src, g);
        else src.CopyTo(g);
    }
}
