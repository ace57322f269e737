using Billing.Core.Usage;
using CsvHelper;
using NodaTime;

namespace Billing.Mediation.Readers;

/// <summary>
/// FreeSWITCH mod_cdr_csv (FORMATS.md §3): no header, all fields quoted, the default template
/// (13 fields) or the shipped example template (15: adds read_codec, write_codec).
/// </summary>
public sealed class FreeSwitchReader : CsvCdrReader
{
    private const int CallerIdNumber = 1, DestinationNumber = 2, StartStamp = 4, AnswerStamp = 5, EndStamp = 6,
        DurationColumn = 7, BillsecColumn = 8, Uuid = 10, BlegUuid = 11;

    private readonly int _fields;

    private FreeSwitchReader(CsvReader csv, SourceOptions source, int fields)
        : base(csv, source)
    {
        _fields = fields;
    }

    public static int FieldCount(FreeSwitchTemplate template) => template switch
    {
        FreeSwitchTemplate.Default => 13,
        FreeSwitchTemplate.Example => 15,
        _ => throw new ArgumentOutOfRangeException(nameof(template), template, "unknown FreeSWITCH template"),
    };

    public static ReaderOpening Open(CsvReader csv, SourceOptions source)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(source);
        if (source.FreeSwitchTemplate is not (FreeSwitchTemplate.Default or FreeSwitchTemplate.Example))
        {
            csv.Dispose();
            return ReaderOpening.Rejected(
                $"configuration: source '{source.Name}' has an unknown FreeSwitchTemplate {source.FreeSwitchTemplate}");
        }

        if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(source.TimeZone) is null)
        {
            csv.Dispose();
            return ReaderOpening.Rejected($"configuration: source '{source.Name}' has an unknown IANA time zone '{source.TimeZone}'");
        }

        return ReaderOpening.Opened(new FreeSwitchReader(csv, source, FieldCount(source.FreeSwitchTemplate)));
    }

    protected override ReaderRow ReadRow(long line)
    {
        if (Csv.FieldCount != _fields)
        {
            return FieldCountProblem(line, _fields);
        }

        if (!LocalStamps.TryParseInteger(Csv.GetSpan(DurationColumn), out _))
        {
            return ReaderRow.Problem(line, SuspenseReasons.MalformedRow, $"duration '{Field(DurationColumn)}' is not an integer");
        }

        if (!LocalStamps.TryParseInteger(Csv.GetSpan(BillsecColumn), out var billsec))
        {
            return ReaderRow.Problem(line, SuspenseReasons.MalformedRow, $"billsec '{Field(BillsecColumn)}' is not an integer");
        }

        if (!LocalStamps.TryParse(Csv.GetSpan(StartStamp), out var startLocal))
        {
            return BadStamp(line, "start_stamp", StartStamp);
        }

        // An unanswered call has answer_stamp "" (and billsec 0); billing starts at answer.
        var answerText = Csv.GetSpan(AnswerStamp);
        var answered = !answerText.IsEmpty;
        var answerLocal = default(LocalDateTime);
        if (answered && !LocalStamps.TryParse(answerText, out answerLocal))
        {
            return BadStamp(line, "answer_stamp", AnswerStamp);
        }

        if (!LocalStamps.TryParse(Csv.GetSpan(EndStamp), out var endLocal))
        {
            return BadStamp(line, "end_stamp", EndStamp);
        }

        // With legs=ab a bridged call is logged twice: the a-leg names its b-leg in bleg_uuid,
        // the b-leg row has bleg_uuid empty and its own uuid. Keying the a-leg by the b-leg's uuid
        // gives both rows one key; Priority 0 makes the database keep the a-leg (the call is
        // billed from it, whichever row the file has first) and count the b-leg a duplicate.
        // A row with bleg_uuid empty is a b-leg or an a-leg that never bridged (voicemail, IVR):
        // Priority 1 under its own uuid, which is stored whenever no a-leg claims it.
        var bleg = Field(BlegUuid).Trim();
        var key = bleg.Length > 0 ? bleg : Field(Uuid).Trim();
        if (key.Length == 0)
        {
            return ReaderRow.Problem(line, SuspenseReasons.MissingKey, "uuid and bleg_uuid are empty");
        }

        var start = LocalStamps.ToInstant(answered ? answerLocal : startLocal, Zone);
        return ReaderRow.Of(line, new RawCdr
        {
            RecordKey = key,
            Service = ServiceType.Voice,
            Calling = Field(CallerIdNumber),
            Called = Field(DestinationNumber),
            Start = start,
            End = LocalStamps.EndInstant(endLocal, Zone, start),
            BillableSeconds = billsec,
            Answered = answered,
            Priority = bleg.Length > 0 ? 0 : 1,
        });
    }

    private ReaderRow BadStamp(long line, string name, int column) =>
        ReaderRow.Problem(line, SuspenseReasons.BadTimestamp, $"{name} '{Field(column)}' is not YYYY-MM-DD HH:MM:SS");
}
