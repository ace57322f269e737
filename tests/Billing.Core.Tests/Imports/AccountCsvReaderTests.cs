using Billing.Mediation;
using Billing.Mediation.Imports;

namespace Billing.Core.Tests.Imports;

public sealed class AccountCsvReaderTests : IDisposable
{
    private const string Header = "account_id,name,billing_address,email,language,currency,time_zone,payment_type,bill_cycle_day,tax_region,segment,msisdn,plan,active_from,active_to";

    private readonly string _file = Path.Combine(Path.GetTempPath(), "accounts-" + Guid.NewGuid().ToString("N") + ".csv");

    public void Dispose() => File.Delete(_file);

    [Theory]
    [InlineData("active_from", "-9998-01-01T00:00:00+18:00")]
    [InlineData("active_to", "9999-12-31T23:00:00-05:00")]
    public void A_subscription_time_that_its_offset_takes_past_the_first_or_last_instant_is_a_bad_row_not_an_overflow(string column, string at)
    {
        var (from, to) = column == "active_from" ? (at, "") : ("2026-01-01", at);
        File.WriteAllText(_file, $"""
            {Header}
            ACME-001,Acme Widgets Ltd,"1 Dock Road",a@acme.example,en,GBP,Europe/London,postpaid,1,UK,business,44207941001,uk_postpaid_300,{from},{to}
            ACME-002,Acme Two Ltd,"2 Dock Road",b@acme.example,en,GBP,Europe/London,postpaid,1,UK,business,44207941002,uk_postpaid_300,2026-01-01,

            """);

        var (rows, errors) = AccountCsvReader.Read(_file, DefaultSources.OperatorPlan);

        Assert.Equal(["ACME-002"], rows.Select(r => r.Account.Id));
        Assert.Equal((2L, $"{column} '{at}' is outside the years a time can be held in"), (Assert.Single(errors).Line, errors[0].Message));
    }

    [Fact]
    public void A_language_with_a_line_break_is_a_bad_row_and_a_language_in_capitals_is_kept_in_small_letters()
    {
        File.WriteAllText(_file, $"""
            {Header}
            ACME-001,Acme Widgets Ltd,"1 Dock Road",a@acme.example,"en
            X-Evil: 1",GBP,Europe/London,postpaid,1,UK,business,,,,
            ACME-002,Acme Two Ltd,"2 Dock Road",b@acme.example,PT-BR,GBP,Europe/London,postpaid,1,UK,business,,,,

            """);

        var (rows, errors) = AccountCsvReader.Read(_file, DefaultSources.OperatorPlan);

        Assert.Equal([("ACME-002", "pt-br")], rows.Select(r => (r.Account.Id, r.Account.Language)));
        Assert.Equal(2L, Assert.Single(errors).Line);
        Assert.StartsWith("language 'en", errors[0].Message, StringComparison.Ordinal);
        Assert.EndsWith("is not a language tag (en, pl, pt-br …)", errors[0].Message, StringComparison.Ordinal);
    }
}
