using Billing.Core.Usage;
using NodaTime;

namespace Billing.Core.Rating;

/// <summary>One event to price: the service, the E.164 destination (null for data), when, and how much (seconds, 1 SMS, bytes).</summary>
public sealed record RatingRequest(ServiceType Service, string? Destination, Instant Start, long Quantity);

/// <summary>The result of rating one event: a charge, or why it could not be priced (a value, not an exception; the reason is one of <see cref="HoldReasons"/>).</summary>
public readonly record struct RatingOutcome(RatedCharge? Charge, string? FailureReason, string? FailureDetail)
{
    public bool IsRated => Charge is not null;

    public static RatingOutcome Rated(RatedCharge charge) => new(charge, null, null);

    public static RatingOutcome Failed(string reason, string detail) => new(null, reason, detail);
}

/// <summary>
/// A priced event and how it was priced, so customer care can explain it and it can be re-rated:
/// catalogue version, plan, destination, the parts by time band, billed quantity, allowance used.
/// </summary>
public sealed record RatedCharge
{
    /// <summary>The cost after minimum, rounding and cap, at 6 decimals at most.</summary>
    public required decimal Amount { get; init; }

    public required string Currency { get; init; }

    public required string CatalogVersion { get; init; }

    public required string PlanId { get; init; }

    /// <summary>The destination group priced ("*any" for the catch-all; null for data).</summary>
    public string? DestinationGroup { get; init; }

    /// <summary>The prefix of the number that selected the group (null for "*any" or data).</summary>
    public string? MatchedPrefix { get; init; }

    /// <summary>The quantity used (seconds, events, bytes).</summary>
    public long Quantity { get; init; }

    /// <summary>The quantity billed after rounding up to increments (includes what the allowance covered).</summary>
    public long BilledQuantity { get; init; }

    public string? AllowanceId { get; init; }

    /// <summary>How much of the allowance this event consumed (in the allowance's unit).</summary>
    public long AllowanceUsed { get; init; }

    /// <summary>
    /// What <see cref="AllowanceId"/> had left before this event (0 when no allowance was used): the one input of
    /// the engine that neither the usage record nor the catalogue holds, so the charge can be priced again.
    /// </summary>
    public long AllowanceBefore { get; init; }

    /// <summary>The timing (time band) in force at the event's start: its rate gave the connect fee, minimum, cap and rounding.</summary>
    public string? TimeBand { get; init; }

    public decimal ConnectFee { get; init; }

    /// <summary>Cost before minimum, rounding and cap.</summary>
    public decimal RawCost { get; init; }

    public bool MinimumApplied { get; init; }

    /// <summary>The cost was capped at MaxCost (strategy free).</summary>
    public bool Capped { get; init; }

    /// <summary>
    /// Strategy disconnect: the offset (seconds into the call) where it should have been cut — the
    /// start of the first increment begun with the increments' cost so far at or above MaxCost, as
    /// CGRateS cuts it. Null when that never happened. Reported only: the cost is not capped.
    /// </summary>
    public long? DisconnectAt { get; init; }

    /// <summary>The call ran past where a disconnect MaxCost should have cut it (<see cref="DisconnectAt"/>).</summary>
    public bool DisconnectReached => DisconnectAt is not null;

    public IReadOnlyList<ChargePart> Parts { get; init; } = [];
}

/// <summary>
/// A run of increments priced alike: from <paramref name="Offset"/> into the event (at instant
/// <paramref name="Start"/>), <paramref name="BilledQuantity"/> units under timing/rate/step,
/// <paramref name="AllowanceQuantity"/> of them covered by the allowance, costing <paramref name="Cost"/>.
/// </summary>
public readonly record struct ChargePart(
    Instant Start,
    long Offset,
    long BilledQuantity,
    string TimingId,
    string RateId,
    int StepIndex,
    long AllowanceQuantity,
    decimal Cost);
