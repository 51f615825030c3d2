using System.Numerics;

namespace DeepTrain.Tensors;

/// <summary>
/// The one seedable random generator of DeepTrain (xoshiro128**, seeded through SplitMix64). Everything random
/// (initialization, shuffling, dropout masks, RReLU slopes) draws from a generator passed in explicitly, so a seed
/// and a thread count fix a run bit for bit. Its state can be read and restored for exact resumption.
/// </summary>
public sealed class Rng
{
    private uint _s0, _s1, _s2, _s3;
    private float _spare;
    private bool _hasSpare;

    /// <summary>Makes a generator from a seed; equal seeds give equal streams.</summary>
    public Rng(ulong seed) => Reseed(seed);

    /// <summary>Restarts the stream from a seed.</summary>
    public void Reseed(ulong seed)
    {
        ulong x = seed;
        ulong a = SplitMix(ref x), b = SplitMix(ref x);
        _s0 = (uint)a; _s1 = (uint)(a >> 32); _s2 = (uint)b; _s3 = (uint)(b >> 32);
        if ((_s0 | _s1 | _s2 | _s3) == 0) _s0 = 1;
        _hasSpare = false;
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 32 random bits.</summary>
    public uint NextUInt()
    {
        uint result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        uint t = _s1 << 9;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 11);
        return result;
    }

    /// <summary>A uniform float in [0, 1), with 24 random bits.</summary>
    public float NextFloat() => (NextUInt() >> 8) * (1.0f / 16777216f);

    /// <summary>A uniform double in [0, 1).</summary>
    public double NextDouble() => (((ulong)NextUInt() << 21) ^ (NextUInt() >> 11)) * (1.0 / 9007199254740992.0);

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), $"must be positive: got {maxExclusive}");
        return (int)(((ulong)NextUInt() * (ulong)maxExclusive) >> 32);
    }

    /// <summary>A standard normal draw (Box-Muller in double precision).</summary>
    public float NextGaussian()
    {
        if (_hasSpare) { _hasSpare = false; return _spare; }
        double u1, u2;
        do { u1 = NextDouble(); } while (u1 <= double.Epsilon);
        u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        _spare = (float)(r * Math.Sin(2 * Math.PI * u2));
        _hasSpare = true;
        return (float)(r * Math.Cos(2 * Math.PI * u2));
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher-Yates).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>The generator's full state, to save with a checkpoint.</summary>
    public ulong[] GetState() => [((ulong)_s1 << 32) | _s0, ((ulong)_s3 << 32) | _s2, _hasSpare ? 1UL : 0UL, BitConverter.SingleToUInt32Bits(_spare)];

    /// <summary>Restores a state made by <see cref="GetState"/>.</summary>
    public void SetState(ulong[] state)
    {
        if (state is not { Length: 4 }) throw new ArgumentException("an Rng state has 4 words");
        _s0 = (uint)state[0]; _s1 = (uint)(state[0] >> 32); _s2 = (uint)state[1]; _s3 = (uint)(state[1] >> 32);
        _hasSpare = state[2] != 0; _spare = BitConverter.UInt32BitsToSingle((uint)state[3]);
    }
}
