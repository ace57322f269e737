using System.Globalization;
using System.Text;
using Billing.Core.Mediation;
using Billing.Core.Usage;
using NodaTime;

namespace Billing.Mediation.Readers;

/// <summary>
/// Cisco Unified Communications Manager CDR flat files (FORMATS.md §1): quoted names on line 1,
/// a row of column types on line 2, data from line 3. Columns are mapped by name, never by
/// position, because every CUCM release adds, renames or moves some.
/// </summary>
public sealed class CucmReader : CsvCdrReader
{
    public const string CdrRecordType = "cdrRecordType";
    public const string CallManagerId = "globalCallID_callManagerId";
    public const string CallId = "globalCallID_callId";
    public const string OrigLeg = "origLegCallIdentifier";
    public const string DestLeg = "destLegIdentifier";
    public const string ClusterId = "globalCallId_ClusterID";
    public const string Origination = "dateTimeOrigination";
    public const string Connect = "dateTimeConnect";
    public const string Disconnect = "dateTimeDisconnect";
    public const string CallingNumber = "callingPartyNumber";
    public const string OriginalCalledNumber = "originalCalledPartyNumber";
    public const string FinalCalledNumber = "finalCalledPartyNumber";
    public const string Duration = "duration";

    /// <summary>Columns a CDR file must have (one of the two called-number columns is enough).</summary>
    public static readonly IReadOnlyList<string> RequiredColumns =
        [CallManagerId, CallId, Origination, CallingNumber, Duration, Connect, Disconnect];

