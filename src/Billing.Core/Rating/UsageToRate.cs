using Billing.Core.Accounts;
using Billing.Core.Cycles;
using Billing.Core.Money;
using Billing.Core.Usage;
using NodaTime;

namespace Billing.Core.Rating;

/// <summary>
/// The subscription in force at a usage record's time, with what rating needs of its account:
/// where the account's bill cycles fall, and how and in what currency it pays.
/// </summary>
public sealed record Subscriber
{
    public Subscriber(long subscriptionId, string planId, string accountId, DateTimeZone timeZone, int billCycleDay, PaymentType paymentType, Currency currency)
    {
        ArgumentException.ThrowIfNullOrEmpty(planId);
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        ArgumentNullException.ThrowIfNull(timeZone);
        ArgumentNullException.ThrowIfNull(currency);
        if (!Account.IsBillCycleDay(billCycleDay))
        {
            throw new ArgumentOutOfRangeException(nameof(billCycleDay), billCycleDay, $"a bill cycle day is {Account.FirstBillCycleDay}–{Account.LastBillCycleDay}");
        }

        SubscriptionId = subscriptionId;
        PlanId = planId;
        AccountId = accountId;
        TimeZone = timeZone;
        BillCycleDay = billCycleDay;
        PaymentType = paymentType;
        Currency = currency;
    }

    public long SubscriptionId { get; }

    public string PlanId { get; }

    public string AccountId { get; }

    /// <summary>The account's zone: its bill cycles are local dates there.</summary>
    public DateTimeZone TimeZone { get; }

    public int BillCycleDay { get; }

    public PaymentType PaymentType { get; }

    /// <summary>The account's currency (a prepaid wallet's is the one it was opened in).</summary>
    public Currency Currency { get; }

    /// <summary>The account pays in advance: its charges are taken from its wallet.</summary>
    public bool Prepaid => PaymentType == PaymentType.Prepaid;

    /// <summary>The start of the account's bill cycle that holds <paramref name="at"/>.</summary>
    public LocalDate CycleAt(Instant at) => BillCycle.Containing(at, TimeZone, BillCycleDay).Start;
}

/// <summary>
/// A stored usage record to price, with the subscriber it belongs to at its event time (null when no
/// subscription of its number is in force then: it cannot be rated until one is imported).
/// </summary>
public sealed record UsageToRate
{
    public UsageToRate(long id, string msisdn, ServiceType service, string? destination, Instant start, long durationSeconds, long volumeBytes, Subscriber? subscriber)
    {
        ArgumentException.ThrowIfNullOrEmpty(msisdn);
        ArgumentOutOfRangeException.ThrowIfNegative(durationSeconds);
        ArgumentOutOfRangeException.ThrowIfNegative(volumeBytes);
        Id = id;
        Msisdn = msisdn;
        Service = service;
        Destination = destination;
        Start = start;
        DurationSeconds = durationSeconds;
        VolumeBytes = volumeBytes;
        Subscriber = subscriber;
    }

    /// <summary>The usage record's id.</summary>
    public long Id { get; }

    public string Msisdn { get; }

    public ServiceType Service { get; }

    /// <summary>The E.164 number called or messaged (null for data).</summary>
    public string? Destination { get; }

    /// <summary>The event time; event-time order is (start, id).</summary>
    public Instant Start { get; }

    public long DurationSeconds { get; }

    public long VolumeBytes { get; }

    public Subscriber? Subscriber { get; }

    /// <summary>Rated before and taken back to be rated again (a late file, a re-rate): its wallet may have been charged already.</summary>
    public bool Retaken { get; init; }

    /// <summary>False only when the read saw no hold on this record (so rating it has none to clear).</summary>
    public bool MayBeHeld { get; init; } = true;

    /// <summary>
    /// The day dunning suspended the subscription, when a suspension not lifted yet was in force at the
    /// event (read only where usage of suspended subscribers is held: <see cref="SuspendedUsage.Hold"/>).
    /// </summary>
    public LocalDate? SuspendedSince { get; init; }

    /// <summary>What is priced: seconds of a call, one message, bytes of data.</summary>
    public long Quantity => Service switch
    {
        ServiceType.Voice => DurationSeconds,
        ServiceType.Sms => 1,
        _ => VolumeBytes,
    };

    public RatingRequest Request => new(Service, Destination, Start, Quantity);
}

/// <summary>A usage record priced in its subscriber's bill cycle (starting <paramref name="Cycle"/>) with catalogue version <paramref name="CatalogVersion"/>: a charge to store.</summary>
public sealed record RatedUsage(UsageToRate Usage, LocalDate Cycle, int CatalogVersion, RatedCharge Charge);
