using NodaTime;

namespace Billing.Mediation;

/// <summary>The CDR formats the engine reads (FORMATS.md).</summary>
public enum CdrFormat
{
    Canonical,
    Cucm,
    Asterisk,
    FreeSwitch,
}

/// <summary>FreeSWITCH mod_cdr_csv templates: the default (13 fields) and the shipped example (15).</summary>
public enum FreeSwitchTemplate
{
    Default,
    Example,
}

/// <summary>
/// One configured source: a sub-folder of the drop folder, its format and how to read it.
/// The name is part of every record's identity: (source, record key).
/// </summary>
public sealed record SourceOptions
{
    public required string Name { get; init; }

    public required CdrFormat Format { get; init; }

    /// <summary>IANA zone of local timestamps (Asterisk, FreeSWITCH). CUCM and canonical carry their own.</summary>
    public string TimeZone { get; init; } = "UTC";

    public NumberingPlan Numbering { get; init; } = new();

    /// <summary>Asterisk Master.csv layout: 16, 17, 18 or 21 columns.</summary>
    public int AsteriskColumns { get; init; } = 18;

    public FreeSwitchTemplate FreeSwitchTemplate { get; init; } = FreeSwitchTemplate.Example;

    /// <summary>Unanswered or zero-billable calls are counted as filtered, not stored.</summary>
    public bool FilterUnanswered { get; init; } = true;

    public const long DefaultMaxDurationSeconds = 86_400;

    public const long DefaultMaxVolumeBytes = 1L << 40;

    /// <summary>Longer billable durations are absurd and go to suspense.</summary>
    public long MaxDurationSeconds { get; init; } = DefaultMaxDurationSeconds;

    /// <summary>Larger volumes for one data record are absurd and go to suspense (default 1 TiB).</summary>
    public long MaxVolumeBytes { get; init; } = DefaultMaxVolumeBytes;

    /// <summary>
    /// How far the switch's clock may run ahead of ours (and of the file's write time): a call that
    /// starts later than that is from the future and goes to suspense. 0 to 86,400; default 300.
    /// </summary>
    public int ClockSkewSeconds { get; init; } = 300;

    public DateTimeZone Zone() =>
        DateTimeZoneProviders.Tzdb.GetZoneOrNull(TimeZone)
        ?? throw new InvalidOperationException($"Source '{Name}': unknown IANA time zone '{TimeZone}'.");
}

/// <summary>How a source's dial strings become E.164 numbers.</summary>
public sealed record NumberingPlan
{
    /// <summary>The operator's country calling code, e.g. "44".</summary>
    public string CountryCode { get; init; } = "44";

    /// <summary>The national trunk prefix, e.g. "0" (UK) or "1" (NANP).</summary>
    public string TrunkPrefix { get; init; } = "0";

    /// <summary>International dialling prefixes, e.g. "00" or "011".</summary>
    public IReadOnlyList<string> InternationalPrefixes { get; init; } = ["00"];

    /// <summary>PBX access codes (e.g. "9" for an outside line) stripped from numbers longer than an extension.</summary>
    public IReadOnlyList<string> AccessCodes { get; init; } = [];

    /// <summary>Numbers of at most this many digits are PBX extensions.</summary>
    public int ExtensionDigits { get; init; }

    /// <summary>E.164 prefix that turns an extension into a full number (the DID range); empty = extensions are not billable numbers.</summary>
    public string ExtensionPrefix { get; init; } = "";

    /// <summary>
    /// A number with neither trunk nor international prefix that starts with the country code is
    /// E.164 logged without its '+' (447700900123), not a national number. Turn off for a plan whose
    /// national significant numbers can start with the country code's digits.
    /// </summary>
    public bool BareCountryCodeIsE164 { get; init; } = true;

    /// <summary>Shortest national significant number accepted (after the country code).</summary>
    public int MinNationalDigits { get; init; } = 6;

    /// <summary>
    /// The country's emergency and other free service numbers (the UK's 999 and 112 by default). A call or SMS to one —
    /// dialled as it is, or after an access code — is never billed: it is filtered (<c>service-number</c>, counted in the
    /// file's figures, not stored) before its number could be read as a PBX extension or a national number and priced.
    /// </summary>
    public IReadOnlyList<string> ServiceNumbers { get; init; } = ["999", "112"];
}