    /// <summary>
    /// Names seen in real files and in Cisco's documents for the same column. Matching is already
    /// case-insensitive, so globalCallId_ClusterId and globalCallID_callManagerID need no entry.
    /// </summary>
    private static readonly Dictionary<string, string[]> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        [DestLeg] = ["destLegCallIdentifier", "destLegCallId"],
        [OrigLeg] = ["origLegIdentifier", "origLegCallId"],
        [ClusterId] = ["globalCallID_ClusterID", "ClusterID", "clusterId"],
        [CallManagerId] = ["globalCallId_callManagerId", "callManagerId"],
        [CallId] = ["globalCallId_callId"],
        [Duration] = ["callDuration"],
    };

    /// <summary>Columns only a CMR (call management record) file has.</summary>
    private static readonly string[] CmrColumns = ["numberPacketsSent", "numberPacketsLost", "jitter", "latency", "varVQMetrics"];

    /// <summary>The largest epoch second NodaTime and PostgreSQL both accept comfortably (9999-12-31).</summary>
    private const long MaxEpochSeconds = 253_402_300_799;

    private readonly bool _cmr;
    private readonly int _fields;
    private readonly int _recordType, _callManagerId, _callId, _origLeg, _destLeg, _cluster;
    private readonly int _origination, _connect, _disconnect, _calling, _originalCalled, _finalCalled, _duration;

    private CucmReader(CsvInput input, SourceOptions source, IReadOnlyList<string> headers, Dictionary<string, int> index, bool cmr)
        : base(input, source)
    {
        _cmr = cmr;
        _fields = headers.Count;
        _recordType = Find(index, CdrRecordType);
        _callManagerId = Find(index, CallManagerId);
        _callId = Find(index, CallId);
        _origLeg = Find(index, OrigLeg);
        _destLeg = Find(index, DestLeg);
        _cluster = Find(index, ClusterId);
        _origination = Find(index, Origination);
        _connect = Find(index, Connect);
        _disconnect = Find(index, Disconnect);
        _calling = Find(index, CallingNumber);
        _originalCalled = Find(index, OriginalCalledNumber);
        _finalCalled = Find(index, FinalCalledNumber);
        _duration = Find(index, Duration);

        // The names as read, quoted like CUCM writes them, so a suspended row can be re-read alone.
        var header = new StringBuilder();
        for (var i = 0; i < headers.Count; i++)
        {
            header.Append(i == 0 ? "\"" : ",\"").Append(headers[i].Trim().Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }

        Header = header.ToString();
    }

    /// <summary>True when the file holds call management records (quality data, nothing to rate).</summary>
    public bool IsCmrFile => _cmr;

    public static ReaderOpening Open(CsvInput input, SourceOptions source, string fileName)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(fileName);
        var headers = input.Csv.Headers;
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < headers.Count; i++)
        {
            index.TryAdd(headers[i].Trim(), i);
        }

        var cmr = Path.GetFileName(fileName).StartsWith("cmr_", StringComparison.OrdinalIgnoreCase)
                  || (Find(index, CallingNumber) < 0 && Array.Exists(CmrColumns, index.ContainsKey));
        if (cmr)
        {
            return ReaderOpening.Opened(new CucmReader(input, source, headers, index, cmr: true));
        }

        var missing = new List<string>();
        foreach (var column in RequiredColumns)
        {
            if (Find(index, column) < 0)
            {
                missing.Add(column);
            }
        }

        if (Find(index, FinalCalledNumber) < 0 && Find(index, OriginalCalledNumber) < 0)
        {
            missing.Add($"{FinalCalledNumber} or {OriginalCalledNumber}");
        }

        if (missing.Count > 0)
        {
            input.Dispose();
            return ReaderOpening.Rejected(
                $"not a CUCM CDR file: the header lacks {string.Join(", ", missing)} ({headers.Count} columns found)");
        }

        return ReaderOpening.Opened(new CucmReader(input, source, headers, index, cmr: false));
    }

    /// <summary>
    /// CUCM writes IPv4 addresses as a signed 32-bit integer whose low byte is the first octet
    /// (-1139627840 → 192.168.18.188).
    /// </summary>
    public static string DecodeIpAddress(int signedLittleEndian)
    {
        var bits = unchecked((uint)signedLittleEndian);
        return string.Create(CultureInfo.InvariantCulture,
            $"{bits & 0xFF}.{(bits >> 8) & 0xFF}.{(bits >> 16) & 0xFF}.{bits >> 24}");
    }

    /// <summary>
    /// Line 2 holds the column types. It is recognised by content, not by line number: a suspended
    /// row re-read during recycling sits on line 2 behind the header alone.
    /// </summary>
    protected override bool SkipRow()
    {
        var fields = Math.Min(Csv.FieldCount, 3);
        for (var i = 0; i < fields; i++)
        {
            if (!IsTypeName(Csv.GetSpan(i).Trim(" \t"u8)))
            {
                return false;
            }
        }

        return fields > 0;
    }

    protected override ReaderRow ReadRow(long line)
    {
        if (_cmr)
        {
            return ReaderRow.Filtered(line, FilterReasons.CallManagementRecord);
        }

        if (Csv.FieldCount != _fields)
        {
            return FieldCountProblem(line, _fields);
        }

        // An absent record type is taken as an end-of-call CDR, the only kind most clusters write.
        switch (ReadInteger(_recordType, out var recordType))
        {
            case Parsed.Bad:
                return Malformed(line, _recordType);
            case Parsed.Value when recordType == 2:
                return ReaderRow.Filtered(line, FilterReasons.CallManagementRecord);
            case Parsed.Value when recordType == 0:
                return ReaderRow.Filtered(line, FilterReasons.StartRecord);
            case Parsed.Value when recordType != 1:
                return ReaderRow.Problem(line, SuspenseReasons.MalformedRow, $"{CdrRecordType} {recordType} is not 0, 1 or 2");
        }

        if (ReadKeyPart(line, _callManagerId, CallManagerId, out var callManagerId) is { } badManager)
        {
            return badManager;
        }

        if (ReadKeyPart(line, _callId, CallId, out var callId) is { } badCall)
        {
            return badCall;
        }

        var origLegParsed = ReadInteger(_origLeg, out var origLeg);
        if (origLegParsed == Parsed.Bad)
        {
            return Malformed(line, _origLeg);
        }

        var destLegParsed = ReadInteger(_destLeg, out var destLeg);
        if (destLegParsed == Parsed.Bad)
        {
            return Malformed(line, _destLeg);
        }

        var origination = ReadInteger(_origination, out var originationSeconds);
        if (origination != Parsed.Value || !IsEpoch(originationSeconds))
        {
            return BadTime(line, _origination);
        }

        if (ReadInteger(_connect, out var connectSeconds) == Parsed.Bad || !IsEpoch(connectSeconds))
        {
            return BadTime(line, _connect);
        }

        if (ReadInteger(_disconnect, out var disconnectSeconds) == Parsed.Bad || !IsEpoch(disconnectSeconds))
        {
            return BadTime(line, _disconnect);
        }

        // dateTimeConnect 0 (or empty) means the call never connected.
        var answered = connectSeconds != 0;
        var duration = ReadInteger(_duration, out var durationSeconds);
        if (duration == Parsed.Bad)
        {
            return Malformed(line, _duration);
        }

        if (duration == Parsed.Absent && answered)
        {
            // Billing a connected call as 0 s would lose revenue silently; suspense lets an operator look.
            return ReaderRow.Problem(line, SuspenseReasons.MalformedRow, $"{Duration} is empty on a connected call");
        }

        if (answered && connectSeconds < originationSeconds)
        {
            return ReaderRow.Problem(line, SuspenseReasons.AnswerBeforeStart,
                $"{Connect} {connectSeconds} is before {Origination} {originationSeconds}");
        }

        // A disconnect before the origination is the normaliser's end-before-start; otherwise the call
        // cannot have been billed for longer than it lasted.
        if (disconnectSeconds >= originationSeconds && durationSeconds > disconnectSeconds - originationSeconds)
        {
            return ReaderRow.Problem(line, SuspenseReasons.BillableExceedsDuration,
                $"{Duration} {durationSeconds} s is more than {Disconnect} − {Origination} = {disconnectSeconds - originationSeconds} s");
        }

        var cluster = _cluster >= 0 ? Csv.GetString(_cluster).Trim() : "";

        // The number the call actually went to: finalCalledPartyNumber is after forwarding and
        // hunting; originalCalledPartyNumber (as dialled) only when CUCM left the final one empty.
        var called = _finalCalled >= 0 ? Csv.GetString(_finalCalled) : "";
        if (called.AsSpan().Trim().IsEmpty && _originalCalled >= 0)
        {
            called = Csv.GetString(_originalCalled);
        }

        return ReaderRow.Of(line, new RawCdr
        {
            // callId wraps at 24 bits; the origination time keeps wrapped ids apart.
            RecordKey = string.Create(CultureInfo.InvariantCulture,
                $"{cluster}:{callManagerId}:{callId}:{Optional(origLegParsed, origLeg)}:{Optional(destLegParsed, destLeg)}:{originationSeconds}"),
            Service = ServiceType.Voice,
            Calling = Csv.GetString(_calling),
            Called = called,
            Start = Instant.FromUnixTimeSeconds(answered ? connectSeconds : originationSeconds),
            End = disconnectSeconds != 0 ? Instant.FromUnixTimeSeconds(disconnectSeconds) : null,
            BillableSeconds = durationSeconds,
            Answered = answered,
        });
    }

    private enum Parsed
    {
        Absent,
        Value,
        Bad,
    }

    /// <summary>An integer field with stray spaces trimmed; an empty field (or a missing column) is absent, read as 0.</summary>
    private Parsed ReadInteger(int column, out long value)
    {
        value = 0;
        if (column < 0)
        {
            return Parsed.Absent;
        }

        var text = Csv.GetSpan(column).Trim(" \t"u8);
        if (text.IsEmpty)
        {
            return Parsed.Absent;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) ? Parsed.Value : Parsed.Bad;
    }

    private ReaderRow? ReadKeyPart(long line, int column, string name, out long value) => ReadInteger(column, out value) switch
    {
        Parsed.Absent => ReaderRow.Problem(line, SuspenseReasons.MissingKey, $"{name} is empty"),
        Parsed.Bad => Malformed(line, column),
        _ => null,
    };

    private ReaderRow Malformed(long line, int column) =>
        ReaderRow.Problem(line, SuspenseReasons.MalformedRow, $"{Csv.Headers[column].Trim()} '{Csv.GetString(column)}' is not an integer");

    private ReaderRow BadTime(long line, int column) =>
        ReaderRow.Problem(line, SuspenseReasons.BadTimestamp,
            $"{Csv.Headers[column].Trim()} '{Csv.GetString(column)}' is not a UTC epoch second");

    private static bool IsEpoch(long seconds) => seconds is >= 0 and <= MaxEpochSeconds;

    /// <summary>A leg identifier in the key: empty when the column is absent or empty.</summary>
    private static string Optional(Parsed parsed, long value) =>
        parsed == Parsed.Value ? value.ToString(CultureInfo.InvariantCulture) : "";

    private static int Find(Dictionary<string, int> index, string column)
    {
        if (index.TryGetValue(column, out var i))
        {
            return i;
        }

        if (Aliases.TryGetValue(column, out var aliases))
        {
            foreach (var alias in aliases)
            {
                if (index.TryGetValue(alias, out i))
                {
                    return i;
                }
            }
        }

        return -1;
    }

    private static bool IsTypeName(ReadOnlySpan<byte> text) =>
        Ascii.EqualsIgnoreCase(text, "INTEGER"u8) || Ascii.EqualsIgnoreCase(text, "BIGINT"u8)
        || Ascii.EqualsIgnoreCase(text, "SMALLINT"u8) || Ascii.EqualsIgnoreCase(text, "UNIQUEIDENTIFIER"u8)
        || IsSized(text, "VARCHAR("u8) || IsSized(text, "NVARCHAR("u8) || IsSized(text, "CHAR("u8);

    private static bool IsSized(ReadOnlySpan<byte> text, ReadOnlySpan<byte> prefix) =>
        text.Length > prefix.Length + 1 && Ascii.EqualsIgnoreCase(text[..prefix.Length], prefix) && text[^1] == (byte)')';
}
