using Billing.Core.Accounts;
using Billing.Core.Money;
using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Invoicing;
using Billing.Mediation.Imports;
using Billing.Storage;
using Billing.Storage.Invoicing;
using Dapper;
using static Billing.Integration.Tests.Invoicing.ReceivablesWorld;

namespace Billing.Integration.Tests.Invoicing;

/// <summary>Payments recorded and allocated against a real database; the overpayment settles the next invoice the bill run issues.</summary>
public sealed class PaymentTests : IDisposable
{
    private readonly ReceivablesWorld _world = new(("B-1", "447700900950"), ("B-2", "447700900951"));
    private readonly TempDir _dir = new();

    public void Dispose()
    {
        _world.Dispose();
        _dir.Dispose();
    }

    /// <summary>A payments file with the full header and these rows.</summary>
    private string PaymentsFile(string rows)
    {
        var file = _dir.File("payments.csv");
        File.WriteAllText(file, "reference,account_id,amount,paid_at,currency,invoice\n" + rows);
        return file;
    }

    /// <summary>Reads the payments file and records what it holds, as `billing payments import` does.</summary>
    private EntryResult<PaymentRecorded, PaymentRow> Import(string file)
    {
        var (rows, readErrors) = PaymentCsvReader.Read(file);
        return _world.Receivables().RecordPayments(rows, "tests", readErrors);
    }

    private static IEnumerable<(string Invoice, decimal Amount)> Settled(PaymentRecorded p) => p.Allocations.Select(a => (a.Invoice, a.Amount));

    [Fact]
    public void An_accounts_import_refuses_to_move_an_account_with_a_36_00_GBP_invoice_to_EUR_so_its_receivables_stay_in_one_currency()
    {
        _world.Bill(December);
        using var c = _world.Open();

        var result = AccountStore.Import(c, [new AccountImportLine(4, new Account("B-1", "Customer B-1", "", null, "en", Currency.Of("EUR"), "Europe/London", PaymentType.Postpaid, 1, "UK", ""), null)]);

        var error = Assert.Single(result.Errors);
        Assert.Equal(4, error.Line);
        Assert.Contains("account B-1 has invoices, payments or charges in GBP: its currency cannot change to EUR", error.Message, StringComparison.Ordinal);
        Assert.Equal("GBP", c.ExecuteScalar<string>("SELECT trim(currency) FROM accounts WHERE id = 'B-1'"));
        Assert.Empty(AccountStore.Import(c, [new AccountImportLine(5, new Account("B-2", "Renamed B-2", "", null, "en", Currency.Of("GBP"), "Europe/London", PaymentType.Postpaid, 1, "UK", ""), null)]).Errors);
    }

    [Fact]
    public void A_payment_of_40_00_settles_the_oldest_invoice_first_and_one_naming_the_newer_settles_it_first_and_leaves_6_00_credit()
    {
        _world.Bill(December);
        _world.Bill(January);

        var oldestFirst = _world.Pay("B-1", 40.00m, "BANK-1");
        var named = _world.Pay("B-1", 20.00m, "BANK-2", invoice: "INV-2027-000001");

        // INV-2026-000001 is 36.00 and INV-2027-000001 18.00 (B-1's of each run).
        Assert.Equal([("INV-2026-000001", 36.00m), ("INV-2027-000001", 4.00m)], Settled(oldestFirst));
        Assert.Equal(0m, oldestFirst.Credit);
        Assert.Equal([("INV-2027-000001", 14.00m)], Settled(named));
        Assert.Equal(6.00m, named.Credit);
        Assert.Equal((0m, 0m), (_world.Outstanding("INV-2026-000001"), _world.Outstanding("INV-2027-000001")));
        using var c = _world.Open();
        Assert.Equal(-6.00m, ReceivablesStore.OpenBalance(c, "B-1"));
        Assert.Equal(36.00m, _world.Outstanding("INV-2026-000002")); // B-2's: untouched
    }

