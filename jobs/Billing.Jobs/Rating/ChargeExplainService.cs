using Billing.Core.Rating;
using Billing.Jobs.Catalog;
using Billing.Storage;
using Billing.Storage.Rating;

namespace Billing.Jobs.Rating;

/// <summary>
/// A stored charge explained: the charge and its usage record, the catalogue version it was rated with (null when
/// that version is no longer stored), the engine's breakdown computed again and where it differs from the stored
/// charge, and for a prepaid account what its wallet was debited and what went to overdraft.
/// </summary>
public sealed record ExplainedCharge(ChargeOfUsage Charge, CatalogVersion? Catalog, ChargeExplanation? Explanation, IReadOnlyList<UsageCharged> Wallet);

/// <summary>
/// `billing charges explain`: loads stored charges with their usage and catalogue versions, and prices each again
/// with the pure engine (<see cref="ChargeExplainer"/>), which needs nothing the charge did not store.
/// </summary>
public sealed class ChargeExplainService(BillingDatabase db, CatalogCache catalogs)
{
    /// <summary>The charges of these usage records explained, in usage id order; records with no charge are left out.</summary>
    public IReadOnlyList<ExplainedCharge> Explain(IReadOnlyCollection<long> usageIds)
    {
        using var conn = db.Open();
        using var tx = conn.BeginTransaction();
        var charges = ChargeStore.OfUsage(conn, usageIds);
        var wallets = WalletStore.Charged(tx, charges.Where(c => c.Prepaid).Select(c => c.Usage.Id).ToList());
        var explained = charges.Select(c =>
        {
            var version = catalogs.Version(conn, c.Rating.CatalogVersion);
            return new ExplainedCharge(c, version, version is null ? null : ChargeExplainer.Explain(version.Rater, c.Usage.Request, c.Rating),
                wallets.GetValueOrDefault(c.Usage.Id) ?? []);
        }).ToList();
        tx.Commit();
        return explained;
    }

    /// <summary>Why usage record <paramref name="usageId"/> has no charge: it does not exist, it is held (reason, detail), or it is not rated yet.</summary>
    public (bool Exists, string? Reason, string? Detail) WhyNoCharge(long usageId)
    {
        using var conn = db.Open();
        return HoldStore.Find(conn, usageId);
    }
}
