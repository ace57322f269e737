namespace Billing.Core.Reconciliation;

/// <summary>The links of the chain from CDR file to invoice that a reconcile proves, in the order they are checked.</summary>
public enum ChainLink
{
    /// <summary>Every record of every file is on exactly one of usage, suspense, duplicates, filtered.</summary>
    Mediation,

    /// <summary>Every usage record of the cycles is rated or held with a reason: not both, not neither.</summary>
    Rating,

    /// <summary>Every rated postpaid charge of an invoiced cycle is on exactly one invoice line.</summary>
    Invoicing,

    /// <summary>Every invoice's sums: lines, taxes, total, the balance.</summary>
    InvoiceSums,
}

/// <summary>
/// One thing that does not reconcile: the link it breaks, a stable code (<see cref="DifferenceCodes"/>),
/// what it is about (a file, a usage record, an invoice line) and the figures that disagree.
/// </summary>
public sealed record ChainDifference(ChainLink Link, string Code, string Subject, string Detail);

/// <summary>The codes of <see cref="ChainDifference"/>, one home for the words scripts match on.</summary>
public static class DifferenceCodes
{
    public const string ManifestSum = "manifest-sum";
    public const string AcceptedNotInUsage = "accepted-not-in-usage";
    public const string SuspendedNotInSuspense = "suspended-not-in-suspense";
    public const string RecordsOfUnarchivedFile = "records-of-unarchived-file";
    public const string RecycledUsageMissing = "recycled-usage-missing";

    public const string NeitherRatedNorHeld = "neither-rated-nor-held";
    public const string RatedAndHeld = "rated-and-held";
    public const string HeldWithoutReason = "held-without-reason";
    public const string ChargeWithoutUsage = "charge-without-usage";

    public const string LineChargesDiffer = "line-charges-differ";
    public const string BilledTwice = "billed-twice";
    public const string LateChargeOfUninvoicedCycle = "late-charge-of-uninvoiced-cycle";
    public const string LateChargeOnMissingInvoice = "late-charge-on-missing-invoice";
    public const string CycleNotRecorded = "cycle-not-recorded";

    public const string LinesNotSubtotal = "lines-not-subtotal";
    public const string TaxesNotTax = "taxes-not-tax";
    public const string TotalNotSubtotalPlusTax = "total-not-subtotal-plus-tax";
    public const string AmountDueNotBalance = "amount-due-not-balance";
    public const string PreviousBalanceNotLastDue = "previous-balance-not-last-due";
    public const string FinerThanMinorUnit = "finer-than-minor-unit";
}

/// <summary>
/// The differences found, in the order the links are checked: the first <see cref="Limit"/> kept to
/// print, all of them counted (a store may list only the first few of a kind and give the count).
/// </summary>
public sealed class DifferenceLog(int limit = DifferenceLog.DefaultLimit)
{
    public const int DefaultLimit = 20;

    private readonly List<ChainDifference> _first = [];

    public int Limit { get; } = limit;

    public long Count { get; private set; }

    public IReadOnlyList<ChainDifference> First => _first;

    public void Add(ChainDifference difference)
    {
        ArgumentNullException.ThrowIfNull(difference);
        Count++;
        if (_first.Count < Limit)
        {
            _first.Add(difference);
        }
    }

    /// <summary>Adds the listed differences of a kind and counts the <paramref name="total"/> − listed ones the store did not list.</summary>
    public void Add(IEnumerable<ChainDifference> listed, long total)
    {
        ArgumentNullException.ThrowIfNull(listed);
        long n = 0;
        foreach (var d in listed)
        {
            Add(d);
            n++;
        }

        Count += Math.Max(0, total - n);
    }
}
