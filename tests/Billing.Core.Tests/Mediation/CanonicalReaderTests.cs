using System.Text;
using Billing.Core.Mediation;
using Billing.Core.Usage;
using Billing.Mediation;
using Billing.Mediation.Readers;
using NodaTime;

namespace Billing.Core.Tests.Mediation;

public class CanonicalReaderTests
{
    private const string Header = "record_id,service,msisdn,destination,start_time,duration_s,volume_bytes,cell_id";

    private static readonly SourceOptions Source = DefaultSources.All.Single(s => s.Name == "canonical");

    private sealed record Row(ReaderRow Reader, string RawLine);

    private static List<Row> Read(string content) => Read(Encoding.UTF8.GetBytes(content));

    private static List<Row> Read(byte[] content)
    {
        using var file = new TempFile(content);
        var opening = CdrReaders.OpenFile(file.FilePath, Source);
        Assert.Null(opening.Rejection);
        using var reader = opening.Reader!;
        return [.. reader.ReadRows().Select(r => new Row(r, reader.CurrentRawLine))];
    }

    private static string Rejection(byte[] content)
    {
        using var file = new TempFile(content);
        var opening = CdrReaders.OpenFile(file.FilePath, Source);
        Assert.Null(opening.Reader);
        Assert.NotNull(opening.Rejection);
        return opening.Rejection;
    }

    private static RawCdr SingleCdr(string content)
    {
        var row = Assert.Single(Read(content)).Reader;
        Assert.Null(row.ProblemCode);
        Assert.Null(row.FilterReason);
        return row.Cdr!;
    }

    private static ReaderRow SingleProblem(string content, string code)
    {
        var row = Assert.Single(Read(content)).Reader;
        Assert.Null(row.Cdr);
        Assert.Equal(code, row.ProblemCode);
        Assert.False(string.IsNullOrEmpty(row.ProblemDetail));
        return row;
    }

    [Fact]
    public void ReadRows_ReadsVoiceRecord_WhenHeaderIsInDocumentedOrder()
    {
        var cdr = SingleCdr(Header + "\nc-1,voice,07700900123,+442079460123,2026-11-02T08:15:00Z,95,,cell-7\n");

        Assert.Equal(new RawCdr
        {
            RecordKey = "c-1",
            Service = ServiceType.Voice,
            Calling = "07700900123",
            Called = "+442079460123",
            Start = Instant.FromUtc(2026, 11, 2, 8, 15, 0),
            BillableSeconds = 95,
            VolumeBytes = 0,
            CellId = "cell-7",
            Answered = true,
        }, cdr);
    }

    [Fact]
    public void ReadRows_MapsColumnsByName_WhenHeaderIsInAnyOrderAndCase()
    {
        var cdr = SingleCdr(
            "Volume_Bytes,CELL_ID,start_time,Service,MSISDN,destination,duration_s,record_id\n"
            + "5242880,234-15-1201-33,2026-11-02T09:00:00Z,data,07700900123,,,d-1\n");

        Assert.Equal("d-1", cdr.RecordKey);
        Assert.Equal(ServiceType.Data, cdr.Service);
        Assert.Equal("07700900123", cdr.Calling);
        Assert.Null(cdr.Called);
        Assert.Equal(5_242_880, cdr.VolumeBytes);
        Assert.Equal(0, cdr.BillableSeconds);
        Assert.Equal("234-15-1201-33", cdr.CellId);
    }

