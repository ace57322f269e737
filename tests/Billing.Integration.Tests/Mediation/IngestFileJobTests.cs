using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Mediation;
using Billing.Mediation;
using Billing.Storage;
using Billing.Storage.Rating;
using Dapper;
using NodaTime;
using NodaTime.Testing;

namespace Billing.Integration.Tests.Mediation;

public sealed class IngestFileJobTests(DatabaseFixture fx) : IClassFixture<DatabaseFixture>, IDisposable
{
    private static readonly string[] RangeFiles = ["range-a.csv", "range-b.csv", "range-c.csv"];
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private IngestDropFolderJob Folder(MediationOptions? options = null, IClock? clock = null) =>
        new(fx.Db, options ?? Drops.Options(_tmp.Path), clock ?? new FakeClock(Instant.FromUtc(2026, 11, 26, 12, 0)));

    private long Count(string sql, object? args = null)
    {
        using var c = fx.Db.Open();
        return c.ExecuteScalar<long>(sql, args);
    }

    [Fact]
    public void Ingest_StoresEachRecordOnce_WhenTheSameRecordsArriveInTwoFiles()
    {
        var source = "canonical";
        Drops.Put(_tmp.Path, source, "dedupe-a.csv", Drops.Canonical(10_000, 100));
        Drops.Put(_tmp.Path, source, "dedupe-b.csv", Drops.Canonical(10_050, 100)); // 50 overlap with a

        var outcomes = Folder().IngestAll();

        Assert.Equal(["archived", "archived"], outcomes.Select(o => o.Status));
        Assert.Equal((100L, 100L, 0L), (outcomes[0].Manifest.Read, outcomes[0].Manifest.Accepted, outcomes[0].Manifest.Duplicates));
        Assert.Equal((100L, 50L, 50L), (outcomes[1].Manifest.Read, outcomes[1].Manifest.Accepted, outcomes[1].Manifest.Duplicates));
        Assert.Equal(150, Count("SELECT count(*) FROM usage WHERE record_key BETWEEN 'r10000' AND 'r10149'"));
    }

    [Fact]
    public void The_usage_id_range_of_a_file_holds_every_row_it_stored_and_none_of_the_file_ingested_before_or_after_it()
    {
        // b repeats 50 records of a, so it is written the staged way (the direct COPY meets a unique violation).
        Drops.Put(_tmp.Path, "canonical", "range-a.csv", Drops.Canonical(600_000, 100));
        Drops.Put(_tmp.Path, "canonical", "range-b.csv", Drops.Canonical(600_050, 100));
        Drops.Put(_tmp.Path, "canonical", "range-c.csv", Drops.Canonical(600_150, 100));

        var outcomes = Folder().IngestAll();

        Assert.Equal(["archived", "archived", "archived"], outcomes.Select(o => o.Status));
        Assert.Equal([100L, 50L, 100L], outcomes.Select(o => o.Manifest.Accepted));
        using var c = fx.Db.Open();
        foreach (var (name, fileId) in RangeFiles.Zip(outcomes.Select(o => o.FileId!.Value)))
        {
            var (min, max) = UsageToRateStore.UsageIdRangeOfFile(c, "canonical", name);
            var inside = c.QuerySingle<(long Own, long Others)>(
                "SELECT count(*) FILTER (WHERE file_id = @fileId), count(*) FILTER (WHERE file_id <> @fileId) FROM usage WHERE id BETWEEN @min AND @max",
                new { fileId, min, max });
            Assert.Equal((Count("SELECT count(*) FROM usage WHERE file_id = @fileId", new { fileId }), 0L), inside);
        }
    }

    [Fact]
    public void Ingest_CountsDuplicates_WhenARecordRepeatsWithinOneFile()
    {
        var content = Drops.Canonical(20_000, 3) + "r20001,voice,07700900123,02079460001,2026-11-02T08:00:01Z,9,,\n";
        Drops.Put(_tmp.Path, "canonical", "repeat.csv", content);

        var o = Assert.Single(Folder().IngestAll());

        Assert.Equal((4L, 3L, 1L), (o.Manifest.Read, o.Manifest.Accepted, o.Manifest.Duplicates));
        // the first occurrence is the one kept
        Assert.Equal(202, Count("SELECT duration_s FROM usage WHERE source = 'canonical' AND record_key = 'r20001'"));
    }

