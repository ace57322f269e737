using Billing.Core.Usage;
using NodaTime;

namespace Billing.Core.Catalog;

/// <summary>
/// One version of the tariff catalogue: everything rating needs, immutable. Loaded from the native
/// catalogue folder or imported from a CGRateS tariff plan; stored as a version with an effective
/// date. Prices are exact decimals in each plan's currency.
/// </summary>
public sealed record TariffCatalog
{
    /// <summary>The version label stored with every rated charge (e.g. "2026-11-01" or a checksum).</summary>
    public required string Version { get; init; }

    public required DestinationTable Destinations { get; init; }

    public required IReadOnlyDictionary<string, Timing> Timings { get; init; }

    public required IReadOnlyDictionary<string, Rate> Rates { get; init; }

    public required IReadOnlyDictionary<string, Plan> Plans { get; init; }

    /// <summary>Public holidays by tariff zone's local date (timings can include or exclude them).</summary>
    public IReadOnlySet<LocalDate> Holidays { get; init; } = new HashSet<LocalDate>();

    /// <summary>CGRateS-style subject → plan assignments, for `billing price --subject`.</summary>
    public IReadOnlyList<RatingProfile> RatingProfiles { get; init; } = [];

    /// <summary>Tax rates by region and category (<c>taxes.csv</c>); the bill run refuses to issue a line whose rate is missing.</summary>
    public TaxTable Taxes { get; init; } = new([]);

    /// <summary>Discounts per plan or per account (<c>discounts.csv</c>), applied by the bill run before tax.</summary>
    public IReadOnlyList<DiscountRule> Discounts { get; init; } = [];

    /// <summary>The dunning ladders per customer segment and the default (<c>dunning.csv</c>); none: nobody is chased.</summary>
    public Billing.Core.Dunning.DunningPolicies Dunning { get; init; } = Billing.Core.Dunning.DunningPolicies.None;
}

/// <summary>
/// A plan: its currency, the IANA zone its time bands are evaluated in, and price entries per
/// service. For one event, the entries for the event's destination group (longest prefix the
/// plan prices, else "*any") whose timing contains the moment compete: highest weight wins, on
/// equal weight the cheaper rate.
/// </summary>
public sealed record Plan
{
    public const string AnyDestination = "*any";

    public required string Id { get; init; }

    public string Name { get; init; } = "";

    public required string Currency { get; init; }

    public required string TimeZone { get; init; }

    public IReadOnlyList<PriceEntry> Voice { get; init; } = [];

    public IReadOnlyList<PriceEntry> Sms { get; init; } = [];

    public IReadOnlyList<PriceEntry> Data { get; init; } = [];

    /// <summary>Bundles per bill cycle, consumed in event-time order before any price applies.</summary>
    public IReadOnlyList<Allowance> Allowances { get; init; } = [];

    /// <summary>Fees charged per cycle by the bill run (not by usage rating).</summary>
    public IReadOnlyList<RecurringFee> RecurringFees { get; init; } = [];

    /// <summary>The tax category of this plan's usage per service (<c>plans.csv</c>); a service not named is <see cref="StandardTaxCategory"/>.</summary>
    public IReadOnlyDictionary<ServiceType, string> UsageTaxCategories { get; init; } = new Dictionary<ServiceType, string>();

    public const string StandardTaxCategory = "standard";

    public string UsageTaxCategory(ServiceType service) => UsageTaxCategories.GetValueOrDefault(service, StandardTaxCategory);

    /// <summary>
    /// Allowances a subscriber can buy (from a prepaid wallet) on top of the plan's; each is also in
    /// <see cref="Allowances"/> with amount 0, after the plan's own, so the plan's are used first.
    /// </summary>
    public IReadOnlyList<Bundle> Bundles { get; init; } = [];

    /// <summary>How a prepaid subscriber's wallet is run on this plan (thresholds, credit limit, expiry).</summary>
    public Billing.Core.Prepaid.PrepaidPolicy Prepaid { get; init; } = Billing.Core.Prepaid.PrepaidPolicy.Default;

    public IReadOnlyList<PriceEntry> Entries(ServiceType service) => service switch
    {
        ServiceType.Voice => Voice,
        ServiceType.Sms => Sms,
        ServiceType.Data => Data,
        _ => throw new ArgumentOutOfRangeException(nameof(service), service, null),
    };
}

/// <summary>Price <paramref name="RateId"/> applies to <paramref name="DestinationGroup"/> (or "*any") while <paramref name="TimingId"/> holds.</summary>
public sealed record PriceEntry(string DestinationGroup, string TimingId, decimal Weight, string RateId);

