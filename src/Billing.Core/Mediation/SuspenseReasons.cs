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

    /// <summary>A quoted field not closed on its line: CDR fields never hold line breaks, so the next line is a record of its own.</summary>
    public const string UnclosedQuote = "unclosed-quote";

    /// <summary>A record longer than the reader's limit (64 KiB): its first bytes are kept, and its true length in the detail.</summary>
    public const string RecordTooLong = "record-too-long";

    /// <summary>A row holding a NUL byte (binary data in a text file); its text is kept with the NUL replaced.</summary>
    public const string NulByte = "nul-byte";

    /// <summary>A call that starts after its file was written (or after now), beyond the source's clock-skew tolerance.</summary>
    public const string FutureStart = "future-start";

    /// <summary>A call answered (connected) before it started (originated).</summary>
    public const string AnswerBeforeStart = "answer-before-start";

    /// <summary>More billable seconds than the call lasted: Asterisk/FreeSWITCH billsec above duration, CUCM duration above disconnect − origination.</summary>
    public const string BillableExceedsDuration = "billable-exceeds-duration";

    /// <summary>A record key longer than <c>CdrNormaliser.MaxRecordKeyBytes</c>: too long to be an identity PostgreSQL can index.</summary>
    public const string RecordKeyTooLong = "record-key-too-long";

    public static IReadOnlyList<string> All { get; } =
    [
        MalformedRow, BadEncoding, MissingKey, BadTimestamp, EndBeforeStart, NegativeDuration,
        AbsurdDuration, BadVolume, UnknownService, BadNumber, BadDestination, UnclosedQuote, RecordTooLong, NulByte,
        FutureStart, AnswerBeforeStart, BillableExceedsDuration, RecordKeyTooLong,
    ];

    /// <summary>
    /// Rows that could not be read as their format at all. A file of nothing else is not a file with
    /// bad rows but the wrong file (or no CDR file): it is rejected whole.
    /// </summary>
    public static bool IsUnreadable(string reason) => reason is MalformedRow or BadEncoding or UnclosedQuote or RecordTooLong or NulByte;

    /// <summary>
    /// Rows whose kept raw line is not what the file held: bytes that are not UTF-8 and NULs are kept as
    /// U+FFFD, a record too long as its first 64 KiB. Read again they would be another record (two keys
    /// that differ in such a byte become one), so recycling leaves them in suspense.
    /// </summary>
    public static bool KeepsAlteredText(string reason) => reason is BadEncoding or NulByte or RecordTooLong;
}

/// <summary>Why a row was filtered (counted, not stored, not an error).</summary>
public static class FilterReasons
{
    public const string Unanswered = "unanswered";
    public const string ZeroBillable = "zero-billable";
    public const string ZeroVolume = "zero-volume";
    public const string CallManagementRecord = "cmr";
    public const string StartRecord = "start-record";

    /// <summary>A call or SMS to an emergency or free service number of the source's numbering plan: never billed.</summary>
    public const string ServiceNumber = "service-number";
}
