using Billing.Core.Mediation;
using Billing.Core.Usage;
using Billing.Mediation;
using Billing.Mediation.Readers;
using NodaTime;
using Xunit;

namespace Billing.Core.Tests.Readers;

public sealed class AsteriskReaderTests
{
    private static readonly SourceOptions Asterisk = DefaultSources.All.Single(s => s.Format == CdrFormat.Asterisk);

    // accountcode … amaflags (16), uniqueid, userfield (18), peeraccount, linkedid, sequence (21).
    private static string Row(
        int columns = 18,
        string src = "\"1001\"",
        string dst = "\"907700900123\"",
        string clid = "\"\"\"Alice Smith\"\" <1001>\"",
        string start = "\"2026-11-02 08:15:00\"",
        string answer = "\"2026-11-02 08:15:05\"",
        string end = "\"2026-11-02 08:16:40\"",
        string duration = "100",
        string billsec = "95",
        string disposition = "\"ANSWERED\"",
        string uniqueId = "\"1793607300.18\"",
        string sequence = "\"42\"")
    {
        var fields = new List<string>
        {
            "\"\"", src, dst, "\"from-internal\"", clid, "\"PJSIP/1001-00000012\"", "\"PJSIP/trunk-00000013\"", "\"Dial\"",
            "\"PJSIP/07700900123@trunk,60,tT\"", start, answer, end, duration, billsec, disposition, "\"DOCUMENTATION\"",
            uniqueId, "\"\"", "\"\"", "\"1793607300.17\"", sequence,
        };
        return string.Join(',', fields.Take(columns));
    }

    private static SourceOptions Layout(int columns, string zone = "UTC") => Asterisk with { AsteriskColumns = columns, TimeZone = zone };

    [Fact]
    public void Read_MapsAnAnsweredCall_StartingAtAnswerAndBillingBillsec()
    {
        var cdr = ReaderRuns.SingleCdr(Asterisk, Row());

        Assert.Equal("1793607300.18", cdr.RecordKey);
        Assert.Equal(ServiceType.Voice, cdr.Service);
        Assert.Equal("1001", cdr.Calling);
        Assert.Equal("907700900123", cdr.Called);
        Assert.Equal(Instant.FromUtc(2026, 11, 2, 8, 15, 5), cdr.Start);
        Assert.Equal(Instant.FromUtc(2026, 11, 2, 8, 16, 40), cdr.End);
        Assert.Equal(95, cdr.BillableSeconds);
        Assert.True(cdr.Answered);
        Assert.Equal(0, cdr.Priority);
        Assert.Null(cdr.CellId);
    }

    [Theory]
    [InlineData(16, "2026-11-02 08:15:00|PJSIP/1001-00000012|PJSIP/trunk-00000013|1001|907700900123")]
    [InlineData(17, "1793607300.18")]
    [InlineData(18, "1793607300.18")]
    [InlineData(21, "1793607300.18/42")]
    public void Read_KeysTheRecord_ByTheLayoutsIdentity(int columns, string expectedKey)
    {
        var cdr = ReaderRuns.SingleCdr(Layout(columns), Row(columns));

        Assert.Equal(expectedKey, cdr.RecordKey);
        Assert.Equal(95, cdr.BillableSeconds);
        Assert.Equal(Instant.FromUtc(2026, 11, 2, 8, 15, 5), cdr.Start);
    }

