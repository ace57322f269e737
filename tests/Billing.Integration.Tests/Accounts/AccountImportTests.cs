using Billing.Core.Accounts;
using Billing.Integration.Tests.Infrastructure;
using Billing.Mediation;
using Billing.Mediation.Imports;
using Billing.Storage;
using Dapper;
using NodaTime;

namespace Billing.Integration.Tests.Accounts;

public sealed class AccountImportTests(DatabaseFixture fx) : IClassFixture<DatabaseFixture>, IDisposable
{
    private const string Header = "account_id,name,billing_address,email,language,currency,time_zone,payment_type,bill_cycle_day,tax_region,segment,msisdn,plan,active_from,active_to";
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private AccountImportResult Import(string name, params string[] lines)
    {
        var path = _tmp.File(name);
        File.WriteAllText(path, Header + "\n" + string.Join("\n", lines) + "\n");
        var (rows, errors) = AccountCsvReader.Read(path, DefaultSources.OperatorPlan);
        if (errors.Count > 0)
        {
            return new AccountImportResult(0, 0, 0, 0, errors);
        }

        using var c = fx.Db.Open();
        return AccountStore.Import(c, rows);
    }

    [Fact]
    public void Import_AddsAccountsAndSubscriptions_WithNumbersInE164AndDatesInTheAccountsZone()
    {
        var result = Import("a.csv",
            "A-100,Acme Ltd,\"1 High St, London\",billing@acme.example,en,GBP,Europe/London,postpaid,5,UK,business,07700 900100,UK-POST-300,2026-07-01,",
            "A-100,Acme Ltd,\"1 High St, London\",billing@acme.example,en,GBP,Europe/London,postpaid,5,UK,business,+447700900101,UK-POST-300,2026-07-01T09:30:00+01:00,");

        Assert.Equal(new AccountImportResult(1, 2, 0, 0, []), result with { Errors = [] });
        using var c = fx.Db.Open();
        var account = AccountStore.Find(c, "A-100")!;
        Assert.Equal(("Acme Ltd", "1 High St, London", "GBP", PaymentType.Postpaid, 5, "Europe/London"), (account.Name, account.BillingAddress, account.Currency.Code, account.PaymentType, account.BillCycleDay, account.TimeZone.Id));
        var subs = AccountStore.Subscriptions(c, "A-100");
        Assert.Equal([("447700900100", Instant.FromUtc(2026, 6, 30, 23, 0)), ("447700900101", Instant.FromUtc(2026, 7, 1, 8, 30))],
            subs.Select(s => (s.Msisdn, s.ActiveFrom)));
    }

    [Fact]
    public void Import_ClosesThePreviousPeriod_WhenASubscriberChangesPlan_AndIsIdempotent()
    {
        Import("p1.csv", "A-200,Bob,,,,GBP,Europe/London,prepaid,1,UK,consumer,07700900200,UK-PRE,2026-01-01,");
        var change = Import("p2.csv", "A-200,Bob,,,,GBP,Europe/London,prepaid,1,UK,consumer,07700900200,UK-PRE-PLUS,2026-11-15,");
        var again = Import("p2-again.csv", "A-200,Bob,,,,GBP,Europe/London,prepaid,1,UK,consumer,07700900200,UK-PRE-PLUS,2026-11-15,");

        Assert.Equal((1, 1, 0, 1), (change.Accounts, change.SubscriptionsAdded, change.SubscriptionsUpdated, change.PeriodsClosed));
        Assert.Equal((1, 0, 1, 0), (again.Accounts, again.SubscriptionsAdded, again.SubscriptionsUpdated, again.PeriodsClosed));
        using var c = fx.Db.Open();
        Assert.Equal("UK-PRE", AccountStore.SubscriptionAt(c, "447700900200", Instant.FromUtc(2026, 11, 14, 23, 59))!.PlanId);
        Assert.Equal("UK-PRE-PLUS", AccountStore.SubscriptionAt(c, "447700900200", Instant.FromUtc(2026, 11, 15, 0, 0))!.PlanId);
        Assert.Null(AccountStore.SubscriptionAt(c, "447700900200", Instant.FromUtc(2025, 12, 31, 23, 59)));
    }

    [Fact]
    public void Import_OfTheSameFileWithAPlanChange_CanBeRepeated_InAnyRowOrder()
    {
        string[] lines =
        [
            "A-250,Cara,,,,GBP,Europe/London,postpaid,1,UK,,07700900250,UK-NEW,2026-03-01,",
            "A-250,Cara,,,,GBP,Europe/London,postpaid,1,UK,,07700900250,UK-OLD,2026-01-01,",
        ];

        var first = Import("c1.csv", lines);
        var again = Import("c2.csv", lines);

        Assert.Empty(first.Errors);
        Assert.Empty(again.Errors);
        using var c = fx.Db.Open();
        Assert.Equal([("UK-OLD", Instant.FromUtc(2026, 1, 1, 0, 0), (Instant?)Instant.FromUtc(2026, 3, 1, 0, 0)), ("UK-NEW", Instant.FromUtc(2026, 3, 1, 0, 0), (Instant?)null)],
            AccountStore.Subscriptions(c, "A-250").Select(s => (s.PlanId, s.ActiveFrom, s.ActiveTo)));
    }

    [Fact]
    public void Import_ReportsEveryBadRowWithItsLine_AndImportsNothing()
    {
        var result = Import("bad.csv",
            "A-300,Good Row,,,,GBP,Europe/London,postpaid,5,UK,,07700900300,UK-POST-300,2026-07-01,",
            "A-301,,,not-an-email,,XXX,Mars/Base,weekly,31,UK,,07700ABC,,2026-13-01,",
            "A-302,Too,Few");

        Assert.Equal([3L, 4L], result.Errors.Select(e => e.Line));
        var line3 = result.Errors[0].Message;
        foreach (var expected in new[] { "name is empty", "currency 'XXX'", "time_zone 'Mars/Base'", "payment_type 'weekly'", "bill_cycle_day '31'", "email 'not-an-email'", "msisdn:", "plan is empty", "active_from '2026-13-01'" })
        {
            Assert.Contains(expected, line3, StringComparison.Ordinal);
        }

        Assert.Contains("expected 15 fields, found 3", result.Errors[1].Message, StringComparison.Ordinal);
        using var c = fx.Db.Open();
        Assert.Null(AccountStore.Find(c, "A-300"));
    }

    [Fact]
    public void Import_RollsBackEverything_WhenAPeriodOverlapsAnotherAccountsNumber()
    {
        Import("o1.csv", "A-400,First,,,,GBP,Europe/London,postpaid,5,UK,,07700900400,UK-POST-300,2026-01-01,2026-06-01");
        var result = Import("o2.csv",
            "A-401,Second,,,,GBP,Europe/London,postpaid,5,UK,,07700900401,UK-POST-300,2026-01-01,",
            "A-402,Third,,,,GBP,Europe/London,postpaid,5,UK,,07700900400,UK-POST-300,2025-12-01,2026-02-01");

        var error = Assert.Single(result.Errors);
        Assert.Equal(3, error.Line);
        Assert.Contains("overlapping", error.Message, StringComparison.Ordinal);
        using var c = fx.Db.Open();
        Assert.Null(AccountStore.Find(c, "A-401"));
        Assert.Equal(0, c.ExecuteScalar<int>("SELECT count(*) FROM subscriptions WHERE msisdn = '447700900401'"));
    }
}
