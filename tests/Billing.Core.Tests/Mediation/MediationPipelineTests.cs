using Billing.Core.Mediation;
using Billing.Core.Usage;
using Billing.Mediation;
using Billing.Mediation.Readers;
using NodaTime;

namespace Billing.Core.Tests.Mediation;

public class MediationPipelineTests
{
    private static readonly SourceOptions Source = DefaultSources.All.Single(s => s.Name == "canonical");

    private const string File =
        """
        record_id,service,msisdn,destination,start_time,duration_s,volume_bytes,cell_id
        c-1,voice,07700900123,02079460123,2026-11-02T08:15:00Z,95,,
        c-2,voice,07700900123,02079460123,2026-11-02T08:16:00Z,0,,
        c-3,mms,07700900123,02079460123,2026-11-02T08:17:00Z,,,

        c-4,data,07700900123,,2026-11-02T09:18:00+01:00,,2048,cell-4
        c-5,voice,077OO900123,02079460123,2026-11-02T08:19:00Z,30,,
        c-6,data,07700900123,,2026-11-02T08:20:00Z,,0,
        c-7,sms,07700900123,+447700900456,1999-12-31T23:59:59Z,,,
        c-8,voice,07700900123
        """;

    private static (FileManifest Counts, RecordingSink Sink) Run()
    {
        using var file = new TempFile(File.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        using var reader = CdrReaders.OpenFile(file.FilePath, Source).Reader!;
        var sink = new RecordingSink();
        var counts = MediationPipeline.Run(reader, new CdrNormaliser(Source, Written.At), sink, SuspenseLimits.None).Manifest!;
        return (counts, sink);
    }

    [Fact]
    public void Run_AccountsForEveryRecord_ReadEqualsAcceptedPlusSuspendedPlusFiltered()
    {
        var (counts, sink) = Run();

        Assert.Equal(8, counts.Read);
        Assert.Equal(2, counts.Accepted);
        Assert.Equal(4, counts.Suspended);
        Assert.Equal(2, counts.Filtered);
        Assert.Equal(counts.Read, counts.Accepted + counts.Suspended + counts.Filtered);
        Assert.Equal(counts.Accepted, sink.Accepted.Count);
        Assert.Equal(counts.Suspended, sink.Suspended.Count);
        Assert.Equal(
            new Dictionary<string, long> { ["unknown-service"] = 1, ["bad-number"] = 1, ["bad-timestamp"] = 1, ["malformed-row"] = 1 },
            counts.SuspendedByReason);
        Assert.Equal(new Dictionary<string, long> { ["unanswered"] = 1, ["zero-volume"] = 1 }, counts.FilteredByReason);
    }

    [Fact]
    public void Run_GivesSuspendedRowsTheirRawLineAndLineNumber()
    {
        var (_, sink) = Run();

        Assert.Equal(
            [
                (4L, "c-3,mms,07700900123,02079460123,2026-11-02T08:17:00Z,,,", "unknown-service"),
                (7L, "c-5,voice,077OO900123,02079460123,2026-11-02T08:19:00Z,30,,", "bad-number"),
                (9L, "c-7,sms,07700900123,+447700900456,1999-12-31T23:59:59Z,,,", "bad-timestamp"),
                (10L, "c-8,voice,07700900123", "malformed-row"),
            ],
            sink.Suspended.Select(s => (s.LineNumber, s.RawLine, s.Reason)));
        Assert.All(sink.Suspended, s => Assert.False(string.IsNullOrWhiteSpace(s.Detail)));
    }

    [Fact]
    public void Run_PassesAcceptedUsageWithLineNumbers_InFileOrder()
    {
        var (_, sink) = Run();

        Assert.Equal(
            [
                (new UsageRecord("c-1", ServiceType.Voice, "447700900123", "442079460123", Instant.FromUtc(2026, 11, 2, 8, 15), 95, 0, null), 2L, 0),
                (new UsageRecord("c-4", ServiceType.Data, "447700900123", null, Instant.FromUtc(2026, 11, 2, 8, 18), 0, 2048, "cell-4"), 6L, 0),
            ],
            sink.Accepted);
    }

    [Theory]
    [InlineData(4, true)]   // the file's 4 rows to suspend fit
    [InlineData(3, false)]  // the 4th is one too many: the file is rejected, the sink told nothing more
    public void A_file_with_more_rows_to_suspend_than_the_limit_is_rejected(long maxRows, bool read)
    {
        using var file = new TempFile(File.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        using var reader = CdrReaders.OpenFile(file.FilePath, Source).Reader!;
        var sink = new RecordingSink();

        var run = MediationPipeline.Run(reader, new CdrNormaliser(Source, Written.At), sink, new SuspenseLimits(maxRows, long.MaxValue));

        Assert.Equal(read, run.Manifest is not null);
        Assert.Equal(read ? null : "more than 3 rows to suspend (mediation.maxSuspendedRowsPerFile): rejected whole, nothing of it stored", run.Rejection);
        Assert.Equal(read ? 4 : 3, sink.Suspended.Count);
    }

    [Theory]
    [InlineData(369, true)]   // raw text and detail of the 4 suspended rows: exactly 369 bytes
    [InlineData(368, false)]
    public void A_file_whose_rows_to_suspend_hold_more_bytes_than_the_limit_is_rejected(long maxBytes, bool read)
    {
        using var file = new TempFile(File.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        using var reader = CdrReaders.OpenFile(file.FilePath, Source).Reader!;

        var run = MediationPipeline.Run(reader, new CdrNormaliser(Source, Written.At), new RecordingSink(), new SuspenseLimits(long.MaxValue, maxBytes));

        Assert.Equal(read, run.Rejection is null);
    }
}
