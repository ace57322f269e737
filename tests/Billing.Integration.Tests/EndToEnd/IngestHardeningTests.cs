using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Billing.Integration.Tests.Infrastructure;
using Dapper;

namespace Billing.Integration.Tests.EndToEnd;

/// <summary>
/// Issue 11, "Ingest never stalls, never fills the disk", through the `billing ingest` command. Every
/// run is bounded: a regression that stalls fails the test instead of hanging the suite.
/// </summary>
public sealed class IngestHardeningTests(DatabaseFixture fx) : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly TempDir _work = new();

    public void Dispose() => _work.Dispose();

    private string Drop => _work.File("drop");

    private string Incoming => Path.Combine(Drop, "incoming", "canonical");

    private static string Row(string key, int second, string cell = "") =>
        $"{key},voice,07700900123,02079460001,2026-11-02T08:00:{second:00}Z,60,,{cell}\n";

    [Fact]
    public void A_row_of_200000_characters_and_a_line_of_1_MiB_are_each_suspended_once_truncated_to_65536_bytes_and_the_rows_around_them_are_stored()
    {
        Drops.Put(Drop, "canonical", "long-field.csv", Drops.CanonicalHeader + "\n" + Row("l1", 1) + Row("l2", 2, new string('x', 200_000)) + Row("l3", 3));
        Drops.Put(Drop, "canonical", "long-line.csv", Drops.CanonicalHeader + "\n" + Row("m1", 1) + new string('y', 1 << 20) + "\n" + Row("m3", 3));

        var outcomes = Ingest();

        Assert.Equal([("long-field.csv", 3, 2, 1), ("long-line.csv", 3, 2, 1)], outcomes.Select(o => (o.File, o.Read, o.Accepted, o.Suspended)));
        using var conn = fx.Db.Open();
        var suspended = conn.Query<(string File, long Line, string Reason, int RawLength, string Detail)>("""
            SELECT f.file_name, s.line_no, s.reason, length(s.raw_line), s.detail FROM suspense s JOIN cdr_files f ON f.id = s.file_id
            WHERE f.id = ANY(@ids) ORDER BY f.file_name
            """, new { ids = outcomes.Select(o => o.FileId).ToArray() }).AsList();
        Assert.Equal([("long-field.csv", 3L, "record-too-long", 65_536), ("long-line.csv", 3L, "record-too-long", 65_536)],
            suspended.Select(s => (s.File, s.Line, s.Reason, s.RawLength)));
        Assert.Contains("200,058 bytes long", suspended[0].Detail, StringComparison.Ordinal);
        Assert.Contains("1,048,576 bytes long", suspended[1].Detail, StringComparison.Ordinal);
        Assert.Equal(["l1", "l3", "m1", "m3"], conn.Query<string>(
            "SELECT record_key FROM usage WHERE file_id = ANY(@ids) ORDER BY record_key", new { ids = outcomes.Select(o => o.FileId).ToArray() }));
    }

    [Fact]
    public void A_file_with_more_rows_to_suspend_than_the_configured_2_is_rejected_whole_and_nothing_of_it_is_stored()
    {
        var config = Config("""{ "mediation": { "maxSuspendedRowsPerFile": 2, "maxSuspendedBytesPerFile": 1000 } }""");
        Drops.Put(Drop, "canonical", "two-bad.csv", Drops.CanonicalHeader + "\n" + Row("c1", 1) + "c2,fax,,,,,,\n" + "c3,fax,,,,,,\n");
        Drops.Put(Drop, "canonical", "three-bad.csv", Drops.CanonicalHeader + "\n" + Row("c4", 4) + "c5,fax,,,,,,\n" + "c6,fax,,,,,,\n" + "c7,fax,,,,,,\n");
        Drops.Put(Drop, "canonical", "big-bad.csv", Drops.CanonicalHeader + "\n" + Row("c8", 8) + "c9,fax," + new string('z', 1000) + ",,,,,\n");

        var (exit, outcomes) = IngestWithExit("--config", config);

        Assert.Equal(3, exit);
        Assert.Equal([("big-bad.csv", "rejected"), ("three-bad.csv", "rejected"), ("two-bad.csv", "archived")], outcomes.Select(o => (o.File, o.Status)));
        Assert.StartsWith("its rows to suspend exceed 1,000 bytes at line 3 (mediation.maxSuspendedBytesPerFile)", outcomes[0].Reason, StringComparison.Ordinal);
        Assert.StartsWith("more than 2 rows to suspend (mediation.maxSuspendedRowsPerFile)", outcomes[1].Reason, StringComparison.Ordinal);
        using var conn = fx.Db.Open();
        Assert.Equal(["c1"], conn.Query<string>("SELECT record_key FROM usage WHERE record_key IN ('c1', 'c4', 'c8') ORDER BY record_key"));
        Assert.Equal(0, conn.ExecuteScalar<long>("SELECT count(*) FROM suspense WHERE file_id = ANY(@ids)", new { ids = new[] { outcomes[0].FileId, outcomes[1].FileId } }));
        Assert.True(File.Exists(Path.Combine(Drop, "rejected", "canonical", "three-bad.csv.reason")));
    }

    [Fact]
    public void Suspended_rows_beyond_10000_spill_under_the_working_folder_and_leave_no_file_behind_and_old_spill_files_are_swept()
    {
        var systemTemp = Directory.CreateDirectory(_work.File("system-tmp")).FullName;
        var spillFolder = Directory.CreateDirectory(_work.File(".billing", "tmp")).FullName;
        File.WriteAllText(Path.Combine(spillFolder, "suspense-1-left-by-a-crash.spill"), "stale");
        File.WriteAllText(Path.Combine(spillFolder, "keep-me.txt"), "not ours");
        Drops.Put(Drop, "canonical", "many-bad.csv", BadRows(10_500) + Row("ok", 1));

        var o = Assert.Single(Ingest(new Dictionary<string, string> { ["TMPDIR"] = systemTemp }));

        Assert.Equal(("archived", 10_501, 1, 10_500), (o.Status, o.Read, o.Accepted, o.Suspended));
        Assert.Empty(SpillFiles(systemTemp));
        Assert.Equal(["keep-me.txt"], Directory.EnumerateFiles(spillFolder).Select(Path.GetFileName));
    }

    [Fact]
    public void An_ingest_killed_while_it_spills_suspended_rows_leaves_no_spill_file()
    {
        var systemTemp = Directory.CreateDirectory(_work.File("system-tmp")).FullName;
        Drops.Put(Drop, "canonical", "killed.csv", BadRows(400_000));

        using (var p = BillingProcess.Start(new Dictionary<string, string> { ["TMPDIR"] = systemTemp }, _work.Path, "ingest", "--drop", Drop, "--db", fx.ConnectionString))
        {
            // The process holds its spill file open from its 10,001st suspended row on.
            Wait.Until(() => p.HasExited || OpenFiles(p.Id).Any(f => f.Contains(".spill", StringComparison.Ordinal) || f.StartsWith(systemTemp, StringComparison.Ordinal) && f.EndsWith(".tmp", StringComparison.Ordinal)),
                "the ingest to open its spill file", every: TimeSpan.FromMilliseconds(20));
            Assert.False(p.HasExited, "the ingest should be spilling when killed");
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }

        Assert.Empty(SpillFiles(systemTemp));
        var spillFolder = _work.File(".billing", "tmp");
        Assert.True(!Directory.Exists(spillFolder) || !Directory.EnumerateFileSystemEntries(spillFolder).Any());
    }

    [Fact]
    public void Links_fifos_sockets_and_folders_in_incoming_are_skipped_unopened_with_a_reason_and_the_regular_file_beside_them_is_ingested()
    {
        Drops.Put(Drop, "canonical", "good.csv", Drops.CanonicalHeader + "\n" + Row("g1", 1));
        var outside = _work.File("outside.csv");
        File.WriteAllText(outside, Drops.CanonicalHeader + "\n" + Row("outside1", 2));
        File.CreateSymbolicLink(Path.Combine(Incoming, "link-out.csv"), outside);
        File.CreateSymbolicLink(Path.Combine(Incoming, "link-zero.csv"), "/dev/zero");
        Directory.CreateDirectory(Path.Combine(Incoming, "folder.csv"));
        MakeFifo(Path.Combine(Incoming, "pipe.csv"));
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(Incoming, "sock.csv")));

        // No settle time: the entries just made are taken at once, as they would be a few seconds later.
        var (exit, outcomes) = IngestWithExit("--settle", "0");

        Assert.Equal(0, exit);
        Assert.Equal(
            [
                ("folder.csv", "skipped", "a directory, not a regular file: left alone, never read"),
                ("good.csv", "archived", null),
                ("link-out.csv", "skipped", "a symbolic link, not a regular file: left alone, never read"),
                ("link-zero.csv", "skipped", "a symbolic link, not a regular file: left alone, never read"),
                ("pipe.csv", "skipped", "a FIFO (named pipe), not a regular file: left alone, never read"),
                ("sock.csv", "skipped", "a socket, not a regular file: left alone, never read"),
            ],
            outcomes.Select(o => (o.File, o.Status, o.Reason)));
        using var conn = fx.Db.Open();
        Assert.Equal(0, conn.ExecuteScalar<long>("SELECT count(*) FROM usage WHERE record_key = 'outside1'"));
        Assert.NotNull(new FileInfo(Path.Combine(Incoming, "link-out.csv")).LinkTarget);
        Assert.True(File.Exists(outside));
    }

    [Fact]
    public void A_file_whose_name_is_not_UTF_8_is_reported_skipped_with_that_reason_instead_of_waiting_unseen_and_the_file_beside_it_is_ingested()
    {
        Drops.Put(Drop, "canonical", "good.csv", Drops.CanonicalHeader + "\n" + Row("u1", 1));
        // "caf\xE9.csv": a Latin-1 name, which .NET can neither write nor delete itself.
        Shell(Incoming, "printf 'x' > \"$(printf 'caf\\351.csv')\"");
        try
        {
            var (exit, outcomes) = IngestWithExit("--settle", "0");

            Assert.Equal(0, exit);
            Assert.Equal(
                [
                    ("caf\uFFFD.csv", "skipped", "its name is not valid UTF-8, so it cannot be opened: left alone, never read; rename it (convmv -f latin1 -t utf8)"),
                    ("good.csv", "archived", null),
                ],
                outcomes.Select(o => (o.File, o.Status, o.Reason)));
        }
        finally
        {
            Shell(Incoming, "rm -f \"$(printf 'caf\\351.csv')\"");
        }
    }

    [Fact]
    public void A_file_above_the_size_limit_is_rejected_before_it_is_read_so_no_checksum_is_recorded()
    {
        var config = Config("""{ "mediation": { "maxFileBytes": 100 } }""");
        Drops.Put(Drop, "canonical", "big.csv", Drops.CanonicalHeader + "\n" + Row("b1", 1));

        var (exit, outcomes) = IngestWithExit("--config", config);

        var o = Assert.Single(outcomes);
        Assert.Equal((3, "rejected"), (exit, o.Status));
        Assert.StartsWith("oversized file: 139 bytes, above the limit of 100", o.Reason, StringComparison.Ordinal);
        using var conn = fx.Db.Open();
        Assert.Equal("", conn.ExecuteScalar<string>("SELECT checksum FROM cdr_files WHERE id = @id", new { id = o.FileId }));
    }

    [Fact]
    public void Control_characters_in_a_file_name_are_shown_escaped_and_the_file_keeps_one_line()
    {
        var name = "evil\u001b]0;pwned\u0007\nsecond line.csv";
        Drops.Put(Drop, "canonical", name, Drops.CanonicalHeader + "\n" + Row("e1", 1));

        var (exit, stdout, stderr) = BillingProcess.Run(IngestRuns.Bound, _work.Path, "ingest", "--drop", Drop, "--db", fx.ConnectionString);
        var files = BillingProcess.Run(IngestRuns.Bound, _work.Path, "files", "list", "--db", fx.ConnectionString);

        Assert.True(exit == 0, stderr);
        Assert.DoesNotContain('\u001b', stdout + files.Out);
        Assert.DoesNotContain('\u0007', stdout + files.Out);
        var line = Assert.Single(stdout.Split('\n'), l => l.StartsWith("  archived", StringComparison.Ordinal));
        Assert.Contains(@"canonical/evil\x1b]0;pwned\x07\x0asecond line.csv: read 1 = accepted 1", line, StringComparison.Ordinal);
        Assert.Contains(@"evil\x1b]0;pwned\x07\x0asecond line.csv", files.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Drop, "archive", "canonical", name)));
    }

    [Fact]
    public void Control_characters_in_a_suspended_row_and_its_file_name_are_shown_escaped_by_suspense_list_and_show()
    {
        // A caller sets the dialled number and the caller name: a terminal's escape sequences can arrive in any field.
        var name = "evil\u001b[2Jrow.csv";
        Drops.Put(Drop, "canonical", name, Drops.CanonicalHeader + "\n" + "t1,voice,07700900123,\u001b]0;pwned\u0007,2026-11-02T08:00:01Z,60,,\n");
        var ingest = BillingProcess.Run(IngestRuns.Bound, _work.Path, "ingest", "--drop", Drop, "--db", fx.ConnectionString);
        Assert.True(ingest.Exit == 0, ingest.Err);
        long id;
        using (var conn = fx.Db.Open())
        {
            id = conn.ExecuteScalar<long>("SELECT s.id FROM suspense s JOIN cdr_files f ON f.id = s.file_id WHERE f.file_name = @name", new { name });
        }

        var list = BillingProcess.Run(IngestRuns.Bound, _work.Path, "suspense", "list", "--db", fx.ConnectionString);
        var show = BillingProcess.Run(IngestRuns.Bound, _work.Path, "suspense", "show", $"{id}", "--db", fx.ConnectionString);

        Assert.True(list.Exit == 0 && show.Exit == 0, list.Err + show.Err);
        Assert.DoesNotContain('\u001b', list.Out + show.Out);
        Assert.DoesNotContain('\u0007', list.Out + show.Out);
        Assert.Contains(@"called number: '\x1b]0;pwned\x07' is not a telephone number", list.Out, StringComparison.Ordinal);
        Assert.Contains(@"file     canonical/evil\x1b[2Jrow.csv", show.Out, StringComparison.Ordinal);
        Assert.Contains(@"reason   bad-destination: called number: '\x1b]0;pwned\x07' is not a telephone number", show.Out, StringComparison.Ordinal);
        Assert.Contains(@"raw line t1,voice,07700900123,\x1b]0;pwned\x07,2026-11-02T08:00:01Z,60,,", show.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_cannot_be_moved_is_reported_failed_the_others_go_on_and_a_rerun_records_no_second_rejection()
    {
        Drops.Put(Drop, "canonical", "a.csv", Drops.CanonicalHeader + "\n" + Row("mv1", 1));
        Drops.Put(Drop, "canonical", "b.csv", "");
        Drops.Put(Drop, "canonical", "c.csv", Drops.CanonicalHeader + "\n" + Row("mv3", 3));
        File.WriteAllText(Path.Combine(Drop, "archive"), "a file where the archive folder should be");
        File.WriteAllText(Path.Combine(Drop, "rejected"), "a file where the rejected folder should be");

        var (exit, first) = IngestWithExit();
        var (_, second) = IngestWithExit();
        File.Delete(Path.Combine(Drop, "archive"));
        File.Delete(Path.Combine(Drop, "rejected"));
        var (fixedExit, third) = IngestWithExit();

        Assert.Equal(3, exit);
        Assert.Equal([("a.csv", "failed"), ("b.csv", "failed"), ("c.csv", "failed")], first.Select(o => (o.File, o.Status)));
        Assert.StartsWith("archived as file #", first[0].Reason, StringComparison.Ordinal);
        Assert.Contains("but the move to archive/ failed", first[0].Reason, StringComparison.Ordinal);
        Assert.Equal((1, 1), (first[0].Read, first[0].Accepted));
        Assert.StartsWith($"rejected as file #{first[1].FileId} (empty file (0 bytes)), but the move to rejected/ failed", first[1].Reason, StringComparison.Ordinal);
        Assert.Equal(first.Select(o => o.FileId), second.Select(o => o.FileId));
        Assert.Equal([("a.csv", "already-processed"), ("b.csv", "rejected"), ("c.csv", "already-processed")], third.Select(o => (o.File, o.Status)));
        Assert.Equal(3, fixedExit);
        Assert.Equal(first[1].FileId, third[1].FileId);
        using var conn = fx.Db.Open();
        Assert.Equal(1, conn.ExecuteScalar<long>("SELECT count(*) FROM cdr_files WHERE file_name = 'b.csv' AND status = 'rejected'"));
        Assert.Equal(2, conn.ExecuteScalar<long>("SELECT count(*) FROM usage WHERE record_key IN ('mv1', 'mv3')"));
        Assert.Empty(Directory.EnumerateFiles(Incoming));
        Assert.True(File.Exists(Path.Combine(Drop, "archive", "canonical", "a.csv.manifest.json")));
        Assert.True(File.Exists(Path.Combine(Drop, "rejected", "canonical", "b.csv.reason")));
    }

    [Fact]
    public void A_missing_drop_folder_is_an_error_unless_create_is_given_and_a_file_as_drop_folder_is_a_clear_error()
    {
        var missing = _work.File("no", "such", "dir");

        var absent = BillingProcess.Run(IngestRuns.Bound, _work.Path, "ingest", "--drop", missing, "--db", fx.ConnectionString);
        var file = BillingProcess.Run(IngestRuns.Bound, _work.Path, "ingest", "--drop", "/etc/passwd", "--db", fx.ConnectionString);

        Assert.Equal(2, absent.Exit);
        Assert.Equal($"billing: the drop folder {missing} does not exist (check --drop or mediation.dropFolder; --create makes it)", absent.Err.TrimEnd());
        Assert.False(Directory.Exists(_work.File("no")));
        Assert.Equal(2, file.Exit);
        Assert.Equal("billing: the drop folder /etc/passwd is a regular file, not a folder", file.Err.TrimEnd());

        var created = BillingProcess.Run(IngestRuns.Bound, _work.Path, "ingest", "--drop", missing, "--create", "--db", fx.ConnectionString);

        Assert.True(created.Exit == 0, created.Err);
        Assert.True(Directory.Exists(Path.Combine(missing, "incoming", "canonical")));
        Assert.Contains("No files waiting.", created.Out, StringComparison.Ordinal);
    }

    private static string BadRows(int count)
    {
        var sb = new StringBuilder(Drops.CanonicalHeader).Append('\n');
        for (var i = 0; i < count; i++)
        {
            sb.Append("bad").Append(i).Append(",voice,not-a-number,02079460001,2026-11-02T08:00:00Z,60,,\n");
        }

        return sb.ToString();
    }

    /// <summary>Spill files as the code before issue 11 made them (Path.GetTempFileName) or as it makes them now.</summary>
    private static IEnumerable<string> SpillFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*.tmp").Concat(Directory.EnumerateFiles(folder, "*.spill"));

    private static void Shell(string folder, string script)
    {
        using var sh = Process.Start(new ProcessStartInfo("sh", ["-c", script]) { WorkingDirectory = folder })!;
        sh.WaitForExit();
        Assert.Equal(0, sh.ExitCode);
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    /// <summary>What a process has open, from /proc (Linux): paths, with " (deleted)" for unlinked files.</summary>
    private static IEnumerable<string> OpenFiles(int pid)
    {
        try
        {
            return [.. Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Select(fd => new FileInfo(fd).LinkTarget ?? "")];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private string Config(string json)
    {
        var path = _work.File("billing.json");
        File.WriteAllText(path, json);
        return path;
    }

    private List<IngestedFile> Ingest(IReadOnlyDictionary<string, string>? environment = null)
    {
        var (exit, files) = IngestRuns.Run(_work.Path, Drop, fx.ConnectionString, environment);
        Assert.Equal(0, exit);
        return files;
    }

    private (int Exit, List<IngestedFile> Files) IngestWithExit(params string[] extra) => IngestRuns.Run(_work.Path, Drop, fx.ConnectionString, null, extra);
}
