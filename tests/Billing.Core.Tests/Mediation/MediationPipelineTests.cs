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
        var counts = MediationPipeline.Run(reader, new CdrNormaliser(Source, Written.At), sink).Manifest!;
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
}
