namespace Billing.Core.Catalog;

/// <summary>
/// Destination groups by E.164 prefix (digits, no '+'). A prefix may belong to several groups.
/// Lookups walk the number's prefixes from the longest down, so the plan can take the longest
/// prefix it actually prices.
/// </summary>
public sealed class DestinationTable
{
    private readonly Dictionary<string, string[]> _groupsByPrefix;

    public DestinationTable(IEnumerable<(string Prefix, string Group)> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _groupsByPrefix = entries
            .GroupBy(e => e.Prefix, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Group).Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        MaxPrefixLength = _groupsByPrefix.Count == 0 ? 0 : _groupsByPrefix.Keys.Max(k => k.Length);
    }

    public int MaxPrefixLength { get; }

    public int Count => _groupsByPrefix.Count;

    public IEnumerable<(string Prefix, string Group)> Entries =>
        _groupsByPrefix.SelectMany(kv => kv.Value.Select(g => (kv.Key, g)));

    /// <summary>(prefix, group) pairs matching <paramref name="number"/>, longest prefix first.</summary>
    public IEnumerable<(string Prefix, string Group)> Matches(string number)
    {
        ArgumentNullException.ThrowIfNull(number);
        for (var len = Math.Min(number.Length, MaxPrefixLength); len > 0; len--)
        {
            if (_groupsByPrefix.TryGetValue(number[..len], out var groups))
            {
                foreach (var g in groups)
                {
                    yield return (number[..len], g);
                }
            }
        }
    }

    /// <summary>Allocation-free lookup for the hot path: the groups of exactly this prefix.</summary>
    public bool TryGetGroups(ReadOnlySpan<char> prefix, out string[] groups)
    {
        var lookup = _groupsByPrefix.GetAlternateLookup<ReadOnlySpan<char>>();
        return lookup.TryGetValue(prefix, out groups!);
    }
}