    [Fact]
    public void A_FreeSWITCH_call_whose_b_leg_arrives_in_a_file_before_its_a_leg_is_billed_from_its_a_leg()
    {
        const string aLeg = "5b7e0c1a-0001-4c2e-9f3a-a1e900000001", bLeg = "5b7e0c1a-0002-4c2e-9f3a-b1e900000002";
        static string Row(string caller, string destination, string uuid, string bleg) =>
            string.Join(',', new[] { "Alice", caller, destination, "default", "2026-11-02 09:00:00", "2026-11-02 09:00:07", "2026-11-02 09:02:07", "127", "120", "NORMAL_CLEARING", uuid, bleg, "", "PCMA", "PCMA" }
                .Select(v => "\"" + v + "\""));
        // The b-leg presents the company's number to the carrier; the a-leg is the extension that called.
        Drops.Put(_tmp.Path, "freeswitch", "fs-1.csv", Row("02079460000", "07700900123", bLeg, "") + "\n");
        Drops.Put(_tmp.Path, "freeswitch", "fs-2.csv", Row("1001", "907700900123", aLeg, bLeg) + "\n");

        var outcomes = Folder().IngestAll();

        Assert.Equal(["archived", "archived"], outcomes.Select(o => o.Status));
        using var c = fx.Db.Open();
        Assert.Equal([("44207941001", "447700900123", 120L)],
            c.Query<(string, string, long)>("SELECT msisdn, destination, duration_s FROM usage WHERE source = 'freeswitch' AND record_key = @bLeg", new { bLeg }));
    }

    [Fact]
    public void Ingest_IsANoOpWithAClearMessage_WhenTheSameFileIsDroppedAgain()
    {
        var content = Drops.Canonical(30_000, 20);
        Drops.Put(_tmp.Path, "canonical", "again.csv", content);
        var first = Assert.Single(Folder().IngestAll());
        Drops.Put(_tmp.Path, "canonical", "again-copy.csv", content);

        var second = Assert.Single(Folder().IngestAll());

        Assert.Equal("archived", first.Status);
        Assert.Equal("already-processed", second.Status);
        Assert.Contains($"file #{first.FileId} (again.csv)", second.Reason, StringComparison.Ordinal);
        Assert.Equal(20, Count("SELECT count(*) FROM usage WHERE record_key BETWEEN 'r30000' AND 'r30019'"));
        Assert.False(File.Exists(Path.Combine(_tmp.Path, "incoming", "canonical", "again-copy.csv")));
        Assert.True(File.Exists(Path.Combine(_tmp.Path, "archive", "canonical", "again-copy.csv")));
    }

    [Fact]
    public void Ingest_StoresAManifestThatReconciles_ForAFileWithEveryOutcome()
    {
        var content = Drops.CanonicalHeader + "\n" +
            "m1,voice,07700900123,02079460001,2026-11-02T08:00:00Z,60,,\n" +     // accepted
            "m2,voice,07700900123,02079460002,2026-11-02T08:00:00Z,0,,\n" +      // filtered: unanswered
            "m3,fax,07700900123,02079460003,2026-11-02T08:00:00Z,60,,\n" +       // suspended: unknown-service
            "m4,voice,07700900123,02079460004,yesterday,60,,\n" +                // suspended: bad-timestamp
            "m1,voice,07700900123,02079460001,2026-11-02T08:00:00Z,60,,\n" +     // duplicate
            "m5,data,07700900123,,2026-11-02T08:00:00Z,,2048,cell-9\n";           // accepted
        Drops.Put(_tmp.Path, "canonical", "mixed.csv", content);

        var o = Assert.Single(Folder().IngestAll());

        Assert.Equal((6L, 2L, 2L, 1L, 1L), (o.Manifest.Read, o.Manifest.Accepted, o.Manifest.Suspended, o.Manifest.Duplicates, o.Manifest.Filtered));
        using var c = fx.Db.Open();
        var row = CdrFileStore.Get(c, o.FileId!.Value)!;
        Assert.Equal(("archived", 6L, 2L, 2L, 1L, 1L), (row.Status, row.Manifest.Read, row.Manifest.Accepted, row.Manifest.Suspended, row.Manifest.Duplicates, row.Manifest.Filtered));
        Assert.Equal([("unknown-service", 1L), ("bad-timestamp", 1L)], row.Manifest.SuspendedByReason.Select(r => (r.Key, r.Value)).OrderByDescending(r => r.Key, StringComparer.Ordinal));
        Assert.Equal([("unanswered", 1L)], row.Manifest.FilteredByReason.Select(r => (r.Key, r.Value)));
        var suspense = c.Query<(long Line, string Reason, string Raw)>(
            "SELECT line_no, reason, raw_line FROM suspense WHERE file_id = @id ORDER BY line_no", new { id = o.FileId }).AsList();
        Assert.Equal(
            [(4L, "unknown-service", "m3,fax,07700900123,02079460003,2026-11-02T08:00:00Z,60,,"), (5L, "bad-timestamp", "m4,voice,07700900123,02079460004,yesterday,60,,")],
            suspense);
        var manifest = File.ReadAllText(Path.Combine(_tmp.Path, "archive", "canonical", "mixed.csv.manifest.json"));
        Assert.Contains("\"read\": 6", manifest, StringComparison.Ordinal);
    }

