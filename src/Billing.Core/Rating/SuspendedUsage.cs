namespace Billing.Core.Rating;

/// <summary>
/// What rating does with the usage of a subscriber that dunning has suspended (outgoing service barred;
/// what still gets through — incoming-paid roaming, a call set up before the bar — arrives in CDRs):
/// the setting <c>dunning.suspendedUsage</c> of billing.json.
/// </summary>
public enum SuspendedUsage
{
    /// <summary>Rated and charged as any usage: the network bars the service, the bill records what got through.</summary>
    Rate,

    /// <summary>Held (<see cref="HoldReasons.Suspended"/>) while the suspension lasts; rated by the first rating run after reactivation.</summary>
    Hold,
}

public static class SuspendedUsageCodes
{
    public static string Code(this SuspendedUsage mode) => mode switch
    {
        SuspendedUsage.Rate => "rate",
        SuspendedUsage.Hold => "hold",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    public static SuspendedUsage? Parse(string? code) => code switch
    {
        "rate" => SuspendedUsage.Rate,
        "hold" => SuspendedUsage.Hold,
        _ => null,
    };
}
