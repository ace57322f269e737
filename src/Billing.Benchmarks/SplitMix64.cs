namespace Billing.Benchmarks;

/// <summary>SplitMix64: tiny, fast, and the same sequence everywhere (unlike anything we do not own).</summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        unchecked
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>Uniform enough in [0, bound) for test data (modulo bias is irrelevant here).</summary>
    public ulong Below(ulong bound) => Next() % bound;
}
