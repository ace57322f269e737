namespace Billing.Jobs.Dunning;

/// <summary>Configuration of the dunning run (<c>dunning</c> in billing.json).</summary>
public sealed record DunningOptions
{
    /// <summary>Where the day's agency hand-over file is written (<c>agency-yyyy-MM-dd.csv</c>); null: <c>STATE/agency</c>.</summary>
    public string? AgencyFolder { get; init; }

    /// <summary>Accounts read per query while evaluating.</summary>
    public int BatchSize { get; init; } = 1000;

    public IReadOnlyList<string> Problems() =>
        BatchSize is < 1 or > 100_000 ? [$"dunning.batchSize must be 1–100000, not {BatchSize}"] : [];
}
