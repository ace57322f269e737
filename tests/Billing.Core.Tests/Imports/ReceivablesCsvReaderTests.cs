using Billing.Core.Imports;
using Billing.Core.Invoicing;
using Billing.Mediation;
using Billing.Mediation.Imports;
using NodaTime;

namespace Billing.Core.Tests.Imports;

/// <summary>The charges and payments files (README): columns by name, every bad row with its line.</summary>
public sealed class ReceivablesCsvReaderTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "receivables-" + Guid.NewGuid().ToString("N") + ".csv");

    public void Dispose() => File.Delete(_file);

    private (IReadOnlyList<AccountChargeRow> Rows, IReadOnlyList<ImportError> Errors) Charges(string text)
    {
        File.WriteAllText(_file, text);
        return AccountChargeCsvReader.Read(_file, DefaultSources.OperatorPlan);
    }

    private (IReadOnlyList<PaymentRow> Rows, IReadOnlyList<ImportError> Errors) Payments(string text)
    {
        File.WriteAllText(_file, text);
        return PaymentCsvReader.Read(_file);
    }

    [Fact]
    public void Reads_charges_with_their_optional_columns_and_defaults()
    {
        var (rows, errors) = Charges("""
            reference,account_id,amount,description,tax_category,msisdn,date,kind
            CH-1,B-1,25.00,Handset,zero,07700900950,2026-11-20,
            CH-2,B-1,-5.00,Goodwill credit,,,,Adjustment
            """);

        Assert.Empty(errors);
        Assert.Equal(
            [
                (2L, "CH-1", "B-1", InvoiceLineKind.OneTime, 25.00m, "Handset", (string?)"zero", (string?)"447700900950", (LocalDate?)new LocalDate(2026, 11, 20)),
                (3L, "CH-2", "B-1", InvoiceLineKind.Adjustment, -5.00m, "Goodwill credit", null, null, null),
            ],
            rows.Select(r => (r.Line, r.Reference, r.AccountId, r.Kind, r.Amount, r.Description, r.TaxCategory, r.Msisdn, r.Date)));
    }

    [Fact]
    public void Reports_every_bad_charge_row_with_its_line()
    {
        var (rows, errors) = Charges("""
            reference,account_id,amount,description,kind,date
            CH-1,B-1,1.00,Fee,one-time,
            CH-1,B-1,1.00,Fee,one-time,
            ,,1e3,,usage,30/11/2026
            CH-3,B-1,1.00,Fee,refund,
            """);

        Assert.Equal(["CH-1"], rows.Select(r => r.Reference));
        Assert.Equal([3L, 4L, 5L], errors.Select(e => e.Line));
        Assert.Equal("reference CH-1 is already on line 2", errors[0].Message);
        Assert.Equal(
            "reference is empty (it is what makes a second import of the same row record nothing); account_id is empty; amount '1e3' is not a decimal (e.g. -5.00 or 10.00); " +
            "description is empty (it is the invoice line's text); kind 'usage' must be one-time or adjustment; date '30/11/2026' is not a date (yyyy-MM-dd)",
            errors[1].Message);
        Assert.Equal("kind 'refund' must be one-time or adjustment", errors[2].Message);
    }

    [Fact]
    public void Reads_payments_with_an_instant_or_a_date_and_the_invoice_named()
    {
        var (rows, errors) = Payments("""
            reference,account_id,amount,paid_at,currency,invoice
            BANK-1,B-1,36.72,2026-12-10T09:30:00+01:00,gbp,INV-2026-000001
            BANK-2,B-1,50,2026-12-11,,
            """);

        Assert.Empty(errors);
        Assert.Equal(
            [
                (2L, "BANK-1", "B-1", 36.72m, Instant.FromUtc(2026, 12, 10, 8, 30), (string?)"GBP", (string?)"INV-2026-000001"),
                (3L, "BANK-2", "B-1", 50m, Instant.FromUtc(2026, 12, 11, 0, 0), null, null),
            ],
            rows.Select(r => (r.Line, r.Reference, r.AccountId, r.Amount, r.PaidAt, r.Currency, r.Invoice)));
    }

    [Theory]
    [InlineData("-9998-01-01T00:00:00+18:00")]
    [InlineData("9999-12-31T23:00:00-05:00")]
    public void A_payment_time_that_its_offset_takes_past_the_first_or_last_instant_is_a_bad_row_not_an_overflow(string paidAt)
    {
        var (rows, errors) = Payments($"reference,account_id,amount,paid_at\nBANK-1,B-1,10.00,{paidAt}\nBANK-2,B-1,5.00,2026-12-10\n");

        Assert.Equal(["BANK-2"], rows.Select(r => r.Reference));
        Assert.Equal((2L, $"paid_at '{paidAt}' is outside the years a time can be held in"), (Assert.Single(errors).Line, errors[0].Message));
    }

    [Fact]
    public void Reports_every_bad_payment_row_with_its_line_and_a_missing_column_on_the_header()
    {
        var (rows, errors) = Payments("""
            reference,account_id,amount,paid_at,currency
            BANK-1,B-1,-36.72,yesterday,XXX
            BANK-2,B-1,10.00,2026-12-10T09:30:00Z
            BANK-1,B-1,10.00,2026-12-10T09:30:00Z,GBP
            """);
        var (_, header) = Payments("reference,account_id,paid_at\nBANK-1,B-1,2026-12-10\n");

        Assert.Empty(rows);
        Assert.Equal([2L, 3L, 4L], errors.Select(e => e.Line));
        Assert.Equal(
            "amount '-36.72' is not a positive decimal (e.g. 10.00); paid_at 'yesterday' is neither an ISO-8601 time with offset (2026-12-10T09:30:00Z) nor a date (2026-12-10); " +
            "currency 'XXX' is not an ISO 4217 code we know",
            errors[0].Message);
        Assert.Equal("expected 5 fields, found 4", errors[1].Message);
        Assert.Equal("reference BANK-1 is already on line 2", errors[2].Message);
        Assert.Equal((1L, "the header lacks amount (required: reference, account_id, amount, paid_at; optional: currency, invoice)"), (Assert.Single(header).Line, header[0].Message));
    }

    [Fact]
    public void The_sample_payments_are_for_postpaid_sample_accounts_and_one_names_an_invoice()
    {
        var samples = Path.Combine(RepositoryRoot.Find(), "sample-cdrs");
        var (accounts, accountErrors) = AccountCsvReader.Read(Path.Combine(samples, "accounts.csv"), DefaultSources.OperatorPlan);
        var (payments, errors) = PaymentCsvReader.Read(Path.Combine(samples, "payments.csv"));

        Assert.Empty(accountErrors);
        Assert.Empty(errors);
        var postpaid = accounts.Where(a => a.Account.PaymentType == Billing.Core.Accounts.PaymentType.Postpaid).Select(a => a.Account.Id).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(3, payments.Count);
        Assert.All(payments, p => Assert.Contains(p.AccountId, postpaid));
        Assert.Equal("INV-2026-000001", Assert.Single(payments, p => p.Invoice is not null).Invoice);
    }
}
