using DeepTrain.Autograd;

namespace DeepTrain.Tensors;

/// <summary>
/// Owns the intermediate tensors of one training step. While a scope is open on a thread, every tensor an op
/// creates on that thread (and every gradient buffer of such a tensor) comes from the scope's pool; closing the
/// scope gives them all back, so a steady-state step allocates nothing. The fit loop opens one per step; user code
/// rarely needs to.
/// </summary>
/// <remarks>
/// A tensor made inside a scope is valid until the scope closes. To keep one beyond that, call
/// <see cref="Tensor.Keep"/> (or copy it with <see cref="Tensor.Clone"/>) before closing. Outside any scope tensors
/// are ordinary garbage-collected objects. A scope is reused from step to step: make one and open it every step.
/// </remarks>
public sealed class StepScope
{
    [ThreadStatic] private static StepScope? t_current;

    private readonly BufferPool _buffers = new();
    private readonly Stack<Tensor> _freeTensors = new();
    private readonly Dictionary<Type, Stack<Node>> _freeNodes = new();
    private Tensor?[] _live = new Tensor?[256];
    private int _liveCount;
    private Node[] _nodes = new Node[256];
    private int _nodeCount;
    private StepScope? _previous;
    private bool _open;
    private int _thread;

    /// <summary>The scope open on this thread, or null.</summary>
    internal static StepScope? Current => t_current;

    /// <summary>Opens the scope on this thread; dispose the handle (or call <see cref="Close"/>) to recycle.</summary>
    public Handle Open()
    {
        if (_open) throw new InvalidOperationException("this StepScope is already open");
        _previous = t_current;
        t_current = this;
        _open = true;
        _thread = Environment.CurrentManagedThreadId;
        return new Handle(this);
    }

    /// <summary>Closes the scope: every tensor made in it (but those kept) goes back to the pool.</summary>
    public void Close()
    {
        if (!_open) return;
        if (_thread != Environment.CurrentManagedThreadId)
            throw new InvalidOperationException("a StepScope must be closed on the thread that opened it");
        for (int i = 0; i < _nodeCount; i++)
        {
            var node = _nodes[i];
            if (node.Output is { } o && o.Owner != this) o.Creator = null; // a kept tensor forgets its graph
            node.Clear();
            if (!_freeNodes.TryGetValue(node.GetType(), out var stack))
                _freeNodes[node.GetType()] = stack = new Stack<Node>();
            stack.Push(node);
            _nodes[i] = null!;
        }
        _nodeCount = 0;
        for (int i = 0; i < _liveCount; i++)
        {
            var t = _live[i];
            if (t is null) continue;
            if (!t.IsView) _buffers.Return(t.RawData);
            if (t.RawGrad is { } g) _buffers.Return(g);
            t.Recycle();
            _freeTensors.Push(t);
            _live[i] = null;
        }
        _liveCount = 0;
        t_current = _previous;
        _previous = null;
        _open = false;
    }

    internal Tensor RentTensor(Shape shape, bool zero)
    {
        var buffer = _buffers.Rent(shape.Size);
        if (zero) Array.Clear(buffer);
        return Track(buffer, shape, isView: false);
    }

    internal Tensor RentView(Tensor source, Shape shape) => Track(source.RawData, shape, isView: true);

    private Tensor Track(float[] buffer, Shape shape, bool isView)
    {
        var t = _freeTensors.Count > 0 ? _freeTensors.Pop() : new Tensor();
        t.Reset(buffer, shape, this, _liveCount, isView);
        if (_liveCount == _live.Length) Array.Resize(ref _live, _live.Length * 2);
        _live[_liveCount++] = t;
        return t;
    }

    internal float[] RentGrad(int length, bool zero)
    {
        var g = _buffers.Rent(length);
        if (zero) Array.Clear(g);
        return g;
    }

    internal void Forget(Tensor t) => _live[t.ScopeIndex] = null;

    internal T RentNode<T>() where T : Node, new()
    {
        T node = _freeNodes.TryGetValue(typeof(T), out var stack) && stack.Count > 0 ? (T)stack.Pop() : new T();
        if (_nodeCount == _nodes.Length) Array.Resize(ref _nodes, _nodes.Length * 2);
        _nodes[_nodeCount++] = node;
        return node;
    }

    /// <summary>Closes the scope when disposed.</summary>
    public readonly struct Handle : IDisposable
    {
        private readonly StepScope _scope;
        internal Handle(StepScope scope) => _scope = scope;
        /// <summary>Closes the scope.</summary>
        public void Dispose() => _scope.Close();
    }
}