    [Theory]
    [InlineData(18, 17)]
    [InlineData(18, 21)]
    [InlineData(16, 17)]
    [InlineData(17, 18)]
    [InlineData(21, 18)]
    [InlineData(18, 9)]
    public void Read_SendsARowToSuspense_WhenItsFieldCountIsNotTheConfiguredLayout(int layout, int rowColumns)
    {
        var line = Row(rowColumns);

        var row = ReaderRuns.Single(Layout(layout), line);

        Assert.Equal(SuspenseReasons.MalformedRow, row.ProblemCode);
        Assert.Equal($"expected {layout} fields, found {rowColumns}", row.ProblemDetail);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(19)]
    [InlineData(20)]
    [InlineData(22)]
    public void Open_RejectsTheFile_WhenTheConfiguredLayoutIsNotAnAsteriskLayout(int columns)
    {
        var rejection = ReaderRuns.Rejection(Layout(columns), Row() + "\n");

        Assert.NotNull(rejection);
        Assert.Contains($"AsteriskColumns = {columns}", rejection, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_RejectsTheFile_WhenTheSourceZoneIsUnknown()
    {
        var rejection = ReaderRuns.Rejection(Layout(18, "Europe/Atlantis"), Row() + "\n");

        Assert.NotNull(rejection);
        Assert.Contains("Europe/Atlantis", rejection, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_KeepsColumnsInPlace_WhenQuotedFieldsHoldDoubledQuotesAndCommas()
    {
        var line = Row(clid: "\"\"\"Test\"\" <13>\"", src: "\"13\"", dst: "\"9,\"\"0\"\"\"");

        var cdr = ReaderRuns.SingleCdr(Asterisk, line);

        Assert.Equal("13", cdr.Calling);
        Assert.Equal("9,\"0\"", cdr.Called);
        Assert.Equal("1793607300.18", cdr.RecordKey);
        Assert.Equal(95, cdr.BillableSeconds);
    }

    [Fact]
    public void Read_MarksACallUnanswered_AndStartsItAtItsStart_WhenTheAnswerFieldIsEmptyAndUnquoted()
    {
        var line = Row(answer: "", duration: "23", billsec: "0", disposition: "\"NO ANSWER\"");

        var cdr = ReaderRuns.SingleCdr(Asterisk, line);

        Assert.False(cdr.Answered);
        Assert.Equal(Instant.FromUtc(2026, 11, 2, 8, 15, 0), cdr.Start);
        Assert.Equal(0, cdr.BillableSeconds);
        Assert.Equal(MediationOutcome.Filter(FilterReasons.Unanswered), new CdrNormaliser(Asterisk, Written.At).Normalise(cdr));
    }

    [Theory]
    [InlineData("ANSWERED", true)]
    [InlineData("NO ANSWER", false)]
    [InlineData("BUSY", false)]
    [InlineData("FAILED", false)]
    [InlineData("CONGESTION", false)]
    public void Read_TakesAnsweredFromTheDisposition_EvenWhenAnAnswerTimeIsLogged(string disposition, bool answered)
    {
        var cdr = ReaderRuns.SingleCdr(Asterisk, Row(disposition: $"\"{disposition}\""));

        Assert.Equal(answered, cdr.Answered);
    }

    [Theory]
    [InlineData("2026-07-01 12:00:00", "2026-07-01 12:01:00", "2026-07-01T11:00:00Z", "2026-07-01T11:01:00Z")]
    [InlineData("2026-12-01 12:00:00", "2026-12-01 12:01:00", "2026-12-01T12:00:00Z", "2026-12-01T12:01:00Z")]
    // Spring gap: 01:30 never happens in London on 29 March; read with the offset before the change.
    [InlineData("2026-03-29 01:30:00", "2026-03-29 03:10:00", "2026-03-29T01:30:00Z", "2026-03-29T02:10:00Z")]
    // Autumn: 01:30 happens twice on 25 October; a start takes the earlier (BST) occurrence.
    [InlineData("2026-10-25 01:30:00", "2026-10-25 01:45:00", "2026-10-25T00:30:00Z", "2026-10-25T00:45:00Z")]
    // An end in the repeated hour that would precede the start is its later (GMT) occurrence.
    [InlineData("2026-10-25 01:50:00", "2026-10-25 01:10:00", "2026-10-25T00:50:00Z", "2026-10-25T01:10:00Z")]
    public void Read_ConvertsLocalTimes_InTheSourceZone(string answer, string end, string expectedStart, string expectedEnd)
    {
        var line = Row(start: $"\"{answer}\"", answer: $"\"{answer}\"", end: $"\"{end}\"");

        var cdr = ReaderRuns.SingleCdr(Layout(18, "Europe/London"), line);

        Assert.Equal(expectedStart, cdr.Start.ToString());
        Assert.Equal(expectedEnd, cdr.End?.ToString());
    }

    [Theory]
    [InlineData("2028-02-29 23:59:58", "2028-02-29 23:59:59", "2028-02-29T23:59:58Z")]
    [InlineData("2026-12-31 23:59:59", "2027-01-01 00:00:00", "2026-12-31T23:59:59Z")]
    [InlineData("2026-01-01 00:00:00", "2026-01-01 00:00:01", "2026-01-01T00:00:00Z")]
    public void Read_ParsesStampsAtCalendarEdges(string answer, string end, string expectedStart)
    {
        var cdr = ReaderRuns.SingleCdr(Asterisk, Row(start: $"\"{answer}\"", answer: $"\"{answer}\"", end: $"\"{end}\"", billsec: "1"));

        Assert.Equal(expectedStart, cdr.Start.ToString());
        Assert.Equal(cdr.Start + Duration.FromSeconds(1), cdr.End);
    }

    [Theory]
    [InlineData("\"2026-13-01 08:00:00\"")]
    [InlineData("\"2026-02-29 08:00:00\"")]
    [InlineData("\"2026-11-02 24:00:00\"")]
    [InlineData("\"2026-11-02T08:15:00\"")]
    [InlineData("\"02/11/2026 08:15\"")]
    [InlineData("\"2026-11-02 08:15\"")]
    [InlineData("")]
    public void Read_SendsARowToSuspense_WhenAStampIsNotALocalDateTime(string stamp)
    {
        var row = ReaderRuns.Single(Asterisk, Row(end: stamp));

        Assert.Equal(SuspenseReasons.BadTimestamp, row.ProblemCode);
        Assert.StartsWith("end '", row.ProblemDetail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("95.5", "100")]
    [InlineData("", "100")]
    [InlineData("\"ninety\"", "100")]
    [InlineData("95", "1e2")]
    public void Read_SendsARowToSuspense_WhenBillsecOrDurationIsNotAnInteger(string billsec, string duration)
    {
        var row = ReaderRuns.Single(Asterisk, Row(billsec: billsec, duration: duration));

        Assert.Equal(SuspenseReasons.MalformedRow, row.ProblemCode);
    }

    [Theory]
    [InlineData(18, "\"\"", "\"42\"")]
    [InlineData(21, "\"1793607300.18\"", "\"\"")]
    public void Read_SendsARowToSuspense_WhenItsKeyIsEmpty(int columns, string uniqueId, string sequence)
    {
        var row = ReaderRuns.Single(Layout(columns), Row(columns, uniqueId: uniqueId, sequence: sequence));

        Assert.Equal(SuspenseReasons.MissingKey, row.ProblemCode);
    }

    [Fact]
    public void Read_KeepsTheRawLineOfASuspendedRow_SoItCanBeReReadAlone()
    {
        var good = Row();
        var bad = Row(columns: 17);

        var rows = ReaderRuns.Read(Asterisk, good + "\r\n" + bad + "\r\n");

        Assert.Equal(2, rows.Count);
        Assert.Equal((2L, SuspenseReasons.MalformedRow), (rows[1].Row.LineNumber, rows[1].Row.ProblemCode));
        Assert.Equal(bad, rows[1].RawLine);
        var reopened = CdrReaders.OpenRow(Layout(17), header: null, rows[1].RawLine, "Master.csv");
        using var reader = reopened.Reader!;
        Assert.Equal("1793607300.18", Assert.Single(reader.ReadRows()).Cdr?.RecordKey);
    }

    [Theory]
    [InlineData("1001", "907700900123", "44207941001", "447700900123")]
    [InlineData("1001", "900331234567890", "44207941001", "331234567890")]
    [InlineData("1002", "902079460100", "44207941002", "442079460100")]
    [InlineData("1001", "2002", "44207941001", "44207942002")]
    public void Mediation_NormalisesExtensionsAndDialStrings_ToE164(string src, string dst, string msisdn, string destination)
    {
        var cdr = ReaderRuns.SingleCdr(Asterisk, Row(src: $"\"{src}\"", dst: $"\"{dst}\""));

        var outcome = new CdrNormaliser(Asterisk, Written.At).Normalise(cdr);

        Assert.Equal(OutcomeKind.Accepted, outcome.Kind);
        Assert.Equal(
            new UsageRecord("1793607300.18", ServiceType.Voice, msisdn, destination, Instant.FromUtc(2026, 11, 2, 8, 15, 5), 95, 0, null),
            outcome.Usage);
    }

    [Theory]
    [InlineData("95", "95", null)]                                       // billsec = duration: a call answered at once
    [InlineData("95", "96", SuspenseReasons.BillableExceedsDuration)]    // one second billed that never happened
    public void Read_SuspendsARow_WhoseBillsecIsMoreThanItsDuration(string duration, string billsec, string? reason)
    {
        var row = ReaderRuns.Single(Asterisk, Row(duration: duration, billsec: billsec));

        Assert.Equal(reason, row.ProblemCode);
    }

    [Theory]
    [InlineData("\"2026-11-02 08:15:00\"", null)]                            // answered as it started
    [InlineData("\"2026-11-02 08:14:59\"", SuspenseReasons.AnswerBeforeStart)] // answered a second before it started
    public void Read_SuspendsARow_AnsweredBeforeItStarted(string answer, string? reason)
    {
        var row = ReaderRuns.Single(Asterisk, Row(answer: answer));

        Assert.Equal(reason, row.ProblemCode);
    }

    [Fact]
    public void Read_TakesAnAnswerInTheRepeatedAutumnHour_AfterAStartInItsFirstPass_AsLater()
    {
        // Europe/London 2026-10-25: 01:00–02:00 happens twice. Started 01:50 BST, answered 01:05 GMT (15 minutes later).
        var london = Layout(18, "Europe/London");

        var cdr = ReaderRuns.SingleCdr(london, Row(start: "\"2026-10-25 01:50:00\"", answer: "\"2026-10-25 01:05:00\"", end: "\"2026-10-25 01:06:35\"", duration: "995", billsec: "95"));

        Assert.Equal(Instant.FromUtc(2026, 10, 25, 1, 5), cdr.Start);
        Assert.Equal(Instant.FromUtc(2026, 10, 25, 1, 6, 35), cdr.End);
    }

    [Fact]
    public void Read_GivesAStampInTheYear9999_West_Of_Greenwich_TheLastInstant_InsteadOfOverflowing()
    {
        var newYork = Layout(18, "America/New_York");
        var stamp = "\"9999-12-31 23:59:59\"";

        var cdr = ReaderRuns.SingleCdr(newYork, Row(start: stamp, answer: stamp, end: stamp, duration: "0", billsec: "0"));

        Assert.Equal(Instant.MaxValue, cdr.Start);
        var outcome = new CdrNormaliser(newYork, Written.At).Normalise(cdr with { BillableSeconds = 60 });
        Assert.Equal(SuspenseReasons.FutureStart, outcome.Reason);
    }
}
