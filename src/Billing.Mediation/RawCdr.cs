using Billing.Core.Usage;
using NodaTime;

namespace Billing.Mediation;

/// <summary>
/// What a reader extracts from one row, before normalisation: numbers still as dialled,
/// times already in UTC (readers know their source's zone), quantities as logged.
/// </summary>
public sealed record RawCdr
{
    public required string RecordKey { get; init; }

    public required ServiceType Service { get; init; }

    /// <summary>The party that pays: the calling number (voice) or the subscriber (SMS, data).</summary>
    public required string Calling { get; init; }

    /// <summary>The called number as dialled; null for data.</summary>
    public string? Called { get; init; }

    public required Instant Start { get; init; }

    /// <summary>End of the call when the source logs it; checked against the start.</summary>
    public Instant? End { get; init; }

    /// <summary>Seconds to bill (CUCM duration, Asterisk/FreeSWITCH billsec, canonical duration_s).</summary>
    public long BillableSeconds { get; init; }

    public long VolumeBytes { get; init; }

    public string? CellId { get; init; }

    /// <summary>False for calls that never connected.</summary>
    public bool Answered { get; init; } = true;

    /// <summary>
    /// 0 normally. 1 for a row that should lose to another row with the same key in the same file
    /// (a FreeSWITCH b-leg, whose call is billed from its a-leg).
    /// </summary>
    public int Priority { get; init; }
}

/// <summary>One record of a file as a reader sees it: a CDR, a filtered row, or a problem; or the end of what can be read.</summary>
public readonly record struct ReaderRow
{
    public long LineNumber { get; init; }

    public RawCdr? Cdr { get; init; }

    public string? FilterReason { get; init; }

    public string? ProblemCode { get; init; }

    public string? ProblemDetail { get; init; }

    /// <summary>Why the rest of the file cannot be read: the last row a reader gives, and the file is rejected whole.</summary>
    public string? Rejection { get; init; }

    public static ReaderRow Of(long line, RawCdr cdr) => new() { LineNumber = line, Cdr = cdr };

    public static ReaderRow Filtered(long line, string reason) => new() { LineNumber = line, FilterReason = reason };

    public static ReaderRow Problem(long line, string code, string detail) =>
        new() { LineNumber = line, ProblemCode = code, ProblemDetail = detail };

    public static ReaderRow Unreadable(string reason) => new() { Rejection = reason };
}

/// <summary>
/// A streaming reader of one source format. Rows are produced lazily; <see cref="CurrentRawLine"/>
/// is the text of the row last produced (read only when a row goes to suspense).
/// </summary>
public interface ICdrReader : IDisposable
{
    /// <summary>The header text kept with the file's manifest so suspended rows can be re-read later.</summary>
    string? Header { get; }

    string CurrentRawLine { get; }

    IEnumerable<ReaderRow> ReadRows();
}

/// <summary>A reader, or the reason the whole file cannot be read as its source's format.</summary>
public readonly record struct ReaderOpening(ICdrReader? Reader, string? Rejection)
{
    public static ReaderOpening Opened(ICdrReader reader) => new(reader, null);

    public static ReaderOpening Rejected(string reason) => new(null, reason);
}
