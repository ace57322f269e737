using Billing.Core.Mediation;
using Billing.Core.Usage;
using NodaTime.Text;

namespace Billing.Mediation.Readers;

/// <summary>The operator's own canonical CSV (FORMATS.md §4): header required, columns by name.</summary>
public sealed class CanonicalReader : CsvCdrReader
{
    public static readonly IReadOnlyList<string> Columns =
        ["record_id", "service", "msisdn", "destination", "start_time", "duration_s", "volume_bytes", "cell_id"];

    private static readonly OffsetDateTimePattern StartPattern = OffsetDateTimePattern.ExtendedIso;

    private readonly int _recordId, _service, _msisdn, _destination, _start, _duration, _volume, _cell, _fields;

    private CanonicalReader(CsvInput input, SourceOptions source, IReadOnlyDictionary<string, int> index, IReadOnlyList<string> headers)
        : base(input, source)
    {
        _recordId = index["record_id"];
        _service = index["service"];
        _msisdn = index["msisdn"];
        _destination = index["destination"];
        _start = index["start_time"];
        _duration = index["duration_s"];
        _volume = index["volume_bytes"];
        _cell = index.GetValueOrDefault("cell_id", -1);
        // The file's own header, as written: suspended rows are re-read against it, so its column
        // order and any extra or repeated columns must match the raw lines.
        _fields = headers.Count;
        Header = string.Join(',', headers.Select(Quote));
    }

    public static ReaderOpening Open(CsvInput input, SourceOptions source)
    {
        var headers = input.Csv.Headers;
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < headers.Count; i++)
        {
            index.TryAdd(headers[i].Trim(), i);
        }

        var missing = Columns.Where(c => c != "cell_id" && !index.ContainsKey(c)).ToList();
        if (missing.Count > 0)
        {
            input.Dispose();
            return ReaderOpening.Rejected(
                $"not a canonical CDR file: the header lacks {string.Join(", ", missing)} (expected: {string.Join(',', Columns)})");
        }

        return ReaderOpening.Opened(new CanonicalReader(input, source, index, [.. headers]));
    }

    protected override ReaderRow ReadRow(long line)
    {
        if (Csv.FieldCount != _fields)
        {
            return FieldCountProblem(line, _fields);
        }

        var key = Field(_recordId).Trim();
        if (key.Length == 0)
        {
            return ReaderRow.Problem(line, SuspenseReasons.MissingKey, "record_id is empty");
        }

        var serviceText = Field(_service);
        if (!ServiceTypes.TryParse(serviceText, out var service))
        {
            return ReaderRow.Problem(line, SuspenseReasons.UnknownService, $"service '{serviceText}' is not voice, sms or data");
        }

        if (!LocalStamps.TryParseUtc(Csv.GetSpan(_start), out var startUtc))
        {
            var startText = Field(_start).Trim();
            var start = StartPattern.Parse(startText);
            if (!start.Success)
            {
                return ReaderRow.Problem(line, SuspenseReasons.BadTimestamp, $"start_time '{startText}' is not ISO-8601 with an offset");
            }

            startUtc = LocalStamps.ToInstant(start.Value);
        }

        long duration = 0, volume = 0;
        if (service == ServiceType.Voice && !TryInteger(_duration, out duration))
        {
            return ReaderRow.Problem(line, SuspenseReasons.MalformedRow, $"duration_s '{Field(_duration)}' is not an integer");
        }

        if (service == ServiceType.Data && !TryInteger(_volume, out volume))
        {
            return ReaderRow.Problem(line, SuspenseReasons.BadVolume, $"volume_bytes '{Field(_volume)}' is not an integer");
        }

        var cell = _cell >= 0 ? Field(_cell).Trim() : "";
        return ReaderRow.Of(line, new RawCdr
        {
            RecordKey = key,
            Service = service,
            Calling = Field(_msisdn),
            Called = service == ServiceType.Data ? null : Field(_destination),
            Start = startUtc,
            BillableSeconds = duration,
            VolumeBytes = volume,
            CellId = cell.Length == 0 ? null : cell,
            Answered = service != ServiceType.Voice || duration > 0,
        });
    }

    private static string Quote(string name) =>
        name.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : name;

    private bool TryInteger(int index, out long value) =>
        long.TryParse(Field(index).AsSpan().Trim(), System.Globalization.NumberStyles.AllowLeadingSign,
            System.Globalization.CultureInfo.InvariantCulture, out value);
}
