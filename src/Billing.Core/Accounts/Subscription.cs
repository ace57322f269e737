using NodaTime;

namespace Billing.Core.Accounts;

/// <summary>
/// A number (E.164 digits, no '+') on a plan for an account during [<see cref="ActiveFrom"/>,
/// <see cref="ActiveTo"/>): the end is exclusive, null while the period is open. A plan change is a
/// new period; the number's usage belongs to the period its event time falls in.
/// </summary>
public sealed record Subscription
{
    /// <param name="id">the stored subscription's id; 0 for a period not stored yet (an import).</param>
    public Subscription(long id, string accountId, string msisdn, string planId, Instant activeFrom, Instant? activeTo)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(accountId);
        ArgumentException.ThrowIfNullOrWhiteSpace(msisdn);
        ArgumentException.ThrowIfNullOrWhiteSpace(planId);
        if (activeTo is { } to && to <= activeFrom)
        {
            throw new ArgumentException($"the period [{activeFrom}, {to}) is empty: active to must be after active from", nameof(activeTo));
        }

        Id = id;
        AccountId = accountId;
        Msisdn = msisdn;
        PlanId = planId;
        ActiveFrom = activeFrom;
        ActiveTo = activeTo;
    }

    public long Id { get; }

    public string AccountId { get; }

    public string Msisdn { get; }

    public string PlanId { get; }

    public Instant ActiveFrom { get; }

    /// <summary>Exclusive; null while open.</summary>
    public Instant? ActiveTo { get; }
}
