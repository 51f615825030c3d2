namespace DeepTrain.Tensors;

/// <summary>
/// Float buffers kept for reuse, bucketed by exact length. A training step asks for the same lengths every time,
/// so after the first step every request is met from the pool and nothing is allocated.
/// </summary>
internal sealed class BufferPool
{
    private readonly Dictionary<int, Stack<float[]>> _buckets = new();

    /// <summary>A buffer of exactly <paramref name="length"/> floats, with arbitrary contents.</summary>
    public float[] Rent(int length)
    {
        if (_buckets.TryGetValue(length, out var stack) && stack.Count > 0) return stack.Pop();
        return length == 0 ? [] : GC.AllocateUninitializedArray<float>(length);
    }

    /// <summary>Gives a buffer back for a later <see cref="Rent"/>.</summary>
    public void Return(float[] buffer)
    {
        if (!_buckets.TryGetValue(buffer.Length, out var stack))
        {
            stack = new Stack<float[]>();
            _buckets[buffer.Length] = stack;
        }
        stack.Push(buffer);
    }
}