/// <summary>
/// How one part of an event is priced (CGRateS' rate + destination-rate options). Quantities are
/// in the service's unit: seconds (voice), events (SMS), bytes (data).
/// </summary>
public sealed record Rate
{
    public required string Id { get; init; }

    /// <summary>Once per event, from the rate in force at its start.</summary>
    public decimal ConnectFee { get; init; }

    /// <summary>Slots by offset: the one in force at quantity q has the largest <see cref="RateStep.From"/> ≤ q. The first starts at 0.</summary>
    public required IReadOnlyList<RateStep> Steps { get; init; }

    /// <summary>An event priced at all costs at least this (before the cap).</summary>
    public decimal MinimumCharge { get; init; }

    /// <summary>0 = no cap.</summary>
    public decimal MaxCost { get; init; }

    public MaxCostStrategy MaxCostStrategy { get; init; } = MaxCostStrategy.Free;

    public RoundingMethod Rounding { get; init; } = RoundingMethod.Middle;

    public int RoundingDecimals { get; init; } = 4;
}

/// <summary>
/// From quantity <paramref name="From"/> on: <paramref name="Price"/> per <paramref name="Unit"/>,
/// billed in whole <paramref name="Increment"/>s (each costs Price × Increment / Unit).
/// "First 60 s as one block, then per second": (0, p, 60, 60), (60, p, 60, 1).
/// </summary>
public sealed record RateStep(long From, decimal Price, long Unit, long Increment);

public enum RoundingMethod
{
    /// <summary>Ceiling (CGRateS *up).</summary>
    Up,

    /// <summary>Half away from zero (CGRateS *middle).</summary>
    Middle,

    /// <summary>Floor (CGRateS *down).</summary>
    Down,
}

public enum MaxCostStrategy
{
    /// <summary>The cost is min(cost, MaxCost) (CGRateS *free).</summary>
    Free,

    /// <summary>Not capped, but the call should have been cut at MaxCost: reported (CGRateS *disconnect).</summary>
    Disconnect,
}

/// <summary>
/// When a price entry holds, in the plan's zone: the date filters (null = any) and a daily window
/// [Start, End) of local time (End null = until midnight). Holidays: a date in the catalogue's
/// holiday list matches only timings that allow holidays, and a timing that is holiday-only
/// matches nothing else.
/// </summary>
public sealed record Timing
{
    public required string Id { get; init; }

    public IReadOnlySet<int>? Years { get; init; }

    public IReadOnlySet<int>? Months { get; init; }

    public IReadOnlySet<int>? MonthDays { get; init; }

    public IReadOnlySet<IsoDayOfWeek>? WeekDays { get; init; }

    public HolidayRule Holidays { get; init; } = HolidayRule.Any;

    public LocalTime Start { get; init; } = LocalTime.Midnight;

    public LocalTime? End { get; init; }

    /// <summary>"*any": always.</summary>
    public static Timing Always { get; } = new() { Id = "*any" };
}

public enum HolidayRule
{
    /// <summary>Holidays are ordinary days for this timing.</summary>
    Any,

    /// <summary>This timing holds only on holidays.</summary>
    Only,

    /// <summary>This timing never holds on holidays.</summary>
    Exclude,
}

/// <summary>A bundle per bill cycle: seconds (voice), events (SMS) or bytes (data), optionally only to some destination groups.</summary>
public sealed record Allowance(string Id, ServiceType Service, long Amount, IReadOnlySet<string>? DestinationGroups = null);

/// <summary>An allowance bought for a price; it lasts until the end of the bill cycle it is bought in.</summary>
public sealed record Bundle(string Id, string Name, Allowance Allowance, decimal Price);

/// <summary>A fee per bill cycle, prorated by local days by the bill run; billed for the next cycle (<see cref="FeeBilling.Advance"/>, the default) or for the cycle just closed (<see cref="FeeBilling.Arrears"/>).</summary>
public sealed record RecurringFee(string Id, string Description, decimal Amount, string TaxCategory = "standard", FeeBilling Billing = FeeBilling.Advance);

/// <summary>Which cycle a recurring fee pays for when a cycle closes.</summary>
public enum FeeBilling
{
    /// <summary>The next cycle, billed at the close of the current one (days of the closed cycle not yet billed are caught up).</summary>
    Advance,

    /// <summary>The cycle just closed.</summary>
    Arrears,
}

/// <summary>CGRateS RatingProfiles.csv: which plan a subject uses from when, and whom to fall back to.</summary>
public sealed record RatingProfile(string Tenant, string Category, string Subject, Instant ActivationTime, string PlanId, IReadOnlyList<string> FallbackSubjects);
