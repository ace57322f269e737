using System.Globalization;
using System.Text.Json;
using Billing.Core.Cycles;
using Billing.Storage.Invoicing;
using Npgsql;

namespace Billing.Cli;

/// <summary>The totals of a run's invoices of one currency and status; <see cref="Previous"/> sums the previous cycle's totals of those that had one.</summary>
public sealed record RunTotal(string Currency, string Status, int Invoices, decimal Subtotal, decimal Tax, decimal Total, decimal AmountDue, int WithPrevious, decimal Previous, decimal TotalOfThoseWithPrevious)
{
    /// <summary>This cycle against the previous one, over the invoices that have both.</summary>
    public decimal Change => TotalOfThoseWithPrevious - Previous;
}

/// <summary>
/// A bill run's report as `billing bill-run show` prints it and the portal shows it: where it stands,
/// its batches, every invoice, totals per currency and status, warnings and errors.
/// </summary>
public sealed record BillRunReport(BillRun Run, BillCycle Cycle, string Status, int Batches, int Drafted, int Approved, IReadOnlyList<RunInvoice> Invoices, IReadOnlyList<RunTotal> Totals)
{
    public static BillRunReport? Read(NpgsqlConnection conn, long runId)
    {
        var run = BillRunStore.Find(conn, runId.ToString(CultureInfo.InvariantCulture));
        if (run is null)
        {
            return null;
        }

        var batches = BillRunStore.Batches(conn, runId);
        var invoices = BillRunStore.Invoices(conn, runId);
        var totals = invoices.GroupBy(i => (Currency: i.Currency.Trim(), i.Status))
            .OrderBy(t => t.Key.Currency, StringComparer.Ordinal).ThenBy(t => t.Key.Status, StringComparer.Ordinal)
            .Select(t => new RunTotal(t.Key.Currency, t.Key.Status, t.Count(), t.Sum(i => i.Subtotal), t.Sum(i => i.Tax), t.Sum(i => i.Total), t.Sum(i => i.AmountDue),
                t.Count(i => i.PreviousTotal is not null), t.Sum(i => i.PreviousTotal ?? 0m), t.Where(i => i.PreviousTotal is not null).Sum(i => i.Total)))
            .ToList();
        var status = invoices.Count == 0 ? "empty" : invoices.All(i => i.Status == "issued") ? "issued" : invoices.Any(i => i.Status == "issued") ? "partly issued" : "draft";
        return new BillRunReport(run, BillCycle.EndingOn(run.RunDate), status, batches.Count, batches.Count(b => b.DraftedAt is not null), batches.Count(b => b.ApprovedAt is not null), invoices, totals);
    }

    /// <summary>The messages of a stored list of warnings or errors (JSON objects with a message).</summary>
    public static IEnumerable<string> Messages(string json) =>
        JsonSerializer.Deserialize<List<JsonElement>>(json)?.Select(e => e.GetProperty("message").GetString() ?? "") ?? [];
}