    [Fact]
    public void Ingest_RejectsBadFilesWithAReason_AndStillProcessesTheOthers()
    {
        Drops.Put(_tmp.Path, "canonical", "1-good.csv", Drops.Canonical(40_000, 5));
        Drops.Put(_tmp.Path, "canonical", "2-empty.csv", "");
        Drops.PutBytes(_tmp.Path, "canonical", "3-binary.csv", [0x50, 0x4B, 0x03, 0x04, 0x00, 0x00, 0x01]);
        Drops.Put(_tmp.Path, "canonical", "4-noheader.csv", "this is not,a cdr file\nat all,really\n");
        Drops.Put(_tmp.Path, "canonical", "5-good.csv", Drops.Canonical(40_100, 5));

        var outcomes = Folder().IngestAll();

        Assert.Equal(["archived", "rejected", "rejected", "rejected", "archived"], outcomes.Select(o => o.Status));
        Assert.Contains("empty file", outcomes[1].Reason, StringComparison.Ordinal);
        Assert.Contains("binary", outcomes[2].Reason, StringComparison.Ordinal);
        Assert.Contains("not a canonical CDR file", outcomes[3].Reason, StringComparison.Ordinal);
        Assert.Equal(outcomes[3].Reason + Environment.NewLine, File.ReadAllText(Path.Combine(_tmp.Path, "rejected", "canonical", "4-noheader.csv.reason")));
        Assert.Equal(10, Count("SELECT count(*) FROM usage WHERE record_key LIKE 'r401%' OR record_key LIKE 'r4000%'"));
    }

    [Fact]
    public void A_record_id_of_3000_characters_is_suspended_as_record_key_too_long_and_its_other_rows_and_the_next_file_are_stored()
    {
        // Random letters: PostgreSQL cannot compress them below its index row limit of 2,704 bytes.
        var random = new Random(3000);
        var longKey = new string([.. Enumerable.Range(0, 3000).Select(_ => (char)('a' + random.Next(26)))]);
        Drops.Put(_tmp.Path, "canonical", "1-long-key.csv", Drops.CanonicalHeader + "\n" +
            "k1,voice,07700900123,02079460001,2026-11-02T08:00:00Z,60,,\n" +
            longKey + ",voice,07700900123,02079460002,2026-11-02T08:01:00Z,61,,\n" +
            "k3,voice,07700900123,02079460003,2026-11-02T08:02:00Z,62,,\n");
        Drops.Put(_tmp.Path, "canonical", "2-next.csv", Drops.Canonical(45_000, 2));

        var outcomes = Folder().IngestAll();

        Assert.Equal([("archived", 3L, 2L, 1L), ("archived", 2L, 2L, 0L)],
            outcomes.Select(o => (o.Status, o.Manifest.Read, o.Manifest.Accepted, o.Manifest.Suspended)));
        Assert.Equal([("1-long-key.csv", 3L, "record-key-too-long", "the record key is 3,000 bytes long, above the limit of 1,024")],
            Suspended(outcomes[0].FileId!.Value));
        Assert.Equal(4, Count("SELECT count(*) FROM usage WHERE record_key IN ('k1', 'k3', 'r45000', 'r45001')"));
    }

