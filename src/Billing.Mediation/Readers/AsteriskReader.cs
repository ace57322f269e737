using Billing.Core.Usage;
using CsvHelper;
using NodaTime;

namespace Billing.Mediation.Readers;

/// <summary>
/// Asterisk cdr_csv Master.csv (FORMATS.md §2): no header, columns by position, and the
/// source's configured layout (16, 17, 18 or 21 columns) is what every row must have.
/// </summary>
public sealed class AsteriskReader : CsvCdrReader
{
    public static readonly IReadOnlyList<int> Layouts = [16, 17, 18, 21];

    private const int Src = 1, Dst = 2, Channel = 5, DstChannel = 6, StartColumn = 9, AnswerColumn = 10, EndColumn = 11,
        DurationColumn = 12, BillsecColumn = 13, DispositionColumn = 14, UniqueId = 16, Sequence = 20;

    private readonly int _columns;

    private AsteriskReader(CsvReader csv, SourceOptions source)
        : base(csv, source)
    {
        _columns = source.AsteriskColumns;
    }

    public static ReaderOpening Open(CsvReader csv, SourceOptions source)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(source);
        if (!Layouts.Contains(source.AsteriskColumns))
        {
            csv.Dispose();
            return ReaderOpening.Rejected(
                $"configuration: source '{source.Name}' has AsteriskColumns = {source.AsteriskColumns}; "
                + "an Asterisk Master.csv layout has 16, 17, 18 or 21 columns");
        }

        if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(source.TimeZone) is null)
        {
            csv.Dispose();
            return ReaderOpening.Rejected($"configuration: source '{source.Name}' has an unknown IANA time zone '{source.TimeZone}'");
        }

        return ReaderOpening.Opened(new AsteriskReader(csv, source));
    }

    protected override ReaderRow ReadRow(long line)
    {
        if (Csv.FieldCount != _columns)
        {
            return FieldCountProblem(line, _columns);
        }

        if (!LocalStamps.TryParseInteger(Csv.GetSpan(DurationColumn), out _))
        {
            return ReaderRow.Problem(line, SuspenseReasons.MalformedRow, $"duration '{Field(DurationColumn)}' is not an integer");
        }

        if (!LocalStamps.TryParseInteger(Csv.GetSpan(BillsecColumn), out var billsec))
        {
            return ReaderRow.Problem(line, SuspenseReasons.MalformedRow, $"billsec '{Field(BillsecColumn)}' is not an integer");
        }

        if (!LocalStamps.TryParse(Csv.GetSpan(StartColumn), out var startLocal))
        {
            return BadStamp(line, "start", StartColumn);
        }

        // An unanswered call has an empty (unquoted) answer field; billing starts at answer.
        var answerText = Csv.GetSpan(AnswerColumn);
        var hasAnswer = !answerText.IsEmpty;
        var answerLocal = default(LocalDateTime);
        if (hasAnswer && !LocalStamps.TryParse(answerText, out answerLocal))
        {
            return BadStamp(line, "answer", AnswerColumn);
        }

        if (!LocalStamps.TryParse(Csv.GetSpan(EndColumn), out var endLocal))
        {
            return BadStamp(line, "end", EndColumn);
        }

        var key = RecordKey();
        if (key.Length == 0)
        {
            return ReaderRow.Problem(line, SuspenseReasons.MissingKey, _columns == 21 ? "uniqueid or sequence is empty" : "uniqueid is empty");
        }

        var start = LocalStamps.ToInstant(hasAnswer ? answerLocal : startLocal, Zone);
        return ReaderRow.Of(line, new RawCdr
        {
            RecordKey = key,
            Service = ServiceType.Voice,
            Calling = Field(Src),
            Called = Field(Dst),
            Start = start,
            End = LocalStamps.EndInstant(endLocal, Zone, start),
            BillableSeconds = billsec,
            Answered = hasAnswer && Csv.GetSpan(DispositionColumn).SequenceEqual("ANSWERED"u8),
        });
    }

    /// <summary>
    /// uniqueid (<c>epoch.seq</c>) is unique per Asterisk host; the 21-column layout adds the
    /// CEL sequence because one uniqueid can then carry several CDRs (forked or transferred
    /// legs). The 16-column layout has no id at all: start, channels and parties together
    /// identify a call, and are stable between rotated copies of the same record.
    /// </summary>
    private string RecordKey()
    {
        switch (_columns)
        {
            case 16:
                return string.Join('|', Field(StartColumn), Field(Channel), Field(DstChannel), Field(Src), Field(Dst));
            case 21:
                var uniqueId = Field(UniqueId).Trim();
                var sequence = Field(Sequence).Trim();
                return uniqueId.Length == 0 || sequence.Length == 0 ? "" : uniqueId + "/" + sequence;
            default:
                return Field(UniqueId).Trim();
        }
    }

    private ReaderRow BadStamp(long line, string name, int column) =>
        ReaderRow.Problem(line, SuspenseReasons.BadTimestamp, $"{name} '{Field(column)}' is not YYYY-MM-DD HH:MM:SS");
}
