using Billing.Core.Imports;
using Billing.Core.Invoicing;
using Billing.Mediation.Imports;
using Dapper;
using NodaTime;
using static Billing.Integration.Tests.Invoicing.ReceivablesWorld;

namespace Billing.Integration.Tests.Invoicing;

/// <summary>One-time charges and manual adjustments: recorded against a real database and billed by the bill run.</summary>
public sealed class AccountChargeTests : IDisposable
{
    private const string Msisdn = "447700900950";
    private readonly ReceivablesWorld _world = new(("B-1", Msisdn), ("B-2", "447700900951"));

    public void Dispose() => _world.Dispose();

    private static AccountChargeRow Charge(long line, string? reference, decimal amount, string description, InvoiceLineKind kind = InvoiceLineKind.OneTime,
        string account = "B-1", string? tax = null, string? msisdn = null, LocalDate? date = null) =>
        new(line, reference, account, kind, amount, description, tax, msisdn, date);

    private List<(string Reference, string? Invoice)> Charges()
    {
        using var c = _world.Open();
        return c.Query<(string, string?)>("""
            SELECT c.reference, i.number FROM account_charges c LEFT JOIN invoices i ON i.id = c.invoice_id ORDER BY c.reference
            """).AsList();
    }

    [Fact]
    public void A_zero_rated_handset_of_25_00_and_a_goodwill_credit_of_5_00_are_billed_once_on_the_next_invoice_and_a_later_charge_waits_for_its_cycle()
    {
        var recorded = _world.Charges().Record(
        [
            Charge(1, "CH-1", 25.00m, "Handset", tax: "zero", msisdn: Msisdn, date: new LocalDate(2026, 11, 20)),
            Charge(2, "CH-2", -5.00m, "Goodwill credit", InvoiceLineKind.Adjustment, date: new LocalDate(2026, 11, 30)),
            Charge(3, "CH-3", 9.99m, "Roaming pack", date: new LocalDate(2026, 12, 5)),
        ], "tests");

        var december = _world.Bill(December)[0];
        var january = _world.Bill(January)[0];

        Assert.Empty(recorded.Errors);
        Assert.Equal(3, recorded.Added.Count);
        // Fees 15.00 + 15.00, handset 25.00 (zero rated), credit −5.00: 50.00; VAT 20 % of 25.00 = 5.00.
        Assert.Equal(
            [("recurring", 15.00m), ("recurring", 15.00m), ("one-time", 25.00m), ("adjustment", -5.00m)],
            _world.Lines(december).Select(l => (l.Kind, l.Amount)));
        Assert.Equal(("Handset", "Goodwill credit"), (_world.Lines(december)[2].Description, _world.Lines(december)[3].Description));
        Assert.Equal((50.00m, 5.00m, 55.00m, 0m, 0m, 55.00m), _world.Totals(december));
        // The charge dated 5 Dec is January's: 15.00 + 9.99 = 24.99, VAT 4.998 → 5.00; nothing of December's again.
        Assert.Equal([("recurring", 15.00m), ("one-time", 9.99m)], _world.Lines(january).Select(l => (l.Kind, l.Amount)));
        Assert.Equal((24.99m, 5.00m, 29.99m, 55.00m, 0m, 84.99m), _world.Totals(january));
        Assert.Equal([("CH-1", december), ("CH-2", december), ("CH-3", january)], Charges());
    }

    [Fact]
    public void Recording_the_same_charges_again_records_nothing_twice()
    {
        AccountChargeRow[] rows = [Charge(2, "CH-1", 25.00m, "Handset"), Charge(3, "CH-2", 5.00m, "Paper bill fee")];

        var first = _world.Charges().Record(rows, "tests");
        var again = _world.Charges().Record(rows, "tests");

        Assert.Equal((2, 0), (first.Added.Count, first.AlreadyRecorded.Count));
        Assert.Equal((0, 2), (again.Added.Count, again.AlreadyRecorded.Count));
        Assert.Equal([("CH-1", null), ("CH-2", null)], Charges());
    }

    [Fact]
    public void A_charge_without_a_reference_is_dated_today_in_the_account_s_zone_with_the_standard_tax_category()
    {
        _world.Clock.Reset(Instant.FromUtc(2026, 11, 30, 23, 30)); // 1 Dec 2026 00:30 is still 30 Nov 23:30 in London (GMT)

        var result = _world.Charges().Record([Charge(0, null, 3.50m, "Itemised bill")], "tests");

        var charge = Assert.Single(result.Added);
        Assert.Equal((new LocalDate(2026, 11, 30), "standard", "GBP"), (charge.Date, charge.TaxCategory, charge.Currency));
    }

    [Fact]
    public void Every_charge_that_does_not_suit_its_account_is_reported_with_its_line_and_none_is_recorded()
    {
        var result = _world.Charges().Record(
        [
            Charge(2, "OK-1", 25.00m, "Handset"),
            Charge(3, "X-1", 25.00m, "Handset", account: "NOBODY"),
            Charge(4, "X-2", 1.005m, "Handset"),
            Charge(5, "X-3", -25.00m, "Refund"),
            Charge(6, "X-4", 1000000.01m, "Typo", InvoiceLineKind.Adjustment),
            Charge(7, "X-5", 2.00m, "Handset", msisdn: "447700900951"),
            Charge(8, "X-6", 2.00m, "Books", tax: "reduced"),
        ], "tests", [new ImportError(9, "amount 'abc' is not a decimal (e.g. -5.00 or 10.00)")]);

        Assert.Empty(result.Added);
        Assert.Equal(
            [
                (3L, "no account 'NOBODY'"),
                (4L, "amount 1.005 has more decimals than GBP allows (2)"),
                (5L, "amount -25.00 must be positive (a credit is --kind adjustment)"),
                (6L, "amount 1000000.01 is beyond the ceiling of 1000000 GBP (invoicing.amountCeiling)"),
                (7L, "+447700900951 is not a number of account B-1"),
                (8L, "tax category 'reduced' has no rate for tax region UK in the catalogue in force (it has: standard, zero)"),
                (9L, "amount 'abc' is not a decimal (e.g. -5.00 or 10.00)"),
            ],
            result.Errors.Select(e => (e.Line, e.Message)));
        Assert.Empty(Charges());
    }
}
