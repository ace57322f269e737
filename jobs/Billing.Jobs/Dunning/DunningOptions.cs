namespace Billing.Jobs.Dunning;

/// <summary>Configuration of the dunning run (<c>dunning</c> in billing.json).</summary>
public sealed record DunningOptions
{
    /// <summary>Where the day's agency hand-over file is written (<c>agency-yyyy-MM-dd.csv</c>); null: <c>STATE/agency</c>.</summary>
    public string? AgencyFolder { get; init; }

    /// <summary>Accounts read per query while evaluating.</summary>
    public int BatchSize { get; init; } = 1000;

    /// <summary>
    /// What rating does with a suspended subscriber's usage: <c>rate</c> (charged; the bill records it) or
    /// <c>hold</c> (held, reason <c>suspended</c>, until reactivation). See <see cref="Core.Rating.SuspendedUsage"/>.
    /// </summary>
    public string SuspendedUsage { get; init; } = "rate";

    /// <summary><see cref="SuspendedUsage"/> as read (a value <see cref="Problems"/> refuses counts as <c>rate</c>).</summary>
    public Core.Rating.SuspendedUsage SuspendedUsageMode() => Core.Rating.SuspendedUsageCodes.Parse(SuspendedUsage) ?? Core.Rating.SuspendedUsage.Rate;

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (BatchSize is < 1 or > 100_000)
        {
            problems.Add($"dunning.batchSize must be 1–100000, not {BatchSize}");
        }

        if (Core.Rating.SuspendedUsageCodes.Parse(SuspendedUsage) is null)
        {
            problems.Add($"dunning.suspendedUsage must be \"rate\" or \"hold\", not \"{SuspendedUsage}\"");
        }

        return problems;
    }
}
