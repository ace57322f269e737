using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Invoicing;
using Billing.Jobs.Catalog;
using Billing.Jobs.Rating;
using Billing.Mediation.Imports;
using Dapper;
using NodaTime;
using NodaTime.Testing;
using Npgsql;

namespace Billing.Integration.Tests.Invoicing;

/// <summary>
/// A scratch database with templates/catalog (uk_postpaid_300: 15.00 a month in advance; UK VAT 20 %,
/// zero 0 %) and postpaid accounts on cycle day 1 in Europe/London, subscribed since 2026-01-01,
/// billed by the real <see cref="BillRunJob"/> at a fake clock (2 Jan 2027). With no usage, the
/// first invoice (run 2026-12-01) is November's fee caught up and December's: 30.00 + VAT 6.00 =
/// 36.00; the next (run 2027-01-01) 15.00 + 3.00 = 18.00.
/// </summary>
public sealed class ReceivablesWorld : IDisposable
{
    public static readonly LocalDate December = new(2026, 12, 1);
    public static readonly LocalDate January = new(2027, 1, 1);

    private readonly ScratchDatabase _scratch = new();

    public ReceivablesWorld(params (string Account, string Msisdn)[] accounts)
    {
        using var c = Open();
        RatingData.SaveTemplateCatalog(c, Instant.FromUtc(2026, 1, 1, 0, 0));
        foreach (var (account, msisdn) in accounts)
        {
            RatingData.AddSubscriber(c, account, msisdn, "uk_postpaid_300", Instant.FromUtc(2026, 1, 1, 0, 0), billCycleDay: 1);
        }
    }

    public FakeClock Clock { get; } = new(Instant.FromUtc(2027, 1, 2, 6, 0));

    public string ConnectionString => _scratch.Db.ConnectionString;

    public Billing.Storage.BillingDatabase Db => _scratch.Db;

    public void Dispose() => _scratch.Dispose();

    public NpgsqlConnection Open() => _scratch.Db.Open();

    public AccountChargeService Charges() => new(_scratch.Db, new CatalogCache(), new InvoicingOptions(), Clock);

    public ReceivablesService Receivables() => new(_scratch.Db, new InvoicingOptions(), Clock);

    /// <summary>Inserts the usage and rates it.</summary>
    public void Usage(params UsageSpec[] usage)
    {
        using (var c = Open())
        {
            RatingData.InsertUsage(c, usage);
        }

        new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(1000);
    }

    /// <summary>Drafts and (unless told not to) approves the run of <paramref name="runDate"/>; returns the numbers it issued, by account.</summary>
    public IReadOnlyList<string> Bill(LocalDate runDate, bool approve = true)
    {
        var job = new BillRunJob(_scratch.Db, new CatalogCache(), new InvoicingOptions(), Clock);
        var planned = job.Plan(runDate, null, "tests");
        job.DraftAll(planned.Run.Id);
        if (approve)
        {
            job.ApproveAll(planned.Run.Id);
        }

        using var c = Open();
        return c.Query<string>("SELECT number FROM invoices WHERE run_id = @id AND status = 'issued' ORDER BY account_id", new { id = planned.Run.Id }).AsList();
    }

    /// <summary>Records one payment through the service and returns what it did (it must be recorded).</summary>
    public PaymentRecorded Pay(string account, decimal amount, string reference, string? invoice = null)
    {
        var result = Receivables().RecordPayments([new PaymentRow(1, reference, account, amount, Clock.GetCurrentInstant(), null, invoice)], "tests");
        Assert.Empty(result.Errors);
        return Assert.Single(result.Added);
    }

    /// <summary>What an issued invoice still has outstanding after allocations.</summary>
    public decimal Outstanding(string number)
    {
        using var c = Open();
        return c.ExecuteScalar<decimal>("""
            SELECT i.total - coalesce((SELECT sum(a.amount) FROM allocations a WHERE a.invoice_id = i.id), 0) FROM invoices i WHERE i.number = @number
            """, new { number });
    }

    /// <summary>An invoice's lines as (kind, description, amount).</summary>
    public List<(string Kind, string Description, decimal Amount)> Lines(string number)
    {
        using var c = Open();
        return c.Query<(string, string, decimal)>("""
            SELECT l.kind, l.description, l.amount FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.number = @number ORDER BY l.line_no
            """, new { number }).AsList();
    }

    /// <summary>An issued invoice's (subtotal, tax, total, previous balance, payments and credits, amount due).</summary>
    public (decimal Subtotal, decimal Tax, decimal Total, decimal Previous, decimal Paid, decimal Due) Totals(string number)
    {
        using var c = Open();
        return c.QuerySingle<(decimal, decimal, decimal, decimal, decimal, decimal)>(
            "SELECT subtotal, tax, total, previous_balance, payments_and_credits, amount_due FROM invoices WHERE number = @number", new { number });
    }
}
