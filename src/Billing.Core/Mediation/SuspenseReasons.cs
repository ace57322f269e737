namespace Billing.Core.Mediation;

/// <summary>Reason codes for rows sent to suspense. Stable strings: operators filter and recycle by them.</summary>
public static class SuspenseReasons
{
    public const string MalformedRow = "malformed-row";
    public const string BadEncoding = "bad-encoding";
    public const string MissingKey = "missing-record-key";
    public const string BadTimestamp = "bad-timestamp";
    public const string EndBeforeStart = "end-before-start";
    public const string NegativeDuration = "negative-duration";
    public const string AbsurdDuration = "absurd-duration";
    public const string BadVolume = "bad-volume";
    public const string UnknownService = "unknown-service";
    public const string BadNumber = "bad-number";
    public const string BadDestination = "bad-destination";

    public static IReadOnlyList<string> All { get; } =
    [
        MalformedRow, BadEncoding, MissingKey, BadTimestamp, EndBeforeStart, NegativeDuration,
        AbsurdDuration, BadVolume, UnknownService, BadNumber, BadDestination,
    ];
}

/// <summary>Why a row was filtered (counted, not stored, not an error).</summary>
public static class FilterReasons
{
    public const string Unanswered = "unanswered";
    public const string ZeroBillable = "zero-billable";
    public const string ZeroVolume = "zero-volume";
    public const string CallManagementRecord = "cmr";
    public const string StartRecord = "start-record";
}
