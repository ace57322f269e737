using Billing.Core.Mediation;
using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Mediation;
using Billing.Mediation;
using Billing.Storage;
using Dapper;
using NodaTime;
using NodaTime.Testing;

namespace Billing.Integration.Tests.Mediation;

public sealed class SuspenseTests(DatabaseFixture fx) : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    /// <summary>A PBX source whose extensions were not configured yet: extension calls go to suspense.</summary>
    private MediationOptions Options(bool extensionsConfigured)
    {
        var plan = DefaultSources.PbxPlan with { ExtensionPrefix = extensionsConfigured ? "4420794" : "" };
        var asterisk = new SourceOptions { Name = "pbx-" + _tmp.Path[^6..], Format = CdrFormat.Asterisk, Numbering = plan };
        return Drops.Options(_tmp.Path) with { Sources = [asterisk] };
    }

    private static string AsteriskRow(int i, string src) =>
        $"\"\",\"{src}\",\"907700900{i:000}\",\"from-internal\",\"\"\"Desk\"\" <{src}>\",\"SIP/{src}-0000{i:000}\",\"SIP/trunk-0000{i:000}\",\"Dial\",\"SIP/trunk/07700900{i:000}\",\"2026-11-02 09:{i % 60:00}:00\",\"2026-11-02 09:{i % 60:00}:05\",\"2026-11-02 09:{i % 60:00}:35\",35,30,\"ANSWERED\",\"DOCUMENTATION\",\"1793610{i:000}.{i}\",\"\"\n";

    [Fact]
    public void Recycle_TurnsSuspendedRowsIntoUsage_AfterTheConfigurationIsFixed_AndNeverTwice()
    {
        var before = Options(extensionsConfigured: false);
        var source = before.Sources[0].Name;
        Drops.Put(_tmp.Path, source, "Master.csv", AsteriskRow(1, "1001") + AsteriskRow(2, "1002") + AsteriskRow(3, "+442079460999"));
        var ingest = new IngestDropFolderJob(fx.Db, before, new FakeClock(Instant.FromUtc(2026, 11, 26, 0, 0))).IngestAll();
        Assert.Equal((3L, 1L, 2L), (ingest[0].Manifest.Read, ingest[0].Manifest.Accepted, ingest[0].Manifest.Suspended));
        Assert.Equal(2L, ingest[0].Manifest.SuspendedByReason[SuspenseReasons.BadNumber]);

        var unchanged = new RecycleSuspenseJob(fx.Db, before).Run(source: source);
        var fixedConfig = new RecycleSuspenseJob(fx.Db, Options(extensionsConfigured: true)).Run(source: source);
        var again = new RecycleSuspenseJob(fx.Db, Options(extensionsConfigured: true)).Run(source: source);

        Assert.Equal(new RecycleResult(2, 0, 0, 0, 2, 0), unchanged);
        Assert.Equal(new RecycleResult(2, 2, 0, 0, 0, 0), fixedConfig);
        Assert.Equal(new RecycleResult(0, 0, 0, 0, 0, 0), again);
        using var c = fx.Db.Open();
        Assert.Equal(["44207941001", "44207941002", "442079460999"],
            c.Query<string>("SELECT msisdn FROM usage WHERE source = @source ORDER BY msisdn", new { source }));
        Assert.Equal(2, c.ExecuteScalar<int>("SELECT count(*) FROM suspense WHERE source = @source AND status = 'recycled' AND usage_id IS NOT NULL AND attempts = 3", new { source }));
    }

    [Fact]
    public void A_call_to_999_is_filtered_at_ingest_and_one_an_earlier_configuration_suspended_is_closed_as_filtered_by_a_recycle()
    {
        var source = "pbx-" + _tmp.Path[^6..];
        MediationOptions With(NumberingPlan plan) =>
            Drops.Options(_tmp.Path) with { Sources = [new SourceOptions { Name = source, Format = CdrFormat.Asterisk, Numbering = plan }] };
        var clock = new FakeClock(Instant.FromUtc(2026, 11, 26, 0, 0));
        var now = With(DefaultSources.PbxPlan);
        // Before: no service numbers and no extension prefix yet, so the call from extension 1001 went to suspense.
        var before = With(DefaultSources.PbxPlan with { ExtensionPrefix = "", ServiceNumbers = [] });
        Drops.Put(_tmp.Path, source, "Master.csv", AsteriskRow(1, "1001").Replace("\"907700900001\"", "\"999\"", StringComparison.Ordinal));
        var suspended = new IngestDropFolderJob(fx.Db, before, clock).IngestAll();
        Drops.Put(_tmp.Path, source, "Master2.csv", AsteriskRow(2, "1002").Replace("\"907700900002\"", "\"9112\"", StringComparison.Ordinal));
        var filtered = new IngestDropFolderJob(fx.Db, now, clock).IngestAll();

        var recycled = new RecycleSuspenseJob(fx.Db, now).Run(source: source);

        Assert.Equal(1L, suspended[0].Manifest.Suspended);
        Assert.Equal((1L, 0L, 0L), (filtered[0].Manifest.FilteredByReason[FilterReasons.ServiceNumber], filtered[0].Manifest.Accepted, filtered[0].Manifest.Suspended));
        Assert.Equal(new RecycleResult(1, 0, 0, 1, 0, 0), recycled);
        using var c = fx.Db.Open();
        Assert.Equal(0, c.ExecuteScalar<int>("SELECT count(*) FROM usage WHERE source = @source", new { source }));
        Assert.Equal(("recycled", "filtered: service-number"), c.QuerySingle<(string, string)>("SELECT status, resolution FROM suspense WHERE source = @source", new { source }));
    }

    [Fact]
    public void Recycle_CountsADuplicate_WhenTheRecordArrivedMeanwhileInAnotherFile()
    {
        var before = Options(extensionsConfigured: false);
        var source = before.Sources[0].Name;
        var folder = new IngestDropFolderJob(fx.Db, before, new FakeClock(Instant.FromUtc(2026, 11, 26, 0, 0)));
        Drops.Put(_tmp.Path, source, "a.csv", AsteriskRow(7, "1007"));
        folder.IngestAll();
        var after = Options(extensionsConfigured: true);
        Drops.Put(_tmp.Path, source, "b.csv", AsteriskRow(7, "1007") + AsteriskRow(8, "1008")); // a later rotation
        var second = new IngestDropFolderJob(fx.Db, after, new FakeClock(Instant.FromUtc(2026, 11, 26, 0, 0))).IngestAll();
        Assert.Equal(2L, second[0].Manifest.Accepted);

        var result = new RecycleSuspenseJob(fx.Db, after).Run(source: source);

        Assert.Equal(new RecycleResult(1, 0, 1, 0, 0, 0), result);
        using var c = fx.Db.Open();
        Assert.Equal(2, c.ExecuteScalar<int>("SELECT count(*) FROM usage WHERE source = @source", new { source }));
    }

    [Fact]
    public void A_FreeSWITCH_a_leg_recycled_after_its_b_leg_was_stored_bills_the_call_from_the_a_leg_once()
    {
        const string aLeg = "5b7e0c1a-0001-4c2e-9f3a-a1e900000071", bLeg = "5b7e0c1a-0002-4c2e-9f3a-b1e900000072";
        static string Row(string caller, string destination, string uuid, string bleg) =>
            string.Join(',', new[] { "Alice", caller, destination, "default", "2026-11-02 09:00:00", "2026-11-02 09:00:07", "2026-11-02 09:02:07", "127", "120", "NORMAL_CLEARING", uuid, bleg, "", "PCMA", "PCMA" }
                .Select(v => "\"" + v + "\"")) + "\n";
        MediationOptions FreeSwitch(bool extensionsConfigured) => Drops.Options(_tmp.Path) with
        {
            Sources = [new SourceOptions
            {
                Name = "fs-" + _tmp.Path[^6..], Format = CdrFormat.FreeSwitch, FreeSwitchTemplate = FreeSwitchTemplate.Example,
                Numbering = DefaultSources.PbxPlan with { ExtensionPrefix = extensionsConfigured ? "4420794" : "" },
            }],
        };
        var before = FreeSwitch(extensionsConfigured: false);
        var source = before.Sources[0].Name;
        // The b-leg presents the company's number to the carrier (stored); the a-leg, the extension that called, waits in suspense.
        Drops.Put(_tmp.Path, source, "fs.csv", Row("02079460000", "07700900123", bLeg, "") + Row("1001", "907700900123", aLeg, bLeg));
        var ingest = new IngestDropFolderJob(fx.Db, before, new FakeClock(Instant.FromUtc(2026, 11, 26, 0, 0))).IngestAll();
        Assert.Equal((2L, 1L, 1L), (ingest[0].Manifest.Read, ingest[0].Manifest.Accepted, ingest[0].Manifest.Suspended));

        var result = new RecycleSuspenseJob(fx.Db, FreeSwitch(extensionsConfigured: true)).Run(source: source);

        Assert.Equal(new RecycleResult(1, 0, 1, 0, 0, 0), result);
        using var c = fx.Db.Open();
        Assert.Equal([("44207941001", "447700900123", 120L)],
            c.Query<(string, string, long)>("SELECT msisdn, destination, duration_s FROM usage WHERE source = @source", new { source }));
    }

    [Fact]
    public void Recycle_leaves_rows_whose_stored_text_is_not_the_files_bytes_in_suspense_so_keys_caf_e9_and_caf_e8_do_not_become_one_record()
    {
        // Suspended as bad-encoding (two Latin-1 keys), nul-byte and record-too-long: the raw line kept is
        // the file's text with U+FFFD for the bytes it could not hold, or its first 64 KiB only.
        var options = Drops.Options(_tmp.Path) with { Sources = [new SourceOptions { Name = "canon-" + _tmp.Path[^6..], Format = CdrFormat.Canonical }] };
        var source = options.Sources[0].Name;
        var content = Drops.CanonicalHeader + "\n"
            + "caf\u00E9,voice,07700900123,02079460001,2026-11-02T10:01:00Z,60,,\n"
            + "caf\u00E8,voice,07700900123,02079460002,2026-11-02T10:05:00Z,120,,\n"
            + "n\0ul,voice,07700900123,02079460003,2026-11-02T10:07:00Z,30,,\n"
            + $"long,voice,07700900123,02079460004,2026-11-02T10:08:00Z,40,,{new string('c', 70_000)}\n"
            + "fine,voice,07700900123,02079460005,2026-11-02T10:09:00Z,50,,\n";
        Drops.PutBytes(_tmp.Path, source, "latin1.csv", System.Text.Encoding.Latin1.GetBytes(content));
        var ingest = Assert.Single(new IngestDropFolderJob(fx.Db, options, new FakeClock(Instant.FromUtc(2026, 11, 26, 0, 0))).IngestAll());
        Assert.Equal((5L, 1L, 4L), (ingest.Manifest.Read, ingest.Manifest.Accepted, ingest.Manifest.Suspended));

        var result = new RecycleSuspenseJob(fx.Db, options).Run(source: source);

        Assert.Equal(new RecycleResult(4, 0, 0, 0, 4, 0), result);
        using var c = fx.Db.Open();
        Assert.Equal(["fine"], c.Query<string>("SELECT record_key FROM usage WHERE source = @source", new { source }));
        Assert.Equal([("bad-encoding", "open"), ("bad-encoding", "open"), ("nul-byte", "open"), ("record-too-long", "open")],
            c.Query<(string, string)>("SELECT reason, status FROM suspense WHERE source = @source ORDER BY line_no", new { source }));
    }

    [Fact]
    public void WriteOff_ClosesOnlyTheChosenReason_WithAnAuditEntry()
    {
        var options = Options(extensionsConfigured: false);
        var source = options.Sources[0].Name;
        Drops.Put(_tmp.Path, source, "w.csv", AsteriskRow(11, "1011") + AsteriskRow(12, "1012") + "\"short\",\"row\"\n");
        new IngestDropFolderJob(fx.Db, options, new FakeClock(Instant.FromUtc(2026, 11, 26, 0, 0))).IngestAll();
        using var c = fx.Db.Open();

        var count = SuspenseStore.WriteOff(c, SuspenseReasons.MalformedRow, source, "alice", "test export line, not a call");

        Assert.Equal(1, count);
        Assert.Equal([("bad-number", "open"), ("bad-number", "open"), ("malformed-row", "written-off")],
            c.Query<(string, string)>("SELECT reason, status FROM suspense WHERE source = @source ORDER BY reason, id", new { source }));
        var audit = c.QuerySingle<(string Actor, string Action, string Detail)>(
            "SELECT actor, action, detail::text FROM audit_log WHERE detail->>'source' = @source", new { source });
        Assert.Equal(("alice", "suspense.write-off"), (audit.Actor, audit.Action));
        Assert.Contains("\"count\": 1", audit.Detail, StringComparison.Ordinal);
        Assert.Contains("test export line, not a call", audit.Detail, StringComparison.Ordinal);
    }
}
