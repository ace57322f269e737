using System.Text;
using System.Text.Unicode;
using Billing.Core.Mediation;
using CsvHelper;
using NodaTime;

namespace Billing.Mediation.Readers;

/// <summary>
/// What every CSV-based reader shares: CsvHelper set up for streaming, line numbers, the raw
/// text of the current row, and rows that are not valid UTF-8 or that CsvHelper cannot parse.
/// </summary>
public abstract class CsvCdrReader : ICdrReader
{
    /// <summary>A longer record is malformed (a runaway quote swallowing the file, or garbage).</summary>
    public const int MaxRecordBytes = 64 * 1024;

    private readonly CsvReader _csv;

    protected CsvCdrReader(CsvReader csv, SourceOptions source)
    {
        _csv = csv;
        Source = source;
        Zone = source.Zone();
    }

    protected CsvReader Csv => _csv;

    protected SourceOptions Source { get; }

    protected DateTimeZone Zone { get; }

    public string? Header { get; protected set; }

    public string CurrentRawLine => Encoding.UTF8.GetString(_csv.RawRecord).TrimEnd('\r', '\n');

    public static CsvReaderOptions Options(bool hasHeader) => new()
    {
        HasHeader = hasHeader,
        TrackLineNumbers = true,
        TrimWhitespace = false,
        MaxRecordSize = MaxRecordBytes,
        Encoding = Encoding.UTF8,
        PoolStrings = false,
    };

    public IEnumerable<ReaderRow> ReadRows()
    {
        while (TryRead(out var failure))
        {
            if (failure is { } f)
            {
                yield return f;
                continue;
            }

            var line = _csv.LineNumber;
            if (IsBlank())
            {
                continue;
            }

            if (!Utf8.IsValid(_csv.RawRecord))
            {
                yield return ReaderRow.Problem(line, SuspenseReasons.BadEncoding, "the row is not valid UTF-8");
                continue;
            }

            if (SkipRow())
            {
                continue;
            }

            yield return ReadRow(line);
        }
    }

    /// <summary>Maps the current CSV record to a CDR, a filtered row or a problem.</summary>
    protected abstract ReaderRow ReadRow(long line);

    /// <summary>Rows that are not records at all (e.g. CUCM's type row).</summary>
    protected virtual bool SkipRow() => false;

    protected ReaderRow FieldCountProblem(long line, int expected) =>
        ReaderRow.Problem(line, SuspenseReasons.MalformedRow, $"expected {expected} fields, found {_csv.FieldCount}");

    protected string Field(int index) => index >= 0 && index < _csv.FieldCount ? _csv.GetString(index) : "";

    public void Dispose()
    {
        _csv.Dispose();
        GC.SuppressFinalize(this);
    }

    private bool IsBlank() => _csv.FieldCount == 1 && _csv.IsEmpty(0) && _csv.RawRecord.Trim("\r\n "u8).IsEmpty;

    private bool TryRead(out ReaderRow? failure)
    {
        failure = null;
        try
        {
            return _csv.Read();
        }
        catch (CsvFormatException e)
        {
            failure = ReaderRow.Problem(e.LineNumber, SuspenseReasons.MalformedRow, e.Message);
            return true;
        }
    }
}
