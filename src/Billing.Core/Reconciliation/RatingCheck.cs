using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace Billing.Core.Reconciliation;

/// <summary>What became of a usage record: rated, held, neither or both.</summary>
public static class UsageStates
{
    public const string Rated = "rated";
    public const string Held = "held";
    public const string Neither = "neither";
    public const string Both = "both";
}

/// <summary>How many usage records of the cycles are in a state (and, when held, for which reason).</summary>
public sealed record UsageCount(string State, string? Reason, long Count);

/// <summary>
/// A usage record in a state that breaks the rating link (or a charge of the cycles whose usage record
/// is missing: <see cref="UsageStates.Rated"/> with no record), for the report to name.
/// </summary>
public sealed record UsageExample
{
    public string State { get; init; } = "";

    public long UsageId { get; init; }

    /// <summary>source:record key; empty when the usage row is missing.</summary>
    public string Record { get; init; } = "";

    public string? Msisdn { get; init; }

    public Instant Start { get; init; }

    public string? Account { get; init; }

    public string? Reason { get; init; }

    public string Subject => string.IsNullOrEmpty(Record)
        ? $"charge of usage #{UsageId.ToString(CultureInfo.InvariantCulture)}"
        : $"usage #{UsageId.ToString(CultureInfo.InvariantCulture)} {Record}";

    public string When => $"{Msisdn} at {InstantPattern.General.Format(Start)}{(Account is null ? ", no subscriber at the time" : $", account {Account}")}";
}

/// <summary>The usage of the cycles: how much, rated, held (by reason).</summary>
public sealed record RatingSummary(long Usage, long Rated, long Held, IReadOnlyDictionary<string, long> HeldByReason);

/// <summary>The rating link: every usage record of the cycles rated (a charge) or held with a reason, not both, not neither; every charge of the cycles has its usage record.</summary>
public static class RatingCheck
{
    /// <summary>
    /// Checks the counts into <paramref name="log"/>, naming the <paramref name="examples"/> the store
    /// listed (the first few of each problem) and counting the rest.
    /// </summary>
    public static RatingSummary Record(IReadOnlyList<UsageCount> counts, long chargesWithoutUsage, IReadOnlyList<UsageExample> examples, DifferenceLog log)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(log);
        static bool Blank(string? reason) => string.IsNullOrWhiteSpace(reason);
        long Count(Func<UsageCount, bool> which) => counts.Where(which).Sum(c => c.Count);
        IEnumerable<ChainDifference> Listed(Func<UsageExample, bool> which, string code, Func<UsageExample, string> detail) =>
            examples.Where(which).Select(e => new ChainDifference(ChainLink.Rating, code, e.Subject, detail(e)));

        log.Add(Listed(e => e.State == UsageStates.Neither, DifferenceCodes.NeitherRatedNorHeld, e => $"{e.When}: neither rated nor held"),
            Count(c => c.State == UsageStates.Neither));
        log.Add(Listed(e => e.State == UsageStates.Both, DifferenceCodes.RatedAndHeld, e => $"{e.When}: rated and also held ({e.Reason})"),
            Count(c => c.State == UsageStates.Both));
        log.Add(Listed(e => e.State == UsageStates.Held && Blank(e.Reason), DifferenceCodes.HeldWithoutReason, e => $"{e.When}: held with no reason"),
            Count(c => c.State == UsageStates.Held && Blank(c.Reason)));
        log.Add(Listed(e => e.State == UsageStates.Rated && string.IsNullOrEmpty(e.Record), DifferenceCodes.ChargeWithoutUsage,
                e => $"a charge of account {e.Account} at {InstantPattern.General.Format(e.Start)} in the cycle, but no usage record of the cycle behind it"),
            chargesWithoutUsage);

        var held = counts.Where(c => c.State == UsageStates.Held && !Blank(c.Reason))
            .GroupBy(c => c.Reason!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(c => c.Count), StringComparer.Ordinal);
        return new RatingSummary(counts.Sum(c => c.Count), Count(c => c.State == UsageStates.Rated), held.Values.Sum(), held);
    }
}
