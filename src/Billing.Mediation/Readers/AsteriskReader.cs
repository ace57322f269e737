using Billing.Core.Mediation;

namespace Billing.Mediation.Readers;

/// <summary>
/// Asterisk cdr_csv Master.csv (FORMATS.md §2): no header, columns by position, and the
/// source's configured layout (16, 17, 18 or 21 columns) is what every row must have.
/// </summary>
public sealed class AsteriskReader : LocalTimeCallReader
{
    public static readonly IReadOnlyList<int> Layouts = [16, 17, 18, 21];

    private const int Src = 1, Dst = 2, Channel = 5, DstChannel = 6, StartColumn = 9, AnswerColumn = 10, EndColumn = 11,
        DurationColumn = 12, BillsecColumn = 13, DispositionColumn = 14, UniqueId = 16, Sequence = 20;

    private readonly int _columns;

    private static readonly CallColumns Columns = new(StartColumn, "start", AnswerColumn, "answer", EndColumn, "end", DurationColumn, BillsecColumn);

    private AsteriskReader(CsvInput input, SourceOptions source)
        : base(input, source, Columns)
    {
        _columns = source.AsteriskColumns;
    }

    public static ReaderOpening Open(CsvInput input, SourceOptions source)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(source);
        if (!Layouts.Contains(source.AsteriskColumns))
        {
            input.Dispose();
            return ReaderOpening.Rejected(
                $"configuration: source '{source.Name}' has AsteriskColumns = {source.AsteriskColumns}; "
                + "an Asterisk Master.csv layout has 16, 17, 18 or 21 columns");
        }

        if (ZoneProblem(source) is { } zone)
        {
            input.Dispose();
            return ReaderOpening.Rejected(zone);
        }

        return ReaderOpening.Opened(new AsteriskReader(input, source));
    }

    protected override ReaderRow ReadRow(long line)
    {
        if (Csv.FieldCount != _columns)
        {
            return FieldCountProblem(line, _columns);
        }

        if (TryReadCall(line, out var call) is { } problem)
        {
            return problem;
        }

        var key = RecordKey();
        if (key.Length == 0)
        {
            return ReaderRow.Problem(line, SuspenseReasons.MissingKey, _columns == 21 ? "uniqueid or sequence is empty" : "uniqueid is empty");
        }

        return Call(line, key, Field(Src), Field(Dst), call,
            answered: call.Answered && Csv.GetSpan(DispositionColumn).SequenceEqual("ANSWERED"u8));
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

}