    [Fact]
    public void An_overpayment_of_14_00_is_carried_forward_and_settles_the_next_invoice_the_bill_run_issues()
    {
        var december = _world.Bill(December)[0];
        var paid = _world.Pay("B-1", 50.00m, "BANK-1");

        var january = _world.Bill(January)[0];

        Assert.Equal([("INV-2026-000001", 36.00m)], Settled(paid));
        Assert.Equal(14.00m, paid.Credit);
        // January: 15.00 + VAT 3.00; previous balance 36.00, paid 50.00: 4.00 due.
        Assert.Equal((15.00m, 3.00m, 18.00m, 36.00m, 50.00m, 4.00m), _world.Totals(january));
        Assert.Equal((0m, 4.00m), (_world.Outstanding(december), _world.Outstanding(january)));
        using var c = _world.Open();
        Assert.Equal(
            [("payment", "BANK-1", "INV-2026-000001", 36.00m), ("payment", "BANK-1", "INV-2027-000001", 14.00m)],
            ReceivablesStore.Allocations(c, "B-1").Select(a => (a.Source, a.SourceReference, a.Invoice, a.Amount)));
        var statement = ReceivablesStore.Statement(c, "B-1");
        Assert.Equal([("invoice", 36.00m), ("invoice", 18.00m), ("payment", -50.00m)], statement.Select(e => (e.Kind, e.Amount)));
        Assert.Equal((4.00m, 4.00m), (statement.Sum(e => e.Amount), ReceivablesStore.OpenBalance(c, "B-1")));
    }

    [Fact]
    public void Importing_the_same_payments_file_twice_records_and_allocates_nothing_twice()
    {
        _world.Bill(December);
        var file = PaymentsFile("""
            BANK-1,B-1,36.00,2027-01-02T09:00:00Z,GBP,INV-2026-000001
            BANK-2,B-2,10.00,2027-01-02,,
            """);

        var first = Import(file);
        var again = Import(file);

        Assert.Equal((2, 0, 0), (first.Added.Count, first.AlreadyRecorded.Count, first.Errors.Count));
        Assert.Equal((0, 2, 0), (again.Added.Count, again.AlreadyRecorded.Count, again.Errors.Count));
        using var c = _world.Open();
        Assert.Equal((2, 46.00m, 2, 46.00m), c.QuerySingle<(int, decimal, int, decimal)>(
            "SELECT (SELECT count(*) FROM payments)::int, (SELECT sum(amount) FROM payments), (SELECT count(*) FROM allocations)::int, (SELECT sum(amount) FROM allocations)"));
        Assert.Equal((0m, 26.00m), (_world.Outstanding("INV-2026-000001"), _world.Outstanding("INV-2026-000002")));
    }

    [Fact]
    public void Every_payment_that_does_not_suit_its_account_is_reported_with_its_line_and_none_is_recorded()
    {
        _world.Bill(December);
        var file = PaymentsFile("""
            OK-1,B-1,36.00,2027-01-02,,
            X-1,NOBODY,1.00,2027-01-02,,
            X-2,B-1,1.00,2027-01-02,EUR,
            X-3,B-1,1.00,2027-01-02,,INV-2026-000002
            X-4,B-1,1.00,2027-01-02,,INV-1999-000001
            X-5,B-1,0.001,2027-01-02,,
            X-6,B-1,1000000.01,2027-01-02,,
            X-7,B-1,1.00,tomorrow,,
            """);

        var result = Import(file);

        Assert.Empty(result.Added);
        Assert.Equal(
            [
                (3L, "no account 'NOBODY'"),
                (4L, "currency EUR is not account B-1's (GBP)"),
                (5L, "invoice INV-2026-000002 is account B-2's, not B-1's"),
                (6L, "no issued invoice INV-1999-000001"),
                (7L, "amount 0.001 has more decimals than GBP allows (2)"),
                (8L, "amount 1000000.01 is beyond the ceiling of 1000000 GBP (invoicing.amountCeiling)"),
                (9L, "paid_at 'tomorrow' is neither an ISO-8601 time with offset (2026-12-10T09:30:00Z) nor a date (2026-12-10)"),
            ],
            result.Errors.Select(e => (e.Line, e.Message)));
        using var c = _world.Open();
        Assert.Equal(0, c.ExecuteScalar<int>("SELECT count(*) FROM payments"));
    }
}
