using NodaTime;

namespace Billing.Core.Dunning;

/// <summary>How long past its due date an amount is (the aging report's columns).</summary>
public enum AgingBucket
{
    /// <summary>Not yet past its due date.</summary>
    Current,
    Days1To30,
    Days31To60,
    Days61To90,
    Over90,
}

/// <summary>Something an account still owes: an issued invoice's outstanding amount and its due date.</summary>
public sealed record OwedItem(string AccountId, string Currency, LocalDate DueDate, decimal Outstanding);

/// <summary>One account's (or the total's) outstanding amounts in one currency, by bucket.</summary>
public sealed record AgingLine(string AccountId, string Currency, IReadOnlyDictionary<AgingBucket, decimal> Buckets)
{
    public decimal Total => Buckets.Values.Sum();

    public decimal Overdue => Buckets.Where(b => b.Key != AgingBucket.Current).Sum(b => b.Value);
}

/// <summary>The aging report: per account and currency, and in total per currency.</summary>
public sealed record AgingReport(LocalDate AsOf, IReadOnlyList<AgingLine> Accounts, IReadOnlyList<AgingLine> Totals);

/// <summary>
/// Receivables aging (pure): what is owed, by how many days past due on a date — current (due today or
/// later), 1–30, 31–60, 61–90, over 90 days — per account and currency, and in total per currency.
/// Disputed invoices are still owed and counted.
/// </summary>
public static class Aging
{
    public static readonly IReadOnlyList<AgingBucket> Buckets = Enum.GetValues<AgingBucket>();

    public static string Code(this AgingBucket bucket) => bucket switch
    {
        AgingBucket.Current => "current",
        AgingBucket.Days1To30 => "1-30",
        AgingBucket.Days31To60 => "31-60",
        AgingBucket.Days61To90 => "61-90",
        AgingBucket.Over90 => "over-90",
        _ => throw new ArgumentOutOfRangeException(nameof(bucket), bucket, null),
    };

    public static AgingBucket BucketOf(int daysPastDue) => daysPastDue switch
    {
        <= 0 => AgingBucket.Current,
        <= 30 => AgingBucket.Days1To30,
        <= 60 => AgingBucket.Days31To60,
        <= 90 => AgingBucket.Days61To90,
        _ => AgingBucket.Over90,
    };

    public static AgingReport Of(IEnumerable<OwedItem> items, LocalDate asOf)
    {
        ArgumentNullException.ThrowIfNull(items);
        var accounts = items
            .GroupBy(i => (i.AccountId, i.Currency))
            .OrderBy(g => g.Key.AccountId, StringComparer.Ordinal).ThenBy(g => g.Key.Currency, StringComparer.Ordinal)
            .Select(g => Line(g.Key.AccountId, g.Key.Currency, g.Select(i => (BucketOf(Period.Between(i.DueDate, asOf, PeriodUnits.Days).Days), i.Outstanding))))
            .ToList();
        var totals = accounts.GroupBy(a => a.Currency).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Line("", g.Key, g.SelectMany(a => a.Buckets.Select(b => (b.Key, b.Value)))))
            .ToList();
        return new AgingReport(asOf, accounts, totals);
    }

    private static AgingLine Line(string account, string currency, IEnumerable<(AgingBucket Bucket, decimal Amount)> amounts)
    {
        var buckets = Buckets.ToDictionary(b => b, _ => 0m);
        foreach (var (bucket, amount) in amounts)
        {
            buckets[bucket] += amount;
        }

        return new AgingLine(account, currency, buckets);
    }
}