    private IEnumerable<(string File, long Line, string Reason, string Detail)> Suspended(long fileId)
    {
        using var c = fx.Db.Open();
        return c.Query<(string, long, string, string)>(
            "SELECT f.file_name, s.line_no, s.reason, s.detail FROM suspense s JOIN cdr_files f ON f.id = s.file_id WHERE s.file_id = @fileId ORDER BY s.line_no",
            new { fileId }).AsList();
    }

    [Fact]
    public void A_file_whose_every_row_is_not_UTF_8_is_rejected_with_bad_encoding_named_in_its_reason()
    {
        // An Asterisk or a switch writing Latin-1: every row carries a caller's name such as "José".
        Drops.PutBytes(_tmp.Path, "canonical", "latin1.csv", System.Text.Encoding.Latin1.GetBytes(Drops.CanonicalHeader + "\n" +
            "j1,voice,07700900123,02079460001,2026-11-02T08:00:00Z,60,,Jos\u00E9\n" +
            "j2,voice,07700900123,02079460002,2026-11-02T08:01:00Z,61,,Jos\u00E9\n"));

        var o = Assert.Single(Folder().IngestAll());

        Assert.Equal(("rejected", "no row could be read as canonical: all 2 rows are unreadable (bad-encoding 2): is this file in the right source folder, and is it UTF-8?"),
            (o.Status, o.Reason));
    }

