using Billing.Core.Accounts;
using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Catalog;
using Billing.Jobs.Prepaid;
using Billing.Jobs.Rating;
using Billing.Notifications;
using Billing.Storage;
using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Integration.Tests.Prepaid;

public sealed record Movement(string Kind, decimal Amount, Instant At, long? UsageId, decimal BalanceAfter);

/// <summary>Prepaid test data: subscribers on uk_prepaid (voice 0.20/min per second, SMS 0.12; thresholds 5, 1, 0; barred at zero).</summary>
public static class PrepaidData
{
    public static readonly Instant Subscribed = Instant.FromUtc(2026, 1, 1, 0, 0);

    public static void Prepare(NpgsqlConnection conn, params string[] msisdns)
    {
        RatingData.SaveTemplateCatalog(conn, Subscribed);
        foreach (var m in msisdns)
        {
            RatingData.AddSubscriber(conn, "PP-" + m[^4..], m, "uk_prepaid", Subscribed, billCycleDay: 1, paymentType: PaymentType.Prepaid);
        }
    }

    public static string Account(string msisdn) => "PP-" + msisdn[^4..];

    public static TopUpResult TopUp(BillingDatabase db, string msisdn, decimal amount, Instant at, string? reference = null)
    {
        using var c = db.Open();
        return Assert.Single(new TopUpService(new CatalogCache(), NotificationTemplates.Shipped).Credit(c, [new TopUpRequest(msisdn, amount, at, reference)]));
    }

    /// <summary>A call to a UK mobile: 0.20 a minute, per second, on uk_prepaid.</summary>
    public static UsageSpec Call(string key, string msisdn, Instant start, long seconds) => UsageSpec.Voice(key, msisdn, "447700900999", start, seconds);

    public static decimal Balance(NpgsqlConnection conn, string msisdn) =>
        conn.ExecuteScalar<decimal>("SELECT balance FROM wallets WHERE account_id = @a", new { a = Account(msisdn) });

    public static IReadOnlyList<Movement> Ledger(NpgsqlConnection conn, string msisdn) =>
        conn.Query<Movement>("SELECT kind, amount, at, usage_id, balance_after FROM wallet_ledger WHERE account_id = @a ORDER BY id", new { a = Account(msisdn) }).AsList();

    public static IReadOnlyList<(long UsageId, decimal Amount, string Reason)> Overdraft(NpgsqlConnection conn, string msisdn) =>
        conn.Query<(long, decimal, string)>("SELECT usage_id, amount, reason FROM prepaid_overdraft WHERE account_id = @a ORDER BY id", new { a = Account(msisdn) }).AsList();

    public static IReadOnlyList<string> Notices(NpgsqlConnection conn, string msisdn) =>
        conn.Query<string>("SELECT kind FROM notifications WHERE account_id = @a ORDER BY id", new { a = Account(msisdn) }).AsList();

    public static Instant? BarredSince(NpgsqlConnection conn, string msisdn) =>
        conn.ExecuteScalar<Instant?>("SELECT barred_since FROM wallets WHERE account_id = @a", new { a = Account(msisdn) });
}