    [Theory]
    [InlineData("record_id")]
    [InlineData("service")]
    [InlineData("msisdn")]
    [InlineData("destination")]
    [InlineData("start_time")]
    [InlineData("duration_s")]
    [InlineData("volume_bytes")]
    public void OpenFile_RejectsNamingTheColumn_WhenRequiredColumnIsMissing(string column)
    {
        var header = string.Join(',', CanonicalReader.Columns.Where(c => c != column));
        var reason = Rejection(Encoding.UTF8.GetBytes(header + "\n"));

        Assert.StartsWith("not a canonical CDR file", reason, StringComparison.Ordinal);
        Assert.Contains($"lacks {column} ", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadRows_LeavesCellEmpty_WhenCellIdColumnIsAbsent()
    {
        var cdr = SingleCdr("record_id,service,msisdn,destination,start_time,duration_s,volume_bytes\n"
            + "s-1,sms,07700900123,07700900456,2026-11-02T09:00:00Z,,\n");

        Assert.Equal(ServiceType.Sms, cdr.Service);
        Assert.Equal("07700900456", cdr.Called);
        Assert.Null(cdr.CellId);
    }

    [Fact]
    public void ReadRows_LeavesCellEmpty_WhenCellIdIsBlank() =>
        Assert.Null(SingleCdr(Header + "\nc-1,voice,07700900123,02079460123,2026-11-02T08:15:00Z,10,,  \n").CellId);

    [Theory]
    [InlineData("2026-11-02T08:15:00Z", 2026, 11, 2, 8, 15, 0L)]
    [InlineData("2026-11-02T09:15:00+01:00", 2026, 11, 2, 8, 15, 0L)]
    [InlineData("2026-11-02T03:15:00-05:00", 2026, 11, 2, 8, 15, 0L)]
    [InlineData("2026-11-02T00:30:00+05:30", 2026, 11, 1, 19, 0, 0L)]
    [InlineData("2026-11-02T00:30:00+01:00", 2026, 11, 1, 23, 30, 0L)]
    [InlineData("2026-11-02T08:15:00.250Z", 2026, 11, 2, 8, 15, 250_000_000L)]
    [InlineData("2026-11-02T09:15:00.5+01:00", 2026, 11, 2, 8, 15, 500_000_000L)]
    [InlineData("2026-11-02T08:15:00.123456789Z", 2026, 11, 2, 8, 15, 123_456_789L)]
    public void ReadRows_ConvertsStartToExactUtc_WhenIsoWithOffsetOrFraction(string text, int y, int mo, int d, int h, int mi, long nanos)
    {
        var cdr = SingleCdr($"{Header}\nc-1,voice,07700900123,02079460123,{text},10,,\n");

        Assert.Equal(Instant.FromUtc(y, mo, d, h, mi).PlusNanoseconds(nanos), cdr.Start);
    }

    /// <summary>
    /// The form nearly every file uses (YYYY-MM-DDTHH:MM:SSZ) is read without the pattern; whatever that fast
    /// reading refuses goes to the pattern, so both readings must agree on every stamp, valid or not.
    /// </summary>
    [Theory]
    [InlineData("2028-02-29T23:59:59Z")]
    [InlineData("2027-02-29T10:00:00Z")]
    [InlineData("2026-11-02T24:00:00Z")]
    [InlineData("2026-11-02T08:60:00Z")]
    [InlineData("2026-11-02T08:15:60Z")]
    [InlineData("0000-01-01T00:00:00Z")]
    [InlineData("9999-12-29T23:59:59Z")]
    [InlineData("9999-12-30T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59Z")]
    [InlineData("2026-11-02T08:15:00z")]
    [InlineData("2026-11-02t08:15:00Z")]
    [InlineData(" 2026-11-02T08:15:00Z")]
    [InlineData("2026-11-02T08:15:0AZ")]
    public void ReadRows_ReadsAUtcStartAsTheIsoPatternDoes_WhenTheFastReadingTakesOrRefusesIt(string text)
    {
        var pattern = NodaTime.Text.OffsetDateTimePattern.ExtendedIso.Parse(text.Trim());
        var row = Assert.Single(Read($"{Header}\nc-1,voice,07700900123,02079460123,{text},10,,\n")).Reader;

        if (pattern.Success)
        {
            var local = pattern.Value.LocalDateTime;
            Assert.Equal(local < new LocalDateTime(9999, 12, 30, 0, 0) ? pattern.Value.ToInstant() : Instant.MaxValue, row.Cdr!.Start);
        }
        else
        {
            Assert.Equal(SuspenseReasons.BadTimestamp, row.ProblemCode);
        }
    }

    [Fact]
    public void ReadRows_ReadsALeapDayAndTheLastConvertibleSecond_WhenTheStartIsUtc()
    {
        Assert.Equal(Instant.FromUtc(2028, 2, 29, 23, 59, 59), SingleCdr($"{Header}\nc-1,voice,07700900123,02079460123,2028-02-29T23:59:59Z,10,,\n").Start);
        Assert.Equal(Instant.FromUtc(9999, 12, 29, 23, 59, 59), SingleCdr($"{Header}\nc-1,voice,07700900123,02079460123,9999-12-29T23:59:59Z,10,,\n").Start);
        Assert.Equal(Instant.MaxValue, SingleCdr($"{Header}\nc-1,voice,07700900123,02079460123,9999-12-30T00:00:00Z,10,,\n").Start);
        SingleProblem($"{Header}\nc-1,voice,07700900123,02079460123,2027-02-29T10:00:00Z,10,,\n", SuspenseReasons.BadTimestamp);
    }

    [Theory]
    [InlineData("mms")]
    [InlineData("")]
    [InlineData("video")]
    public void ReadRows_ReportsUnknownService_WhenServiceIsNotVoiceSmsOrData(string service)
    {
        var row = SingleProblem($"{Header}\nc-1,{service},07700900123,02079460123,2026-11-02T08:15:00Z,10,,\n", SuspenseReasons.UnknownService);
        Assert.Equal(2, row.LineNumber);
    }

    [Theory]
    [InlineData(" VOICE ", ServiceType.Voice)]
    [InlineData("Sms", ServiceType.Sms)]
    public void ReadRows_AcceptsService_WhenCaseOrSpacingDiffers(string service, ServiceType expected) =>
        Assert.Equal(expected, SingleCdr($"{Header}\nc-1,{service},07700900123,02079460123,2026-11-02T08:15:00Z,10,,\n").Service);

    [Theory]
    [InlineData("2026-11-02 08:15:00")]
    [InlineData("2026-11-02T08:15:00")]
    [InlineData("02/11/2026 08:15")]
    [InlineData("2026-13-02T08:15:00Z")]
    [InlineData("2026-11-02T08:15:00+0100")]
    [InlineData("")]
    public void ReadRows_ReportsBadTimestamp_WhenStartIsNotIsoWithOffset(string start) =>
        SingleProblem($"{Header}\nc-1,voice,07700900123,02079460123,{start},10,,\n", SuspenseReasons.BadTimestamp);

    [Theory]
    [InlineData("12.5")]
    [InlineData("")]
    [InlineData("ten")]
    [InlineData("99999999999999999999")]
    public void ReadRows_ReportsMalformedRow_WhenVoiceDurationIsNotAnInteger(string duration) =>
        SingleProblem($"{Header}\nc-1,voice,07700900123,02079460123,2026-11-02T08:15:00Z,{duration},,\n", SuspenseReasons.MalformedRow);

    [Theory]
    [InlineData("1.5")]
    [InlineData("")]
    [InlineData("1e6")]
    public void ReadRows_ReportsBadVolume_WhenDataVolumeIsNotAnInteger(string volume) =>
        SingleProblem($"{Header}\nd-1,data,07700900123,,2026-11-02T08:15:00Z,,{volume},\n", SuspenseReasons.BadVolume);

    [Fact]
    public void ReadRows_MarksVoiceUnanswered_WhenDurationIsZero()
    {
        var cdr = SingleCdr($"{Header}\nc-1,voice,07700900123,02079460123,2026-11-02T08:15:00Z,0,,\n");
        Assert.False(cdr.Answered);
        Assert.Equal(0, cdr.BillableSeconds);
    }

    [Fact]
    public void ReadRows_IgnoresOtherServicesQuantity_WhenSmsCarriesDurationAndVolume()
    {
        var cdr = SingleCdr($"{Header}\ns-1,sms,07700900123,02079460123,2026-11-02T08:15:00Z,junk,junk,\n");
        Assert.Equal(0, cdr.BillableSeconds);
        Assert.Equal(0, cdr.VolumeBytes);
        Assert.True(cdr.Answered);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void ReadRows_ReportsMissingKey_WhenRecordIdIsEmpty(string id) =>
        SingleProblem($"{Header}\n{id},voice,07700900123,02079460123,2026-11-02T08:15:00Z,10,,\n", SuspenseReasons.MissingKey);

    [Theory]
    [InlineData("c-1,voice,07700900123,02079460123,2026-11-02T08:15:00Z,10,", "expected 8 fields, found 7")]
    [InlineData("c-1,voice,07700900123,02079460123,2026-11-02T08:15:00Z,10,,,extra", "expected 8 fields, found 9")]
    public void ReadRows_ReportsMalformedRow_WhenFieldCountIsWrong(string line, string detail)
    {
        var row = SingleProblem($"{Header}\n{line}\n", SuspenseReasons.MalformedRow);
        Assert.Equal(detail, row.ProblemDetail);
    }

    [Fact]
    public void ReadRows_SkipsBlankLines_AndKeepsFileLineNumbers()
    {
        var rows = Read($"{Header}\n\nc-1,voice,07700900123,02079460123,2026-11-02T08:15:00Z,10,,\n\r\n\nc-2,sms,07700900123,02079460123,2026-11-02T08:16:00Z,,,\n\n");

        Assert.Equal(["c-1", "c-2"], rows.Select(r => r.Reader.Cdr!.RecordKey));
        Assert.Equal([3L, 6L], rows.Select(r => r.Reader.LineNumber));
    }

    [Fact]
    public void ReadRows_ReadsQuotedFields_WhenTheyContainCommas()
    {
        var cdr = SingleCdr($"{Header}\n\"c,1\",voice,\"07700 900123\",02079460123,2026-11-02T08:15:00Z,10,,\"cell, north\"\n");
        Assert.Equal("c,1", cdr.RecordKey);
        Assert.Equal("07700 900123", cdr.Calling);
        Assert.Equal("cell, north", cdr.CellId);
    }

    [Fact]
    public void ReadRows_ReportsBadEncoding_WhenRowIsNotUtf8AndContinues()
    {
        var bytes = new List<byte>(Encoding.UTF8.GetBytes($"{Header}\nc-1,voice,07700900123,02079460123,2026-11-02T08:15:00Z,10,,caf"));
        bytes.AddRange([0xE9, 0xFF]);
        bytes.AddRange(Encoding.UTF8.GetBytes("\nc-2,voice,07700900123,02079460123,2026-11-02T08:16:00Z,10,,\n"));

        var rows = Read([.. bytes]);

        Assert.Equal(2, rows.Count);
        Assert.Equal(SuspenseReasons.BadEncoding, rows[0].Reader.ProblemCode);
        Assert.Equal(2, rows[0].Reader.LineNumber);
        Assert.Equal("c-2", rows[1].Reader.Cdr!.RecordKey);
    }

    [Fact]
    public void ReadRows_ReadsNonAsciiText_WhenValidUtf8() =>
        Assert.Equal("Zürich-Ø", SingleCdr($"{Header}\nc-1,voice,07700900123,02079460123,2026-11-02T08:15:00Z,10,,Zürich-Ø\n").CellId);

    [Fact]
    public void ReadRows_ReportsMalformedRow_WhenLastLineIsTruncated()
    {
        var rows = Read($"{Header}\nc-1,voice,07700900123,02079460123,2026-11-02T08:15:00Z,10,,\nc-2,voice,0770090");

        Assert.Equal(2, rows.Count);
        Assert.Equal("c-1", rows[0].Reader.Cdr!.RecordKey);
        Assert.Equal(SuspenseReasons.MalformedRow, rows[1].Reader.ProblemCode);
        Assert.Equal(3, rows[1].Reader.LineNumber);
        Assert.Equal("c-2,voice,0770090", rows[1].RawLine);
    }

    [Fact]
    public void ReadRows_ReportsUnclosedQuote_WhenQuoteIsNeverClosed()
    {
        var rows = Read($"{Header}\nc-1,voice,07700900123,02079460123,2026-11-02T08:15:00Z,10,,\nc-2,voice,\"07700900123,02079460123,2026-11-02T08:15:00Z,10,,\n");

        Assert.Equal("c-1", rows[0].Reader.Cdr!.RecordKey);
        Assert.Equal(SuspenseReasons.UnclosedQuote, Assert.Single(rows.Skip(1)).Reader.ProblemCode);
    }

    [Fact]
    public void ReadRows_ReadsLastLine_WhenItIsCompleteButHasNoNewline() =>
        Assert.Equal("c-1", SingleCdr($"{Header}\nc-1,voice,07700900123,02079460123,2026-11-02T08:15:00Z,10,,").RecordKey);

    [Fact]
    public void ReadRows_ReadsRows_WhenLinesEndWithCrLf()
    {
        var rows = Read($"{Header}\r\nc-1,voice,07700900123,02079460123,2026-11-02T08:15:00Z,10,,x\r\n");
        var row = Assert.Single(rows);
        Assert.Equal("x", row.Reader.Cdr!.CellId);
        Assert.Equal("c-1,voice,07700900123,02079460123,2026-11-02T08:15:00Z,10,,x", row.RawLine);
    }

    [Fact]
    public void ReadRows_ReadsHeader_WhenFileStartsWithUtf8Bom()
    {
        byte[] bom = [0xEF, 0xBB, 0xBF];
        var rows = Read([.. bom, .. Encoding.UTF8.GetBytes($"{Header}\nc-1,voice,07700900123,02079460123,2026-11-02T08:15:00Z,10,,\n")]);
        Assert.Equal("c-1", Assert.Single(rows).Reader.Cdr!.RecordKey);
    }

    [Fact]
    public void OpenFile_RejectsAsEmpty_WhenFileHasZeroBytes() =>
        Assert.Contains("empty", Rejection([]), StringComparison.Ordinal);

    [Fact]
    public void A_row_with_a_NUL_byte_is_suspended_with_its_text_and_the_rows_around_it_are_read()
    {
        var rows = Read([
            .. Encoding.UTF8.GetBytes($"{Header}\nc-1,voice,07700900123,02079460123,2026-11-02T08:15:00Z,10,,\nc-2,voice,07700900123,02079460123,2026-11-02T08:16:00Z,10,,ce"),
            0,
            .. Encoding.UTF8.GetBytes("ll\nc-3,voice,07700900123,02079460123,2026-11-02T08:17:00Z,10,,\n"),
        ]);

        Assert.Equal(["c-1", null, "c-3"], rows.Select(r => r.Reader.Cdr?.RecordKey));
        Assert.Equal((3L, SuspenseReasons.NulByte), (rows[1].Reader.LineNumber, rows[1].Reader.ProblemCode));
        Assert.Equal("c-2,voice,07700900123,02079460123,2026-11-02T08:16:00Z,10,,ce\0ll", rows[1].RawLine);
    }

    [Theory]
    [InlineData(80, false)] // 80 NUL bytes of 161: under half, the row is suspended
    [InlineData(81, true)]  // 81 of 162: half the file is binary, it is rejected whole
    public void A_file_is_rejected_as_binary_only_when_half_of_its_head_is_NUL_or_control_bytes(int nuls, bool rejected)
    {
        byte[] content = [.. Encoding.UTF8.GetBytes(Header + "\n"), .. new byte[nuls], (byte)'\n'];

        using var file = new TempFile(content);
        var opening = CdrReaders.OpenFile(file.FilePath, Source);
        opening.Reader?.Dispose();

        Assert.Equal(rejected, opening.Rejection is not null);
        if (rejected)
        {
            Assert.Contains($"binary content: {nuls} of the first {nuls + 81} bytes are NUL or control bytes", opening.Rejection, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(SuspenseReasons.NulByte, Assert.Single(Read(content)).Reader.ProblemCode);
        }
    }

    [Fact]
    public void A_quote_opened_in_row_3_of_5_and_never_closed_suspends_row_3_alone_so_read_is_5()
    {
        var file = $"""
            {Header}
            c-1,voice,07700900123,02079460123,2026-11-02T08:15:00Z,10,,cell-1
            c-2,voice,07700900123,02079460123,2026-11-02T08:16:00Z,20,,cell-2
            c-3,voice,07700900123,02079460123,2026-11-02T08:17:00Z,30,,"cell-3
            c-4,voice,07700900123,02079460123,2026-11-02T08:18:00Z,40,,cell-4
            c-5,voice,07700900123,02079460123,2026-11-02T08:19:00Z,50,,cell-5

            """;

        var (manifest, sink) = Mediate(file);

        Assert.Equal((5L, 4L, 1L, 0L), (manifest.Read, manifest.Accepted, manifest.Suspended, manifest.Filtered));
        Assert.Equal(["c-1", "c-2", "c-4", "c-5"], sink.Accepted.Select(a => a.Usage.RecordKey));
        Assert.Equal([40L, 50L], sink.Accepted.Skip(2).Select(a => a.Usage.DurationSeconds));
        var suspended = Assert.Single(sink.Suspended);
        Assert.Equal((4L, SuspenseReasons.UnclosedQuote, "c-3,voice,07700900123,02079460123,2026-11-02T08:17:00Z,30,,\"cell-3"),
            (suspended.LineNumber, suspended.Reason, suspended.RawLine));
    }

    [Fact]
    public void A_field_holding_a_line_break_suspends_both_its_lines_and_the_next_row_is_read_so_read_is_4()
    {
        var file = $"""
            {Header}
            c-1,voice,07700900123,02079460123,2026-11-02T08:15:00Z,10,,cell-1
            c-2,voice,07700900123,02079460123,2026-11-02T08:16:00Z,20,,"cell
            two"
            c-3,voice,07700900123,02079460123,2026-11-02T08:17:00Z,30,,cell-3

            """;

        var (manifest, sink) = Mediate(file);

        Assert.Equal((4L, 2L, 2L), (manifest.Read, manifest.Accepted, manifest.Suspended));
        Assert.Equal(["c-1", "c-3"], sink.Accepted.Select(a => a.Usage.RecordKey));
        Assert.Equal([(3L, SuspenseReasons.UnclosedQuote, "c-2,voice,07700900123,02079460123,2026-11-02T08:16:00Z,20,,\"cell"), (4L, SuspenseReasons.MalformedRow, "two\"")],
            sink.Suspended.Select(s => (s.LineNumber, s.Reason, s.RawLine)));
    }

    [Fact]
    public void A_start_in_the_year_9999_behind_a_negative_offset_is_suspended_as_future_without_overflowing()
    {
        var file = $"""
            {Header}
            c-1,voice,07700900123,02079460123,9999-12-31T23:59:59-05:00,60,,
            c-2,voice,07700900123,02079460123,2099-01-01T00:00:00Z,60,,
            c-3,voice,07700900123,02079460123,2026-11-02T08:17:00Z,60,,

            """;

        var (manifest, sink) = Mediate(file);

        Assert.Equal((3L, 1L, 2L), (manifest.Read, manifest.Accepted, manifest.Suspended));
        Assert.Equal(new Dictionary<string, long> { [SuspenseReasons.FutureStart] = 2 }, manifest.SuspendedByReason);
        Assert.Equal("c-3", Assert.Single(sink.Accepted).Usage.RecordKey);
    }

    [Fact]
    public void A_start_in_the_year_minus_9998_ahead_of_a_positive_offset_is_suspended_as_bad_timestamp_without_overflowing()
    {
        var file = $"""
            {Header}
            c-1,voice,07700900123,02079460123,-9998-01-01T00:00:00+18:00,60,,
            c-2,voice,07700900123,02079460123,0001-01-01T00:00:00+18:00,60,,
            c-3,voice,07700900123,02079460123,2026-11-02T08:17:00Z,60,,

            """;

        var (manifest, sink) = Mediate(file);

        Assert.Equal((3L, 1L, 2L), (manifest.Read, manifest.Accepted, manifest.Suspended));
        Assert.Equal(new Dictionary<string, long> { [SuspenseReasons.BadTimestamp] = 2 }, manifest.SuspendedByReason);
        Assert.Equal("c-3", Assert.Single(sink.Accepted).Usage.RecordKey);
    }

    private static (FileManifest Manifest, RecordingSink Sink) Mediate(string content)
    {
        using var file = new TempFile(content.Replace("\r\n", "\n", StringComparison.Ordinal));
        using var reader = CdrReaders.OpenFile(file.FilePath, Source).Reader!;
        var sink = new RecordingSink();
        var run = MediationPipeline.Run(reader, new CdrNormaliser(Source, Written.At), sink, SuspenseLimits.None);
        return (run.Manifest!, sink);
    }

    [Theory]
    [InlineData(0xFF, 0xFE)]
    [InlineData(0xFE, 0xFF)]
    public void OpenFile_RejectsAsUtf16_WhenFileStartsWithUtf16Bom(byte first, byte second)
    {
        var encoding = first == 0xFF ? Encoding.Unicode : Encoding.BigEndianUnicode;
        var reason = Rejection([first, second, .. encoding.GetBytes(Header + "\n")]);
        Assert.Contains("UTF-16", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenFile_RejectsAsNotCanonical_WhenFirstLineIsNotAHeader()
    {
        var reason = Rejection(Encoding.UTF8.GetBytes("c-1,voice,07700900123,02079460123,2026-11-02T08:15:00Z,10,,\n"));
        Assert.StartsWith("not a canonical CDR file", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenFile_RejectsAsOversized_WhenAboveTheLimit()
    {
        using var file = new TempFile(Header + "\n");
        var opening = CdrReaders.OpenFile(file.FilePath, Source, maxFileBytes: Header.Length);
        Assert.Null(opening.Reader);
        Assert.StartsWith("oversized file", opening.Rejection, StringComparison.Ordinal);
        Assert.Null(CdrReaders.OpenFile(file.FilePath, Source, maxFileBytes: Header.Length + 1).Rejection);
    }

    [Fact]
    public void OpenRow_RereadsSuspendedRow_WithTheFileHeader()
    {
        var header = "service,record_id,start_time,msisdn,destination,duration_s,volume_bytes,cell_id";
        string? kept;
        var raw = "";
        using (var file = new TempFile($"{header}\nvoice,c-9,2026-11-02T09:15:00+01:00,07700900123,02079460123,42,,\n"))
        {
            using var reader = CdrReaders.OpenFile(file.FilePath, Source).Reader!;
            foreach (var _ in reader.ReadRows())
            {
                raw = reader.CurrentRawLine;
            }

            kept = reader.Header;
        }

        Assert.Equal("voice,c-9,2026-11-02T09:15:00+01:00,07700900123,02079460123,42,,", raw);

        using var again = CdrReaders.OpenRow(Source, kept, raw, "usage.csv").Reader!;
        var cdr = Assert.Single(again.ReadRows()).Cdr!;

        Assert.Equal("c-9", cdr.RecordKey);
        Assert.Equal(Instant.FromUtc(2026, 11, 2, 8, 15, 0), cdr.Start);
        Assert.Equal(42, cdr.BillableSeconds);
    }

    [Fact]
    public void OpenRow_ReadsRow_WhenHeaderHasExtraColumns()
    {
        var header = Header + ",roaming";
        var line = "c-1,voice,07700900123,02079460123,2026-11-02T08:15:00Z,10,,cell-1,no";
        using (var file = new TempFile($"{header}\n{line}\n"))
        {
            using var reader = CdrReaders.OpenFile(file.FilePath, Source).Reader!;
            Assert.Equal("cell-1", Assert.Single(reader.ReadRows()).Cdr!.CellId);
            using var again = CdrReaders.OpenRow(Source, reader.Header, line, "usage.csv").Reader!;
            Assert.Equal("cell-1", Assert.Single(again.ReadRows()).Cdr!.CellId);
        }
    }

    [Fact]
    public void ReadRows_ReadsRows_WhenHeaderRepeatsAColumnName()
    {
        var cdr = SingleCdr($"{Header},cell_id\nc-1,voice,07700900123,02079460123,2026-11-02T08:15:00Z,10,,first,second\n");
        Assert.Equal("first", cdr.CellId);
    }

    [Fact]
    public void OpenRow_ReadsRow_WithoutAFile()
    {
        using var reader = CdrReaders.OpenRow(Source, Header, "c-1,sms,+447700900123,+447700900456,2026-11-02T08:15:00Z,,,", "x.csv").Reader!;
        var cdr = Assert.Single(reader.ReadRows()).Cdr!;
        Assert.Equal(ServiceType.Sms, cdr.Service);
        Assert.Equal("+447700900456", cdr.Called);
    }

    /// <summary>A valid canonical row padded in its cell_id to exactly <paramref name="length"/> bytes.</summary>
    private static string RowOfLength(string key, int length)
    {
        var start = $"{key},voice,07700900123,02079460123,2026-11-02T08:15:00Z,10,,";
        return start + new string('c', length - start.Length);
    }

    [Theory]
    [InlineData(65_536, "\n", false)]    // at the limit: read as it is
    [InlineData(65_536, "\r\n", false)]  // the line break does not count
    [InlineData(65_537, "\n", true)]     // one byte over: suspended, cut to the limit
    [InlineData(65_537, "\r\n", true)]
    public void A_record_longer_than_65536_bytes_is_suspended_cut_to_the_limit_and_its_neighbours_are_read(int length, string lineBreak, bool tooLong)
    {
        var rows = Read(string.Join(lineBreak, Header, "c-1,voice,07700900123,02079460123,2026-11-02T08:14:00Z,10,,", RowOfLength("c-2", length), "c-3,voice,07700900123,02079460123,2026-11-02T08:16:00Z,10,,") + lineBreak);

        Assert.Equal(3, rows.Count);
        Assert.Equal(["c-1", tooLong ? null : "c-2", "c-3"], rows.Select(r => r.Reader.Cdr?.RecordKey));
        Assert.Equal([2L, 3L, 4L], rows.Select(r => r.Reader.LineNumber));
        if (tooLong)
        {
            Assert.Equal(SuspenseReasons.RecordTooLong, rows[1].Reader.ProblemCode);
            Assert.Equal(RowOfLength("c-2", length)[..65_536], rows[1].RawLine);
            Assert.Contains($"the record is {length:N0} bytes long", rows[1].Reader.ProblemDetail, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(length - 59, rows[1].Reader.Cdr!.CellId!.Length);
        }
    }

    [Fact]
    public void A_line_of_10_MB_between_two_rows_is_one_suspended_record_and_read_is_3()
    {
        var (manifest, sink) = Mediate($"{Header}\nc-1,voice,07700900123,02079460123,2026-11-02T08:14:00Z,10,,\n{new string('"', 10_000_000)}\nc-3,voice,07700900123,02079460123,2026-11-02T08:16:00Z,10,,\n");

        Assert.Equal((3L, 2L, 1L), (manifest.Read, manifest.Accepted, manifest.Suspended));
        var suspended = Assert.Single(sink.Suspended);
        Assert.Equal((3L, SuspenseReasons.RecordTooLong, 65_536), (suspended.LineNumber, suspended.Reason, suspended.RawLine.Length));
        Assert.Contains("10,000,000 bytes long", suspended.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_long_lines_in_a_row_and_one_at_the_end_without_a_line_break_are_each_suspended_once()
    {
        var rows = Read($"{Header}\n{new string('a', 70_000)}\n{new string('b', 140_000)}\nc-3,voice,07700900123,02079460123,2026-11-02T08:16:00Z,10,,\n{new string('d', 200_000)}");

        Assert.Equal([(2L, SuspenseReasons.RecordTooLong), (3L, SuspenseReasons.RecordTooLong), (4L, null), (5L, SuspenseReasons.RecordTooLong)],
            rows.Select(r => (r.Reader.LineNumber, r.Reader.ProblemCode)));
        Assert.Equal(["70,000", "140,000", "200,000"], rows.Where(r => r.Reader.ProblemCode is not null).Select(r => r.Reader.ProblemDetail!.Split(' ')[3]));
    }

    [Fact]
    public void A_header_longer_than_65536_bytes_rejects_the_file()
    {
        var reason = Rejection(Encoding.UTF8.GetBytes(Header + "," + new string('h', 70_000) + "\nc-1,voice,07700900123,02079460123,2026-11-02T08:14:00Z,10,,\n"));

        Assert.Equal("unreadable header: the first line is longer than 65,536 bytes", reason);
    }
}
