using Billing.Core.Mediation;
using Billing.Core.Usage;
using Billing.Mediation;
using Billing.Mediation.Readers;
using NodaTime;
using Xunit;

namespace Billing.Core.Tests.Readers;

public sealed class CucmReaderTests : IDisposable
{
    private const string CdrFile = "cdr_StandAloneCluster_01_202611020900_0001";

    private static readonly SourceOptions Cucm = DefaultSources.All.Single(s => s.Name == "cucm");

    /// <summary>A subset of the 129 columns, in the 10.x order.</summary>
    private static readonly string[] Columns =
    [
        "cdrRecordType", "globalCallID_callManagerId", "globalCallID_callId", "origLegCallIdentifier", "dateTimeOrigination",
        "origIpAddr", "callingPartyNumber", "destLegIdentifier", "originalCalledPartyNumber", "finalCalledPartyNumber",
        "dateTimeConnect", "dateTimeDisconnect", "pkid", "duration", "globalCallId_ClusterID",
    ];

    private static readonly Dictionary<string, string> Types = new(StringComparer.OrdinalIgnoreCase)
    {
        ["callingPartyNumber"] = "VARCHAR(50)",
        ["originalCalledPartyNumber"] = "VARCHAR(50)",
        ["finalCalledPartyNumber"] = "VARCHAR(50)",
        ["pkid"] = "UNIQUEIDENTIFIER",
        ["globalCallId_ClusterID"] = "VARCHAR(50)",
        ["globalCallId_ClusterId"] = "VARCHAR(50)",
        ["origDeviceType"] = "VARCHAR(100)",
    };

    /// <summary>An answered outbound call: 08:15:00 origination, 08:15:07 connect, 08:16:42 disconnect, 95 s.</summary>
    private static readonly Dictionary<string, string> Answered = new(StringComparer.OrdinalIgnoreCase)
    {
        ["cdrRecordType"] = "1",
        ["globalCallID_callManagerId"] = "1",
        ["globalCallID_callId"] = "1300001",
        ["origLegCallIdentifier"] = "16777218",
        ["dateTimeOrigination"] = "1793607300",
        ["origIpAddr"] = "-1139627840",
        ["callingPartyNumber"] = "\"1001\"",
        ["destLegIdentifier"] = "16777219",
        ["originalCalledPartyNumber"] = "\"901632960123\"",
        ["finalCalledPartyNumber"] = "\"901632960123\"",
        ["dateTimeConnect"] = "1793607307",
        ["dateTimeDisconnect"] = "1793607402",
        ["pkid"] = "\"a1b2c3d4-0001-4e5f-8a9b-00000013d621\"",
        ["duration"] = "95",
        ["globalCallId_ClusterID"] = "\"StandAloneCluster\"",
        ["origDeviceType"] = "\"Cisco 8865\"",
    };

    private const string AnsweredKey = "StandAloneCluster:1:1300001:16777218:16777219:1793607300";

