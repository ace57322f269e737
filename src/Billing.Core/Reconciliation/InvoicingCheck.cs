using System.Globalization;
using Billing.Core.Usage;
using NodaTime;

namespace Billing.Core.Reconciliation;

/// <summary>
/// One line key of an issued invoice (kind, cycle, subscription, plan, service, destination group):
/// what its lines carry beside the rated charges the invoice bills under that key. Zero lines: charges
/// no line carries; zero charges: a line no charge is behind.
/// </summary>
public sealed record LineTally
{
    public string Invoice { get; init; } = "";

    public string AccountId { get; init; } = "";

    /// <summary>usage (the invoice's own cycle) or late-usage (a cycle billed later).</summary>
    public string Kind { get; init; } = "";

    public LocalDate Cycle { get; init; }

    public string? Msisdn { get; init; }

    public string? PlanId { get; init; }

    public short? Service { get; init; }

    public string? DestinationGroup { get; init; }

    public string Currency { get; init; } = "";

    public long Lines { get; init; }

    public long LineCharges { get; init; }

    public decimal LineAmount { get; init; }

    public long Charges { get; init; }

    public decimal ChargeAmount { get; init; }

    public bool Matches => LineCharges == Charges && LineAmount == ChargeAmount;

    public string Subject =>
        $"{Invoice} {Kind} line {Msisdn} {(Service is { } s ? ((ServiceType)s).Code() : "?")} {DestinationGroup} of [{Day(Cycle)}, {Day(Cycle.PlusMonths(1))})";

    internal static string Day(LocalDate d) => d.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>Where rated charges stand against invoices: billed, waiting for an invoice, or wrong.</summary>
public static class ChargeStates
{
    /// <summary>On the issued invoice of its cycle (or, late, on the one that billed it).</summary>
    public const string Billed = "billed";

    /// <summary>A postpaid charge of an ended cycle no issued invoice billed yet: the run is not made or not approved.</summary>
    public const string NotBilled = "not-billed";

    /// <summary>Rated after its cycle was invoiced, waiting for the next invoice.</summary>
    public const string LateWaiting = "late-waiting";

    /// <summary>Not late (so on its cycle's invoice) and also marked billed by another invoice.</summary>
    public const string BilledTwice = "billed-twice";

    /// <summary>Late, but no invoice billed its cycle: late means its cycle was invoiced when it was rated.</summary>
    public const string LateOfUninvoicedCycle = "late-of-uninvoiced-cycle";

    /// <summary>Late and marked billed by an invoice that is not issued (or does not exist).</summary>
    public const string LateOnMissingInvoice = "late-on-missing-invoice";
}

/// <summary>Charges in one state, per account and cycle for the states that are not <see cref="ChargeStates.Billed"/>.</summary>
public sealed record ChargeCount
{
    public string State { get; init; } = "";

    public string? AccountId { get; init; }

    public LocalDate? Cycle { get; init; }

    /// <summary>The invoice the charges are marked billed by (late charges, and the second invoice of a charge billed twice).</summary>
    public string? Invoice { get; init; }

    /// <summary>The invoice of the cycle (a charge billed twice).</summary>
    public string? CycleInvoice { get; init; }

    public string Currency { get; init; } = "";

    public long Count { get; init; }

    public decimal Amount { get; init; }

    public long FirstUsageId { get; init; }
}

/// <summary>An issued invoice of the cycle whose own cycle is not recorded as billed by it (so rating would not know its charges are invoiced).</summary>
public sealed record UnrecordedCycle(string Invoice, string AccountId, LocalDate Cycle, string? RecordedInvoice);

/// <summary>Charges and lines of the cycle's invoices, and what is not billed yet (not a difference: the run is still to come).</summary>
public sealed record InvoicingSummary
{
    public long InvoicesIssued { get; init; }

    public long DraftsWaiting { get; init; }

    public long LinesMatched { get; init; }

    public long ChargesBilled { get; init; }

    public IReadOnlyDictionary<string, decimal> AmountBilled { get; init; } = new Dictionary<string, decimal>();

    public long LateBilled { get; init; }

    public long NotBilledAccounts { get; init; }

    public long NotBilledCharges { get; init; }

    public IReadOnlyDictionary<string, decimal> AmountNotBilled { get; init; } = new Dictionary<string, decimal>();

