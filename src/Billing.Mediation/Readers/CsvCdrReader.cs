using System.Text;
using System.Text.Unicode;
using Billing.Core.Mediation;
using CsvHelper;
using NodaTime;

namespace Billing.Mediation.Readers;

/// <summary>
/// What every CSV-based reader shares: CsvHelper set up for streaming (<see cref="CsvInput"/>), line
/// numbers, the raw text of the current row, and rows that cannot be read as CSV text at all: too
/// long, a quote left open, a NUL byte, not UTF-8.
/// </summary>
public abstract class CsvCdrReader : ICdrReader
{
    private readonly CsvInput _input;

    protected CsvCdrReader(CsvInput input, SourceOptions source)
    {
        ArgumentNullException.ThrowIfNull(input);
        _input = input;
        Source = source;
        Zone = source.Zone();
    }

    protected CsvReader Csv => _input.Csv;

    protected SourceOptions Source { get; }

    protected DateTimeZone Zone { get; }

    public string? Header { get; protected set; }

    public string CurrentRawLine => Encoding.UTF8.GetString(Csv.RawRecord).TrimEnd('\r', '\n');

    public IEnumerable<ReaderRow> ReadRows()
    {
        while (true)
        {
            bool more;
            string? failure = null;
            try
            {
                more = Csv.Read();
            }
            catch (CsvFormatException e)
            {
                // Not expected with lines cut at the limit; were it to happen, reading on could repeat it for ever.
                more = false;
                failure = $"unreadable at line {e.LineNumber}: {e.Message}";
            }

            if (failure is not null)
            {
                yield return ReaderRow.Unreadable(failure);
                yield break;
            }

            if (!more)
            {
                yield break;
            }

            var line = Csv.LineNumber;
            if (_input.CutLength() is { } length)
            {
                yield return ReaderRow.Problem(line, SuspenseReasons.RecordTooLong,
                    $"the record is {length:N0} bytes long, above the limit of {CsvInput.MaxRecordBytes:N0}: only its first {CsvInput.MaxRecordBytes:N0} bytes are kept");
                continue;
            }

            if (IsBlank())
            {
                continue;
            }

            if (_input.HasUnclosedQuote())
            {
                yield return ReaderRow.Problem(line, SuspenseReasons.UnclosedQuote,
                    "a quoted field is not closed on its line (CDR fields hold no line breaks): the next line is read as a record of its own");
                continue;
            }

            if (Csv.RawRecord.Contains((byte)0))
            {
                yield return ReaderRow.Problem(line, SuspenseReasons.NulByte, "the row holds a NUL byte (binary data); its text is kept with the NUL replaced");
                continue;
            }

            if (!Utf8.IsValid(Csv.RawRecord))
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
        ReaderRow.Problem(line, SuspenseReasons.MalformedRow, $"expected {expected} fields, found {Csv.FieldCount}");

    protected string Field(int index) => index >= 0 && index < Csv.FieldCount ? Csv.GetString(index) : "";

    public void Dispose()
    {
        _input.Dispose();
        GC.SuppressFinalize(this);
    }

    private bool IsBlank() => Csv.FieldCount == 1 && Csv.IsEmpty(0) && Csv.RawRecord.Trim("\r\n "u8).IsEmpty;
}
