using Billing.Core.Money;
using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Catalog;
using Billing.Jobs.Prepaid;
using Billing.Jobs.Rating;
using Billing.Notifications;
using Billing.Storage;
using Dapper;
using NodaTime;
using static Billing.Integration.Tests.Prepaid.PrepaidData;

namespace Billing.Integration.Tests.Prepaid;

public sealed class BundleTests : IDisposable
{
    private const string Msisdn = "447700900103";
    private const string Poor = "447700900104";
    private readonly ScratchDatabase _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static Instant Nov2(int hour, int minute = 0) => Instant.FromUtc(2026, 11, 2, hour, minute);

    [Fact]
    public void A_bundle_bought_from_the_wallet_covers_usage_from_the_moment_it_is_bought_before_any_money()
    {
        using var c = _scratch.Db.Open();
        Prepare(c, Msisdn, Poor);
        TopUp(_scratch.Db, Msisdn, 10.00m, Instant.FromUtc(2026, 11, 1, 8, 0), "GW-1");
        var service = new TopUpService(new CatalogCache(), NotificationTemplates.Shipped);
        var bought = service.BuyBundle(c, Msisdn, "pp_minutes_100", Nov2(10), "SHOP-1");
        var again = service.BuyBundle(c, Msisdn, "pp_minutes_100", Nov2(10), "SHOP-1");
        RatingData.InsertUsage(c,
        [
            Call("b-1", Msisdn, Nov2(9), 60),                                   // before the purchase: 0.20
            Call("b-2", Msisdn, Nov2(11), 600),                                 // 10 of the 100 minutes
            UsageSpec.Data("b-3", Msisdn, Nov2(11, 30), 1_048_576),             // not a voice bundle: 0.10
        ]);

        new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);

        Assert.Equal((true, false, Money.Of(7.00m, "GBP")), (bought.Added, again.Added, bought.Balance));
        Assert.Equal([("b-1", 0.20m, (string?)null, 0L), ("b-2", 0m, "pp_minutes_100", 600L), ("b-3", 0.10m, null, 0L)],
            RatingData.Charges(c).Select(x => (x.RecordKey, x.Amount, x.AllowanceId, x.AllowanceUsed)));
        Assert.Equal([("topup", 10.00m), ("bundle", -3.00m), ("usage", -0.20m), ("usage", -0.10m)], Ledger(c, Msisdn).Select(l => (l.Kind, l.Amount)));
        Assert.Equal(6.70m, Balance(c, Msisdn));
        var sub = RatingData.SubscriptionId(c, Msisdn, Nov2(9));
        Assert.Equal((6_000L, 600L), RatingData.Balances(c)[(sub, "pp_minutes_100", new LocalDate(2026, 11, 1))]);
        Assert.Empty(WalletStore.Check(c));

        // More usage in a later run keeps using what is left of it.
        RatingData.InsertUsage(c, [Call("b-4", Msisdn, Nov2(15), 5_700)]);
        new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);
        // 5,400 s of the bundle are left: the last 300 s are priced, 5 min at 0.20 = 1.00.
        Assert.Equal((1.00m, 5_400L), (RatingData.Charge(c, "b-4").Amount, RatingData.Charge(c, "b-4").AllowanceUsed));
        Assert.Equal(5.70m, Balance(c, Msisdn));
        Assert.Equal((6_000L, 6_000L), RatingData.Balances(c)[(sub, "pp_minutes_100", new LocalDate(2026, 11, 1))]);
    }

    [Fact]
    public void A_bundle_the_wallet_cannot_pay_for_is_refused_and_nothing_changes()
    {
        using var c = _scratch.Db.Open();
        Prepare(c, Poor);
        TopUp(_scratch.Db, Poor, 1.00m, Instant.FromUtc(2026, 11, 1, 8, 0), "GW-1");
        var service = new TopUpService(new CatalogCache(), NotificationTemplates.Shipped);

        var e = Assert.Throws<TopUpException>(() => service.BuyBundle(c, Poor, "pp_data_1gb", Nov2(10), null));
        Assert.Contains("costs 5.00 GBP, more than the wallet", e.Message, StringComparison.Ordinal);
        Assert.Contains("sells: pp_minutes_100, pp_data_1gb", Assert.Throws<TopUpException>(() => service.BuyBundle(c, Poor, "nope", Nov2(10), null)).Message, StringComparison.Ordinal);

        // A top-up can buy it: credit and purchase in one transaction.
        service.Credit(c, [new TopUpRequest(Poor, 5.00m, Nov2(10), "GW-2", Bundle: "pp_data_1gb")]);
        Assert.Equal([("topup", 1.00m), ("topup", 5.00m), ("bundle", -5.00m)], Ledger(c, Poor).Select(l => (l.Kind, l.Amount)));
        Assert.Equal(1, c.ExecuteScalar<int>("SELECT count(*) FROM allowance_purchases WHERE allowance_id = 'pp_data_1gb' AND amount = 1073741824"));
        Assert.Equal(1.00m, Balance(c, Poor));

        // 6.00 → 1.00 by the purchase: through 5.00 and down to 1.00, told once, for 1.00.
        Assert.Equal(["topup", "topup", "low-balance"], Notices(c, Poor));
        Assert.Contains("alert of 1.00 GBP", c.ExecuteScalar<string>("SELECT body FROM notifications WHERE kind = 'low-balance'"), StringComparison.Ordinal);
    }
}
