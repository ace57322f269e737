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

    /// <summary>
    /// The numbering plan Destinations.csv is written in: national prefixes (`0723`) are read as
    /// E.164 (`40723`) under it. Null: prefixes are taken as written (only a leading '+' dropped),
    /// as versions stored before the option existed were read.
    /// </summary>
    public PrefixNumbering? Numbering { get; init; }
}