    public long LateWaiting { get; init; }
}

/// <summary>
/// The invoicing link: every rated postpaid charge of an invoiced cycle on exactly one line of an
/// issued invoice — each line key's charge count and exact sum equal the charges the invoice bills
/// under it — no charge billed twice, late charges on an issued invoice; charges of ended cycles not
/// yet billed are counted apart, not as differences.
/// </summary>
public static class InvoicingCheck
{
    public static InvoicingSummary Record(
        IEnumerable<LineTally> lines, IEnumerable<ChargeCount> charges, IEnumerable<UnrecordedCycle> unrecorded, long invoicesIssued, long draftsWaiting, DifferenceLog log)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(charges);
        ArgumentNullException.ThrowIfNull(unrecorded);
        ArgumentNullException.ThrowIfNull(log);
        var inv = CultureInfo.InvariantCulture;
        foreach (var u in unrecorded)
        {
            log.Add(new ChainDifference(ChainLink.Invoicing, DifferenceCodes.CycleNotRecorded, $"{u.Invoice} of {u.AccountId}",
                $"its cycle [{LineTally.Day(u.Cycle)}, {LineTally.Day(u.Cycle.PlusMonths(1))}) is recorded as billed by {u.RecordedInvoice ?? "no invoice"}"));
        }

        long matched = 0;
        foreach (var l in lines)
        {
            if (l.Matches)
            {
                matched += l.Lines;
                continue;
            }

            var detail = l.Lines == 0
                ? $"no line carries the {l.Charges} rated charges ({l.ChargeAmount.ToString(inv)} {l.Currency}) the invoice bills"
                : l.Charges == 0
                    ? $"{l.Lines} line(s) carry {l.LineCharges} charges ({l.LineAmount.ToString(inv)} {l.Currency}), but the invoice bills no rated charge of it"
                    : $"the line carries {l.LineCharges} charges ({l.LineAmount.ToString(inv)} {l.Currency}); the rated charges the invoice bills: {l.Charges} ({l.ChargeAmount.ToString(inv)} {l.Currency})";
            log.Add(new ChainDifference(ChainLink.Invoicing, DifferenceCodes.LineChargesDiffer, l.Subject, detail));
        }

        long billed = 0, late = 0, notBilled = 0, waiting = 0;
        var amountBilled = new SortedDictionary<string, decimal>(StringComparer.Ordinal);
        var amountNotBilled = new SortedDictionary<string, decimal>(StringComparer.Ordinal);
        var notBilledAccounts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in charges)
        {
            var what = $"{c.Count} charge(s) of {c.AccountId}, cycle starting {(c.Cycle is { } d ? LineTally.Day(d) : "?")} ({c.Amount.ToString(inv)} {c.Currency}; first usage #{c.FirstUsageId.ToString(inv)})";
            switch (c.State)
            {
                case ChargeStates.Billed:
                    billed += c.Count;
                    late += c.Invoice is null ? 0 : c.Count;
                    amountBilled[c.Currency] = amountBilled.GetValueOrDefault(c.Currency) + c.Amount;
                    break;
                case ChargeStates.NotBilled:
                    notBilled += c.Count;
                    notBilledAccounts.Add(c.AccountId ?? "");
                    amountNotBilled[c.Currency] = amountNotBilled.GetValueOrDefault(c.Currency) + c.Amount;
                    break;
                case ChargeStates.LateWaiting:
                    waiting += c.Count;
                    break;
                case ChargeStates.BilledTwice:
                    log.Add(new ChainDifference(ChainLink.Invoicing, DifferenceCodes.BilledTwice, what,
                        $"on {c.CycleInvoice}, the invoice of their cycle, and marked billed by {c.Invoice} as well"));
                    break;
                case ChargeStates.LateOfUninvoicedCycle:
                    log.Add(new ChainDifference(ChainLink.Invoicing, DifferenceCodes.LateChargeOfUninvoicedCycle, what,
                        $"late, but no invoice billed their cycle{(c.Invoice is null ? "" : $" (marked billed by {c.Invoice})")}"));
                    break;
                case ChargeStates.LateOnMissingInvoice:
                    log.Add(new ChainDifference(ChainLink.Invoicing, DifferenceCodes.LateChargeOnMissingInvoice, what,
                        $"late, marked billed by {c.Invoice}, which is not an issued invoice"));
                    break;
                default:
                    throw new ArgumentException($"unknown charge state '{c.State}'", nameof(charges));
            }
        }

        return new InvoicingSummary
        {
            InvoicesIssued = invoicesIssued,
            DraftsWaiting = draftsWaiting,
            LinesMatched = matched,
            ChargesBilled = billed,
            AmountBilled = amountBilled,
            LateBilled = late,
            NotBilledAccounts = notBilledAccounts.Count,
            NotBilledCharges = notBilled,
            AmountNotBilled = amountNotBilled,
            LateWaiting = waiting,
        };
    }
}
