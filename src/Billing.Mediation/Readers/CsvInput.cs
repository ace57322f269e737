using System.Text;
using CsvHelper;

namespace Billing.Mediation.Readers;

/// <summary>
/// CsvHelper set up to read CDR files one physical line per record: lines are cut at
/// <see cref="MaxRecordBytes"/> on the way in (<see cref="LineLimitStream"/>), and a quote may not
/// carry a field over a line break (CDR exports never put one in a field), so one bad quote or one
/// endless line cannot swallow the rows after it. Says which records were cut or had an unclosed quote.
/// </summary>
public sealed class CsvInput : IDisposable
{
    /// <summary>A longer record is suspended with its first bytes only: garbage, or a runaway field.</summary>
    public const int MaxRecordBytes = 64 * 1024;

    private readonly LineLimitStream _lines;
    private readonly HashSet<long> _unclosedQuotes = [];

    private CsvInput(Stream stream, bool hasHeader)
    {
        _lines = new LineLimitStream(stream, MaxRecordBytes);
        Csv = CsvReader.Create(_lines, new CsvReaderOptions
        {
            HasHeader = hasHeader,
            TrackLineNumbers = true,
            TrimWhitespace = false,
            AllowLineBreaksInQuotes = false,
            OnMalformedRecord = Malformed,
            // Never reached (no line is longer than MaxRecordBytes), but a reader must not grow without bound.
            MaxRecordSize = 2 * MaxRecordBytes,
            Encoding = Encoding.UTF8,
            PoolStrings = false,
        }, leaveOpen: false);
    }

    public CsvReader Csv { get; }

    /// <summary>The header line was longer than the limit: the file has no readable header.</summary>
    public bool HeaderCut => _lines.FirstLineCut;

    public static CsvInput Open(Stream stream, bool hasHeader) => new(stream, hasHeader);

    /// <summary>The true length in bytes of the current record's line when it was cut at the limit, else null.</summary>
    public long? CutLength() => _lines.CutLength(Csv.ByteOffset);

    /// <summary>True when a quoted field of the current record is not closed on its line.</summary>
    public bool HasUnclosedQuote() => _unclosedQuotes.Count > 0 && _unclosedQuotes.Remove(Csv.LineNumber);

    public void Dispose() => Csv.Dispose();

    private void Malformed(CsvMalformedRecord record)
    {
        // Stray quotes and text after a closing quote are kept as text, as they always were: the
        // field checks judge those values. Only a quote that would have run into the next line matters here.
        if (record.Reason is CsvMalformedReason.LineBreakInQuotes or CsvMalformedReason.UnterminatedQuote)
        {
            _unclosedQuotes.Add(record.LineNumber);
        }
    }
}
