using Billing.Core.Imports;
using Billing.Mediation;
using Billing.Mediation.Imports;
using NodaTime;

namespace Billing.Core.Tests.Imports;

public sealed class TopUpCsvReaderTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "topups-" + Guid.NewGuid().ToString("N") + ".csv");

    public void Dispose() => File.Delete(_file);

    private (IReadOnlyList<TopUpRow> Rows, IReadOnlyList<ImportError> Errors) Read(string text)
    {
        File.WriteAllText(_file, text);
        return TopUpCsvReader.Read(_file, DefaultSources.OperatorPlan);
    }

    [Fact]
    public void Reads_a_gateway_export_with_numbers_in_any_dialled_form()
    {
        var (rows, errors) = Read("""
            paid_at,reference,msisdn,amount,currency,note
            2026-11-01T12:00:00Z,GW-1,07700900102,10.00,gbp,card
            2026-11-01T13:00:00+01:00,GW-2,+44 7700 900103,2.5,,
            """);

        Assert.Empty(errors);
        Assert.Equal(
            [(2L, "GW-1", "447700900102", 10.00m, (string?)"GBP", Instant.FromUtc(2026, 11, 1, 12, 0), "card"), (3L, "GW-2", "447700900103", 2.5m, null, Instant.FromUtc(2026, 11, 1, 12, 0), "")],
            rows.Select(r => (r.Line, r.Reference, r.Msisdn, r.Amount, r.Currency, r.PaidAt, r.Note)));
    }

    [Fact]
    public void Reports_every_bad_row_with_its_line()
    {
        var (rows, errors) = Read("""
            reference,msisdn,amount,paid_at
            GW-1,07700900102,10.00,2026-11-01T12:00:00Z
            GW-1,07700900102,10.00,2026-11-01T12:00:00Z
            ,abc,-1,yesterday
            GW-3,07700900102,1e3,2026-11-01
            """);

        Assert.Single(rows);
        Assert.Equal([3L, 4L, 5L], errors.Select(e => e.Line));
        Assert.Contains("already on line 2", errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("reference is empty", errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("amount '-1'", errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("paid_at 'yesterday'", errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("msisdn", errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("amount '1e3'", errors[2].Message, StringComparison.Ordinal);
        Assert.Contains("paid_at '2026-11-01'", errors[2].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-9998-01-01T00:00:00+18:00")]
    [InlineData("9999-12-31T23:00:00-05:00")]
    public void A_paid_at_that_its_offset_takes_past_the_first_or_last_instant_is_a_bad_row_not_an_overflow(string paidAt)
    {
        var (rows, errors) = Read($"paid_at,reference,msisdn,amount\n{paidAt},GW-1,07700900102,10.00\n2026-11-01T12:00:00Z,GW-2,07700900102,1.00\n");

        Assert.Equal(["GW-2"], rows.Select(r => r.Reference));
        Assert.Equal((2L, $"paid_at '{paidAt}' is outside the years a time can be held in"), (Assert.Single(errors).Line, errors[0].Message));
    }

    [Fact]
    public void A_missing_required_column_is_reported_on_the_header()
    {
        var (_, errors) = Read("reference,msisdn,amount\nGW-1,07700900102,1.00\n");

        Assert.Equal(1L, Assert.Single(errors).Line);
        Assert.Contains("paid_at", errors[0].Message, StringComparison.Ordinal);
    }
}
