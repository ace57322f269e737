using System.Globalization;

namespace Billing.Core.Rating;

/// <summary>
/// What rating stored of one charge (rated_charges' columns): the engine's inputs that neither the usage record
/// nor the catalogue holds — the catalogue version, the plan, the allowance's balance before the event — and
/// what the engine came to. The parts, connect fee, raw cost, minimum, cap and rounding are not stored: rating
/// is deterministic, so <see cref="ChargeExplainer"/> computes them again.
/// </summary>
public sealed record StoredRating
{
    public required int CatalogVersion { get; init; }

    public required string PlanId { get; init; }

    public required decimal Amount { get; init; }

    public required string Currency { get; init; }

    public string? DestinationGroup { get; init; }

    public string? MatchedPrefix { get; init; }

    public long Quantity { get; init; }

    public long BilledQuantity { get; init; }

    public string? AllowanceId { get; init; }

    public long AllowanceUsed { get; init; }

    /// <summary>The allowance's balance before the event; null for a charge rated before it was stored (V0014).</summary>
    public long? AllowanceBefore { get; init; }

    /// <summary>The timing in force at the start; null for a zero-quantity charge rated before it was stored (V0014).</summary>
    public string? TimeBand { get; init; }
}

/// <summary>A value the stored charge and the charge computed again disagree on (the field named as rated_charges names it).</summary>
public sealed record ChargeDifference(string Field, string? Stored, string? Recomputed);

/// <summary>A stored charge priced again by the engine: the full breakdown, and where it differs from what was stored (nowhere, normally).</summary>
public sealed record ChargeExplanation(StoredRating Stored, RatingOutcome Recomputed, IReadOnlyList<ChargeDifference> Differences)
{
    /// <summary>The charge computed again is the stored one in every stored value.</summary>
    public bool Matches => Differences.Count == 0;
}

/// <summary>
/// Explains a stored charge by pricing its usage record again (pure): the same catalogue version, plan and
/// allowance balance give the same charge, since the engine reads nothing else.
/// </summary>
public static class ChargeExplainer
{
    /// <summary>
    /// Prices <paramref name="request"/> (the usage record as rating read it) with <paramref name="rater"/> (catalogue
    /// version <see cref="StoredRating.CatalogVersion"/>) under the stored plan and allowance balance, and compares.
    /// </summary>
    public static ChargeExplanation Explain(Rater rater, RatingRequest request, StoredRating stored)
    {
        ArgumentNullException.ThrowIfNull(rater);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(stored);
        var outcome = rater.Rate(stored.PlanId, request, OpeningBalance(stored));
        return new ChargeExplanation(stored, outcome, outcome.Charge is { } charge
            ? Compare(stored, charge)
            : [new ChargeDifference("amount", Text(stored.Amount), $"not priced ({outcome.FailureReason}: {outcome.FailureDetail})")]);
    }

    /// <summary>
    /// The balance the engine found: only the allowance the charge used, with what it had left. The plan's other
    /// allowances of the destination had none left (the engine takes the first in plan order with a balance),
    /// and a charge that used none found none. A charge stored before the balance was (null) is given exactly what
    /// it used: the engine consumes min(balance, billed quantity), so that balance consumes the same.
    /// </summary>
    public static Dictionary<string, long> OpeningBalance(StoredRating stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var balance = new Dictionary<string, long>(StringComparer.Ordinal);
        if (stored.AllowanceId is { } id && stored.AllowanceUsed > 0)
        {
            balance[id] = stored.AllowanceBefore ?? stored.AllowanceUsed;
        }

        return balance;
    }

    /// <summary>Every stored output of the engine against the one computed again; the time band only where it was stored.</summary>
    public static IReadOnlyList<ChargeDifference> Compare(StoredRating stored, RatedCharge recomputed)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(recomputed);
        var differences = new List<ChargeDifference>();
        void Check(string field, string? was, string? now)
        {
            if (!string.Equals(was, now, StringComparison.Ordinal))
            {
                differences.Add(new ChargeDifference(field, was, now));
            }
        }

        Check("amount", Text(stored.Amount), Text(recomputed.Amount));
        Check("currency", stored.Currency, recomputed.Currency);
        Check("destination_group", stored.DestinationGroup, recomputed.DestinationGroup);
        Check("matched_prefix", stored.MatchedPrefix, recomputed.MatchedPrefix);
        Check("time_band", stored.TimeBand ?? recomputed.TimeBand, recomputed.TimeBand);
        Check("quantity", Text(stored.Quantity), Text(recomputed.Quantity));
        Check("billed_quantity", Text(stored.BilledQuantity), Text(recomputed.BilledQuantity));
        Check("allowance_id", stored.AllowanceId, recomputed.AllowanceId);
        Check("allowance_used", Text(stored.AllowanceUsed), Text(recomputed.AllowanceUsed));
        return differences;
    }

    /// <summary>Amounts compared as values (0.5 = 0.500000, as numeric(20, 6) gives it back), shown to 6 decimals.</summary>
    private static string Text(decimal amount) => amount.ToString("0.000000", CultureInfo.InvariantCulture);

    private static string Text(long quantity) => quantity.ToString(CultureInfo.InvariantCulture);
}
