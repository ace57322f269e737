namespace Billing.Catalog.Cgrates;

/// <summary>What a CGRateS tariff plan does not say and the import must be told.</summary>
public sealed record CgratesImportOptions
{
    /// <summary>The catalogue version label stored with every rated charge.</summary>
    public required string Version { get; init; }

    /// <summary>CGRateS rating plans carry no currency; every imported plan gets this one.</summary>
    public string Currency { get; init; } = "EUR";

    /// <summary>The IANA zone the timings are evaluated in (CGRateS uses its configured default zone).</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>Used for RatingProfiles rows whose Tenant is empty.</summary>
    public string DefaultTenant { get; init; } = "cgrates.org";

    /// <summary>Used for RatingProfiles rows whose Category is empty.</summary>
    public string DefaultCategory { get; init; } = "call";
}
