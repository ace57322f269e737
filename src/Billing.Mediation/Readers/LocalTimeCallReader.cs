using Billing.Core.Mediation;
using Billing.Core.Usage;
using NodaTime;

namespace Billing.Mediation.Readers;

/// <summary>
/// What Asterisk and FreeSWITCH share: positional rows with local start/answer/end stamps
/// (<c>YYYY-MM-DD HH:MM:SS</c> in the source's zone), duration and billsec. Billing starts at
/// answer; an empty answer stamp means the call never connected.
/// </summary>
public abstract class LocalTimeCallReader(CsvInput input, SourceOptions source, LocalTimeCallReader.CallColumns columns)
    : CsvCdrReader(input, source)
{
    /// <summary>Positions and names (for reasons) of the time and duration columns.</summary>
    public sealed record CallColumns(
        int Start, string StartName, int Answer, string AnswerName, int End, string EndName, int Duration, int Billsec);

    protected readonly record struct CallTimes(Instant Start, Instant End, long BillableSeconds, bool Answered);

    /// <summary>The rejection for a source whose time zone is unknown, or null.</summary>
    protected static string? ZoneProblem(SourceOptions source) =>
        DateTimeZoneProviders.Tzdb.GetZoneOrNull(source.TimeZone) is null
            ? $"configuration: source '{source.Name}' has an unknown IANA time zone '{source.TimeZone}'"
            : null;

    /// <summary>
    /// Reads the call's times and billable seconds, or returns the row's problem: a field that does not
    /// parse, or times that contradict each other (answered before it started, more billed than it lasted).
    /// </summary>
    protected ReaderRow? TryReadCall(long line, out CallTimes call)
    {
        call = default;
        if (!LocalStamps.TryParseInteger(Csv.GetSpan(columns.Duration), out var duration))
        {
            return ReaderRow.Problem(line, SuspenseReasons.MalformedRow, $"duration '{Field(columns.Duration)}' is not an integer");
        }

        if (!LocalStamps.TryParseInteger(Csv.GetSpan(columns.Billsec), out var billsec))
        {
            return ReaderRow.Problem(line, SuspenseReasons.MalformedRow, $"billsec '{Field(columns.Billsec)}' is not an integer");
        }

        if (!LocalStamps.TryParse(Csv.GetSpan(columns.Start), out var startLocal))
        {
            return BadStamp(line, columns.StartName, columns.Start);
        }

        var answerText = Csv.GetSpan(columns.Answer);
        var answered = !answerText.IsEmpty;
        var answerLocal = default(LocalDateTime);
        if (answered && !LocalStamps.TryParse(answerText, out answerLocal))
        {
            return BadStamp(line, columns.AnswerName, columns.Answer);
        }

        if (!LocalStamps.TryParse(Csv.GetSpan(columns.End), out var endLocal))
        {
            return BadStamp(line, columns.EndName, columns.End);
        }

        var started = LocalStamps.ToInstant(startLocal, Zone);
        // Read like an end stamp: an answer in the repeated autumn hour after a start in its first pass is later, not earlier.
        var start = answered ? LocalStamps.EndInstant(answerLocal, Zone, started) : started;
        if (start < started)
        {
            return ReaderRow.Problem(line, SuspenseReasons.AnswerBeforeStart,
                $"{columns.AnswerName} '{Field(columns.Answer)}' is before {columns.StartName} '{Field(columns.Start)}'");
        }

        if (billsec > duration)
        {
            return ReaderRow.Problem(line, SuspenseReasons.BillableExceedsDuration,
                $"billsec {billsec} s is more than the call's duration {duration} s");
        }

        call = new CallTimes(start, LocalStamps.EndInstant(endLocal, Zone, start), billsec, answered);
        return null;
    }

    /// <summary>The voice CDR of a call read with <see cref="TryReadCall"/>.</summary>
    protected static ReaderRow Call(long line, string key, string calling, string called, CallTimes call, bool answered, int priority = 0) =>
        ReaderRow.Of(line, new RawCdr
        {
            RecordKey = key,
            Service = ServiceType.Voice,
            Calling = calling,
            Called = called,
            Start = call.Start,
            End = call.End,
            BillableSeconds = call.BillableSeconds,
            Answered = answered,
            Priority = priority,
        });

    private ReaderRow BadStamp(long line, string name, int column) =>
        ReaderRow.Problem(line, SuspenseReasons.BadTimestamp, $"{name} '{Field(column)}' is not YYYY-MM-DD HH:MM:SS");
}