    private readonly string _folder = Directory.CreateTempSubdirectory("cucm-reader-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Read_MapsAnsweredCall_WithConnectTimeAsStartAndDurationAsBillableSeconds()
    {
        var cdr = Assert.Single(ReadFile(Columns, Row(Columns))).Cdr;

        Assert.NotNull(cdr);
        Assert.Equal(AnsweredKey, cdr.RecordKey);
        Assert.Equal(ServiceType.Voice, cdr.Service);
        Assert.Equal("1001", cdr.Calling);
        Assert.Equal("901632960123", cdr.Called);
        Assert.Equal(Instant.FromUtc(2026, 11, 2, 8, 15, 7), cdr.Start);
        Assert.Equal(Instant.FromUtc(2026, 11, 2, 8, 16, 42), cdr.End);
        Assert.Equal(95, cdr.BillableSeconds);
        Assert.True(cdr.Answered);
    }

    [Fact]
    public void Normalise_TurnsExtensionAndAccessCodeNumbersIntoE164_ForTheDefaultCucmSource()
    {
        var cdr = Assert.Single(ReadFile(Columns, Row(Columns))).Cdr!;

        var outcome = new CdrNormaliser(Cucm, Written.At).Normalise(cdr);

        Assert.Equal(OutcomeKind.Accepted, outcome.Kind);
        Assert.Equal("44207941001", outcome.Usage!.Msisdn);
        Assert.Equal("441632960123", outcome.Usage.Destination);
        Assert.Equal(95, outcome.Usage.DurationSeconds);
    }

    [Fact]
    public void Read_MapsColumnsByName_WhenColumnsAreReorderedRenamedAndAppended()
    {
        string[] later =
        [
            "duration", "dateTimeDisconnect", "DATETIMECONNECT", "finalCalledPartyNumber", "originalCalledPartyNumber",
            "destLegCallIdentifier", "callingPartyNumber", " dateTimeOrigination ", "origLegCallIdentifier", "globalCallId_ClusterId",
            "GlobalCallID_CallId", "globalCallID_callManagerId", "cdrRecordType", "pkid", "origDeviceType",
        ];

        var cdr = Assert.Single(ReadFile(later, Row(later))).Cdr;

        Assert.NotNull(cdr);
        Assert.Equal(AnsweredKey, cdr.RecordKey);
        Assert.Equal("1001", cdr.Calling);
        Assert.Equal("901632960123", cdr.Called);
        Assert.Equal(Instant.FromUtc(2026, 11, 2, 8, 15, 7), cdr.Start);
        Assert.Equal(95, cdr.BillableSeconds);
    }

    [Fact]
    public void Read_SkipsTypeRow_WithoutCountingItAsARecord()
    {
        var rows = ReadFile(Columns, Row(Columns), Row(Columns, ("globalCallID_callId", "1300002")));

        Assert.Equal([3L, 4L], rows.Select(r => r.LineNumber));
        Assert.All(rows, r => Assert.NotNull(r.Cdr));
    }

    [Fact]
    public void Read_TrimsStraySpaces_AroundIntegers()
    {
        var line = Row(Columns,
            ("cdrRecordType", " 1"), ("globalCallID_callId", "1300001 "), ("dateTimeConnect", " 1793607307 "), ("duration", " 95 "));

        var cdr = Assert.Single(ReadFile(Columns, line)).Cdr;

        Assert.NotNull(cdr);
        Assert.Equal(AnsweredKey, cdr.RecordKey);
        Assert.Equal(Instant.FromUtc(2026, 11, 2, 8, 15, 7), cdr.Start);
        Assert.Equal(95, cdr.BillableSeconds);
    }

    [Fact]
    public void Read_MarksCallUnanswered_WhenConnectTimeIsZero_AndNormaliserFiltersIt()
    {
        var line = Row(Columns, ("dateTimeConnect", "0"), ("duration", "0"), ("dateTimeDisconnect", "1793607331"));

        var cdr = Assert.Single(ReadFile(Columns, line)).Cdr;

        Assert.NotNull(cdr);
        Assert.False(cdr.Answered);
        Assert.Equal(Instant.FromUtc(2026, 11, 2, 8, 15, 0), cdr.Start);
        Assert.Equal(0, cdr.BillableSeconds);
        var outcome = new CdrNormaliser(Cucm, Written.At).Normalise(cdr);
        Assert.Equal(OutcomeKind.Filtered, outcome.Kind);
        Assert.Equal(FilterReasons.Unanswered, outcome.Reason);
    }

    [Theory]
    [InlineData("2", FilterReasons.CallManagementRecord)]
    [InlineData("0", FilterReasons.StartRecord)]
    public void Read_FiltersRow_WhenRecordTypeIsNotAnEndOfCallCdr(string recordType, string reason)
    {
        var line = Row(Columns, ("cdrRecordType", recordType), ("callingPartyNumber", "\"\""), ("duration", ""));

        var row = Assert.Single(ReadFile(Columns, line));

        Assert.Null(row.Cdr);
        Assert.Equal(reason, row.FilterReason);
    }

    [Fact]
    public void Read_ReportsMalformedRow_WhenRecordTypeIsUnknown()
    {
        var row = Assert.Single(ReadFile(Columns, Row(Columns, ("cdrRecordType", "7"))));

        Assert.Equal(SuspenseReasons.MalformedRow, row.ProblemCode);
        Assert.Contains("cdrRecordType 7", row.ProblemDetail, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_FiltersEveryRowAsCmr_WhenFileNameStartsWithCmr()
    {
        string[] cmr = ["cdrRecordType", "globalCallID_callManagerId", "globalCallID_callId", "nodeId", "directoryNum", "numberPacketsSent", "jitter", "varVQMetrics"];
        var text = "\"" + string.Join("\",\"", cmr) + "\"\nINTEGER,INTEGER,INTEGER,INTEGER,VARCHAR(50),INTEGER,INTEGER,VARCHAR(600)\n"
                   + "2,1,1300001,1,\"1001\",4760,1,\"MLQK=4.5000\"\n"
                   + "2,1,1300002,1,\"1002\",15610,2,\"MLQK=4.1000\"\n";

        var rows = ReadText("cmr_StandAloneCluster_01_202611020900_0002", text);

        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(FilterReasons.CallManagementRecord, r.FilterReason));
    }

    [Fact]
    public void Open_TreatsFileAsCmr_WhenHeaderHasQualityColumnsAndNoNumbers()
    {
        var text = "\"cdrRecordType\",\"globalCallID_callId\",\"numberPacketsLost\",\"jitter\"\nINTEGER,INTEGER,INTEGER,INTEGER\n2,1300001,0,1\n";

        var row = Assert.Single(ReadText(CdrFile, text));

        Assert.Equal(FilterReasons.CallManagementRecord, row.FilterReason);
    }

    [Fact]
    public void Open_RejectsFile_NamingTheMissingRequiredColumns()
    {
        string[] partial = [.. Columns.Where(c => c is not ("duration" or "dateTimeConnect"))];

        var opening = Open(CdrFile, Text(partial, Row(partial)));

        Assert.Null(opening.Reader);
        Assert.StartsWith("not a CUCM CDR file: ", opening.Rejection, StringComparison.Ordinal);
        Assert.Contains("duration", opening.Rejection, StringComparison.Ordinal);
        Assert.Contains("dateTimeConnect", opening.Rejection, StringComparison.Ordinal);
        Assert.DoesNotContain("dateTimeDisconnect", opening.Rejection, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_RejectsFile_WhenNeitherCalledNumberColumnExists()
    {
        string[] partial = [.. Columns.Where(c => !c.EndsWith("CalledPartyNumber", StringComparison.Ordinal))];

        var opening = Open(CdrFile, Text(partial, Row(partial)));

        Assert.Null(opening.Reader);
        Assert.Contains("finalCalledPartyNumber or originalCalledPartyNumber", opening.Rejection, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_RejectsAsteriskStyleFile_AsNotCucm()
    {
        var opening = Open(CdrFile, "\"\",\"1001\",\"901632960123\",\"internal\"\n\"\",\"1002\",\"901632960124\",\"internal\"\n");

        Assert.Null(opening.Reader);
        Assert.StartsWith("not a CUCM CDR file: ", opening.Rejection, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_FallsBackToOriginalCalledNumber_WhenFinalIsEmpty()
    {
        var line = Row(Columns, ("originalCalledPartyNumber", "\"901632960777\""), ("finalCalledPartyNumber", "\"\""));

        var cdr = Assert.Single(ReadFile(Columns, line)).Cdr;

        Assert.Equal("901632960777", cdr?.Called);
    }

    [Fact]
    public void Read_UsesFinalCalledNumber_WhenTheCallWasForwarded()
    {
        var line = Row(Columns, ("originalCalledPartyNumber", "\"1020\""), ("finalCalledPartyNumber", "\"907700900222\""));

        var cdr = Assert.Single(ReadFile(Columns, line)).Cdr;

        Assert.Equal("907700900222", cdr?.Called);
    }

    [Fact]
    public void Read_UsesOriginalCalledNumber_WhenTheFileHasNoFinalCalledColumn()
    {
        string[] older = [.. Columns.Where(c => c != "finalCalledPartyNumber")];

        var cdr = Assert.Single(ReadFile(older, Row(older, ("originalCalledPartyNumber", "\"907700900456\"")))).Cdr;

        Assert.Equal("907700900456", cdr?.Called);
    }

    [Fact]
    public void Read_ReportsMalformedRow_WhenFieldCountDiffersFromHeader()
    {
        var row = Assert.Single(ReadFile(Columns, Row(Columns) + ",\"extra\""));

        Assert.Null(row.Cdr);
        Assert.Equal(SuspenseReasons.MalformedRow, row.ProblemCode);
        Assert.Equal($"expected {Columns.Length} fields, found {Columns.Length + 1}", row.ProblemDetail);
    }

    [Fact]
    public void Read_ReportsMalformedRow_WhenDurationIsNotAnInteger()
    {
        var row = Assert.Single(ReadFile(Columns, Row(Columns, ("duration", "12a"))));

        Assert.Equal(SuspenseReasons.MalformedRow, row.ProblemCode);
        Assert.Equal("duration '12a' is not an integer", row.ProblemDetail);
    }

    [Fact]
    public void Read_ReportsMalformedRow_WhenAConnectedCallHasNoDuration()
    {
        var row = Assert.Single(ReadFile(Columns, Row(Columns, ("duration", ""))));

        Assert.Equal(SuspenseReasons.MalformedRow, row.ProblemCode);
    }

    [Theory]
    [InlineData("dateTimeOrigination", "2026-11-02 08:15:00")]
    [InlineData("dateTimeOrigination", "")]
    [InlineData("dateTimeConnect", "17936O7307")]
    [InlineData("dateTimeDisconnect", "-5")]
    public void Read_ReportsBadTimestamp_WhenATimeIsNotAnEpochSecond(string column, string value)
    {
        var row = Assert.Single(ReadFile(Columns, Row(Columns, (column, value))));

        Assert.Null(row.Cdr);
        Assert.Equal(SuspenseReasons.BadTimestamp, row.ProblemCode);
        Assert.StartsWith(column, row.ProblemDetail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("globalCallID_callId")]
    [InlineData("globalCallID_callManagerId")]
    public void Read_ReportsMissingKey_WhenAnIdentityColumnIsEmpty(string column)
    {
        var row = Assert.Single(ReadFile(Columns, Row(Columns, (column, " "))));

        Assert.Equal(SuspenseReasons.MissingKey, row.ProblemCode);
        Assert.Equal($"{column} is empty", row.ProblemDetail);
    }

    [Theory]
    [InlineData("sip:+442079410012@cucm-sub.example.co.uk", "442079410012")]
    [InlineData("sip:1005@cucm-pub.example.co.uk", "44207941005")]
    public void Read_PassesSipUriThrough_AndNormaliserReducesItToE164(string uri, string e164)
    {
        var cdr = Assert.Single(ReadFile(Columns, Row(Columns, ("callingPartyNumber", $"\"{uri}\"")))).Cdr!;

        Assert.Equal(uri, cdr.Calling);
        var outcome = new CdrNormaliser(Cucm, Written.At).Normalise(cdr);
        Assert.Equal(OutcomeKind.Accepted, outcome.Kind);
        Assert.Equal(e164, outcome.Usage!.Msisdn);
    }

    [Fact]
    public void Read_BuildsRecordKeyWithEmptyClusterAndLegs_WhenThoseColumnsAreAbsent()
    {
        string[] minimal = [.. Columns.Where(c => c is not ("globalCallId_ClusterID" or "origLegCallIdentifier" or "destLegIdentifier"))];

        var cdr = Assert.Single(ReadFile(minimal, Row(minimal))).Cdr;

        Assert.Equal(":1:1300001:::1793607300", cdr?.RecordKey);
    }

    [Fact]
    public void Read_KeepsWrappedCallIdsApart_ByOriginationTime()
    {
        var later = Row(Columns, ("dateTimeOrigination", "1793693700"), ("dateTimeConnect", "1793693705"), ("dateTimeDisconnect", "1793693760"), ("duration", "55"));

        var rows = ReadFile(Columns, Row(Columns), later);

        Assert.Equal(AnsweredKey, rows[0].Cdr?.RecordKey);
        Assert.Equal("StandAloneCluster:1:1300001:16777218:16777219:1793693700", rows[1].Cdr?.RecordKey);
    }

    [Fact]
    public void OpenRow_ReReadsASuspendedRow_WithTheHeaderAlone()
    {
        var path = Write(CdrFile, Text(Columns, Row(Columns, ("duration", "12a"))));
        string? header;
        var raw = "";
        using (var reader = CdrReaders.OpenFile(path, Cucm).Reader!)
        {
            // The raw line is that of the row last produced, as the pipeline reads it.
            foreach (var suspended in reader.ReadRows())
            {
                Assert.Equal(SuspenseReasons.MalformedRow, suspended.ProblemCode);
                raw = reader.CurrentRawLine;
            }

            header = reader.Header;
        }

        var opening = CdrReaders.OpenRow(Cucm, header, raw.Replace(",12a,", ",95,", StringComparison.Ordinal), CdrFile);
        using var again = opening.Reader!;
        var row = Assert.Single(again.ReadRows());

        Assert.StartsWith("\"cdrRecordType\",\"globalCallID_callManagerId\",", header, StringComparison.Ordinal);
        Assert.Equal(AnsweredKey, row.Cdr?.RecordKey);
        Assert.Equal(95, row.Cdr?.BillableSeconds);
    }

    [Theory]
    [InlineData(-1139627840, "192.168.18.188")]
    [InlineData(352430272, "192.168.1.21")]
    [InlineData(16777343, "127.0.0.1")]
    [InlineData(0, "0.0.0.0")]
    [InlineData(-1, "255.255.255.255")]
    public void DecodeIpAddress_ReadsSignedLittleEndianInteger_AsDottedQuad(int encoded, string address) =>
        Assert.Equal(address, CucmReader.DecodeIpAddress(encoded));

    private static string Row(IReadOnlyList<string> columns, params (string Column, string Value)[] overrides)
    {
        var values = new string[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            var name = columns[i].Trim();
            values[i] = Answered.GetValueOrDefault(name)
                        ?? (name.Equals("destLegCallIdentifier", StringComparison.OrdinalIgnoreCase) ? Answered["destLegIdentifier"] : "");
            foreach (var (column, value) in overrides)
            {
                if (column.Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    values[i] = value;
                }
            }
        }

        return string.Join(',', values);
    }

    private static string Text(IReadOnlyList<string> columns, params string[] rows) =>
        "\"" + string.Join("\",\"", columns) + "\"\n"
        + string.Join(',', columns.Select(c => Types.GetValueOrDefault(c.Trim(), "INTEGER"))) + "\n"
        + string.Concat(rows.Select(r => r + "\n"));

    private List<ReaderRow> ReadFile(IReadOnlyList<string> columns, params string[] rows) => ReadText(CdrFile, Text(columns, rows));

    private List<ReaderRow> ReadText(string fileName, string text)
    {
        var opening = Open(fileName, text);
        Assert.Null(opening.Rejection);
        using var reader = opening.Reader!;
        return [.. reader.ReadRows()];
    }

    private ReaderOpening Open(string fileName, string text) => CdrReaders.OpenFile(Write(fileName, text), Cucm);

    private string Write(string fileName, string text)
    {
        var path = Path.Combine(_folder, fileName);
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData("1793607300", null)]                                   // connected at origination
    [InlineData("1793607299", SuspenseReasons.AnswerBeforeStart)]      // connected a second before it originated
    public void Read_SuspendsACall_ConnectedBeforeItOriginated(string connect, string? reason)
    {
        var row = Assert.Single(ReadFile(Columns, Row(Columns, ("dateTimeConnect", connect))));

        Assert.Equal(reason, row.ProblemCode);
    }

    [Theory]
    [InlineData("102", null)]                                          // disconnect − origination = 102 s: all of it billed
    [InlineData("103", SuspenseReasons.BillableExceedsDuration)]       // a second more than the call lasted
    public void Read_SuspendsACall_WhoseDurationIsLongerThanDisconnectMinusOrigination(string duration, string? reason)
    {
        var row = Assert.Single(ReadFile(Columns, Row(Columns, ("dateTimeConnect", "1793607300"), ("duration", duration))));

        Assert.Equal(reason, row.ProblemCode);
    }
}