    [Fact]
    public void Ingest_RejectsAnOversizedFile()
    {
        Drops.Put(_tmp.Path, "canonical", "big.csv", Drops.Canonical(50_000, 50));

        var o = Assert.Single(Folder(Drops.Options(_tmp.Path) with { MaxFileBytes = 1000 }).IngestAll());

        Assert.Equal("rejected", o.Status);
        Assert.StartsWith("oversized file", o.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Ingest_LeavesFilesThatAreStillBeingWrittenAlone()
    {
        var now = Instant.FromUtc(2026, 11, 26, 12, 0);
        var fresh = Drops.Put(_tmp.Path, "canonical", "fresh.csv", Drops.Canonical(60_000, 5));
        File.SetLastWriteTimeUtc(fresh, now.Minus(Duration.FromSeconds(2)).ToDateTimeUtc());
        Drops.Put(_tmp.Path, "cucm", "_cdr_still_writing", "partial");
        Drops.Put(_tmp.Path, "nosuchsource", "x.csv", Drops.Canonical(60_100, 1));

        var outcomes = Folder(Drops.Options(_tmp.Path, settleSeconds: 5), new FakeClock(now)).IngestAll();

        Assert.Equal([("skipped", "fresh.csv"), ("skipped", "x.csv")], outcomes.Select(o => (o.Status, o.File)));
        Assert.Contains("still being written", outcomes[0].Reason, StringComparison.Ordinal);
        Assert.Contains("no source named 'nosuchsource'", outcomes[1].Reason, StringComparison.Ordinal);
        Assert.True(File.Exists(fresh));
        Assert.True(File.Exists(Path.Combine(_tmp.Path, "incoming", "cucm", "_cdr_still_writing")));
    }

    [Fact]
    public void An_unexpected_error_while_ingesting_a_file_fails_that_file_with_its_reason_stores_nothing_and_leaves_it_in_incoming_for_the_next_run()
    {
        // The fault is injected (a clock that throws, read while the file is being ingested): bad input is suspended or
        // rejected with its own reason, and this stands for a bug of ours that some file's content would meet.
        Drops.Put(_tmp.Path, "canonical", "unlucky.csv", Drops.Canonical(810_000, 30));

        var failed = new IngestFileJob(fx.Db, Drops.Options(_tmp.Path), new ThrowingClock()).Ingest("canonical", "unlucky.csv");

        Assert.Equal(("failed", true), (failed.Status, failed.Reason!.StartsWith("unexpected error (InvalidOperationException: the clock is broken)", StringComparison.Ordinal)));
        Assert.True(File.Exists(Path.Combine(_tmp.Path, "incoming", "canonical", "unlucky.csv")));
        var keys = new { keys = Enumerable.Range(810_000, 30).Select(i => $"r{i}").ToArray() };
        Assert.Equal((0L, 0L), (Count("SELECT count(*) FROM usage WHERE record_key = ANY(@keys)", keys),
            Count("SELECT count(*) FROM cdr_files WHERE file_name = 'unlucky.csv'")));

        var again = Folder().IngestAll();

        Assert.Equal([("unlucky.csv", "archived", 30L)], again.Select(o => (o.File, o.Status, o.Manifest.Accepted)));
    }

    [Fact]
    public void A_file_written_to_while_it_is_read_is_skipped_as_still_being_written_keeping_nothing_and_the_next_run_takes_all_of_it()
    {
        // The writer appends ten more records between the first look at the file and its read (when the job asks the time):
        // a writer that paused longer than the settle time. What was looked at is not what is there; moved now, any later
        // write would land in archive/ unread.
        var path = Drops.Put(_tmp.Path, "canonical", "growing.csv", Drops.Canonical(820_000, 30));
        var appending = new AppendingClock(() => File.AppendAllText(path, Drops.Canonical(820_030, 10).Split('\n', 2)[1]));

        var first = new IngestFileJob(fx.Db, Drops.Options(_tmp.Path), appending).Ingest("canonical", "growing.csv");

        Assert.Equal("skipped", first.Status);
        Assert.StartsWith("still being written: it changed while it was read (", first.Reason, StringComparison.Ordinal);
        Assert.True(File.Exists(path));
        var keys = new { keys = Enumerable.Range(820_000, 40).Select(i => $"r{i}").ToArray() };
        Assert.Equal((0L, 0L), (Count("SELECT count(*) FROM usage WHERE record_key = ANY(@keys)", keys),
            Count("SELECT count(*) FROM cdr_files WHERE file_name = 'growing.csv'")));

        File.SetLastWriteTimeUtc(path, Drops.WrittenAt); // the writer done long since
        var again = Folder().IngestAll();

        Assert.Equal([("growing.csv", "archived", 40L)], again.Select(o => (o.File, o.Status, o.Manifest.Accepted)));
        Assert.Equal(40L, Count("SELECT count(*) FROM usage WHERE record_key = ANY(@keys)", keys));
    }

    /// <summary>Appends to the file the first time the job asks the time (after it first looked at the file, before it reads it).</summary>
    private sealed class AppendingClock(Action append) : IClock
    {
        private bool _appended;

        public Instant GetCurrentInstant()
        {
            if (!_appended)
            {
                _appended = true;
                append();
            }

            return Instant.FromUtc(2026, 11, 26, 12, 0);
        }
    }

    private sealed class ThrowingClock : IClock
    {
        public Instant GetCurrentInstant() => throw new InvalidOperationException("the clock is broken");
    }

    [Fact]
    public async Task Ingest_ProcessesAFileOnce_WhenTwoWorkersTakeItAtTheSameTime()
    {
        // Two workers with their own drop folders receive the same file (same source, same bytes).
        var content = Drops.Canonical(70_000, 20_000);
        using var other = new TempDir();
        Drops.Put(_tmp.Path, "canonical", "race.csv", content);
        Drops.Put(other.Path, "canonical", "race.csv", content);

        var a = Task.Run(() => new IngestFileJob(fx.Db, Drops.Options(_tmp.Path), new FakeClock(Instant.FromUtc(2026, 11, 26, 12, 0))).Ingest("canonical", "race.csv"));
        var b = Task.Run(() => new IngestFileJob(fx.Db, Drops.Options(other.Path), new FakeClock(Instant.FromUtc(2026, 11, 26, 12, 0))).Ingest("canonical", "race.csv"));
        var results = await Task.WhenAll(a, b);

        Assert.Equal(["already-processed", "archived"], results.Select(r => r.Status).Order());
        Assert.Equal(20_000, results.Single(r => r.Status == "archived").Manifest.Accepted);
        Assert.Equal(20_000, Count("SELECT count(*) FROM usage WHERE record_key BETWEEN 'r70000' AND 'r89999'"));
    }
}
