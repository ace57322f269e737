using Billing.Core.Mediation;

namespace Billing.Mediation.Readers;

/// <summary>
/// FreeSWITCH mod_cdr_csv (FORMATS.md §3): no header, all fields quoted, the default template
/// (13 fields) or the shipped example template (15: adds read_codec, write_codec).
/// </summary>
public sealed class FreeSwitchReader : LocalTimeCallReader
{
    private const int CallerIdNumber = 1, DestinationNumber = 2, StartStamp = 4, AnswerStamp = 5, EndStamp = 6,
        DurationColumn = 7, BillsecColumn = 8, Uuid = 10, BlegUuid = 11;

    private readonly int _fields;

    private static readonly CallColumns Columns = new(StartStamp, "start_stamp", AnswerStamp, "answer_stamp", EndStamp, "end_stamp", DurationColumn, BillsecColumn);

    private FreeSwitchReader(CsvInput input, SourceOptions source, int fields)
        : base(input, source, Columns)
    {
        _fields = fields;
    }

    public static int FieldCount(FreeSwitchTemplate template) => template switch
    {
        FreeSwitchTemplate.Default => 13,
        FreeSwitchTemplate.Example => 15,
        _ => throw new ArgumentOutOfRangeException(nameof(template), template, "unknown FreeSWITCH template"),
    };

    public static ReaderOpening Open(CsvInput input, SourceOptions source)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(source);
        if (source.FreeSwitchTemplate is not (FreeSwitchTemplate.Default or FreeSwitchTemplate.Example))
        {
            input.Dispose();
            return ReaderOpening.Rejected(
                $"configuration: source '{source.Name}' has an unknown FreeSwitchTemplate {source.FreeSwitchTemplate}");
        }

        if (ZoneProblem(source) is { } zone)
        {
            input.Dispose();
            return ReaderOpening.Rejected(zone);
        }

        return ReaderOpening.Opened(new FreeSwitchReader(input, source, FieldCount(source.FreeSwitchTemplate)));
    }

    protected override ReaderRow ReadRow(long line)
    {
        if (Csv.FieldCount != _fields)
        {
            return FieldCountProblem(line, _fields);
        }

        if (TryReadCall(line, out var call) is { } problem)
        {
            return problem;
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

        return Call(line, key, Field(CallerIdNumber), Field(DestinationNumber), call, call.Answered, priority: bleg.Length > 0 ? 0 : 1);
    }

}
