using System.Diagnostics;
using System.Globalization;
using System.Text;
using Billing.Integration.Tests.Infrastructure;
using Dapper;
using Xunit.Abstractions;

namespace Billing.Integration.Tests.Chaos;

/// <summary>
/// Crash safety, proven: the real <c>billing</c> process on generated data (<see cref="ChaosWorld"/>), SIGKILLed
/// at seeded random points during ingest, rating with prepaid debits, a bill run with approval, the PDFs
/// (<c>billing invoices render --run</c>) and a dunning run, then run again until it finishes; the end state
/// must equal a clean run's on a second database, and nothing may be left behind after any kill.
/// A kill point is a phase, a count of units the phase has committed (files, charges, drafts and issues,
/// documents, accounts dunned) to wait for, and a few milliseconds more, so the kills land inside the work.
/// BILLING_CHAOS_POINTS (default 5, one per phase) and BILLING_CHAOS_SEED (default: a fresh one, printed)
/// choose them; README has the 20-point command.
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output) : IDisposable
{
    private readonly ChaosWorld _clean = new();
    private readonly ChaosWorld _chaos = new();

    private sealed record Phase(string Name, Func<ChaosWorld, string[]> Args, string Progress);

    private static readonly Phase[] Phases =
    [
        new("ingest", w => ["ingest", "--db", w.ConnectionString], "SELECT count(*) FROM cdr_files"),
        new("rate", w => ["rate", "--range", "20", "--db", w.ConnectionString], "SELECT count(*) FROM rated_charges"),
        new("bill-run --approve", w => ["bill-run", ChaosWorld.RunDate, "--approve", "--db", w.ConnectionString],
            "SELECT count(*) + count(*) FILTER (WHERE status = 'issued') FROM invoices"),
        new("invoices render --run", w => ["invoices", "render", "--run", ChaosWorld.RunDate, "--db", w.ConnectionString], "SELECT count(*) FROM documents"),
        new("dunning", w => ["dunning", "--as-of", ChaosWorld.DunningAsOf, "--db", w.ConnectionString], "SELECT count(DISTINCT account_id) FROM dunning_actions"),
    ];

    public void Dispose()
    {
        _clean.Dispose();
        _chaos.Dispose();
    }

    [Fact]
    public async Task A_billing_process_killed_at_seeded_random_points_of_ingest_rating_bill_run_pdfs_and_dunning_ends_as_a_clean_run()
    {
        var points = int.TryParse(Environment.GetEnvironmentVariable("BILLING_CHAOS_POINTS"), CultureInfo.InvariantCulture, out var p) && p > 0 ? p : 5;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("BILLING_CHAOS_SEED"), CultureInfo.InvariantCulture, out var s) ? s : Random.Shared.Next(1, 1_000_000);
        Say($"chaos: seed {seed}, {points} kill points (BILLING_CHAOS_SEED={seed} BILLING_CHAOS_POINTS={points} repeats this run)");
        var clock = Stopwatch.StartNew();

        // The clean run beside the killed one, on its own database and folder; the units each phase commits are known from the data.
        long[] totals = [ChaosWorld.Files, ChaosWorld.Files * ChaosWorld.RowsPerFile, 2 * ChaosWorld.Accounts, ChaosWorld.Accounts, ChaosWorld.Accounts];
        var cleanRun = Task.Run(() =>
        {
            for (var i = 0; i < Phases.Length; i++)
            {
                Finish(_clean, Phases[i]);
                Assert.Equal(totals[i], Progress(_clean, Phases[i]));
                if (i == 2)
                {
                    _clean.FixIssueInstant();
                }
            }
        });

        var random = new Random(seed);
        var plan = Enumerable.Range(0, points)
            .Select(n => (Phase: n % Phases.Length, Units: random.NextInt64(Math.Max(1, totals[n % Phases.Length])), Jitter: random.Next(0, 16)))
            .ToList();
        var killed = 0;
        var number = 0;
        for (var i = 0; i < Phases.Length; i++)
        {
            foreach (var point in plan.Where(x => x.Phase == i).OrderBy(x => x.Units))
            {
                number++;
                killed += KillAt(Phases[i], point.Units, totals[i], point.Jitter, number) ? 1 : 0;
                AssertNothingHalfWritten(_chaos);
            }

            Finish(_chaos, Phases[i]);
            AssertNothingLeftBehind(_chaos, Phases[i]);
            if (i == 2)
            {
                _chaos.FixIssueInstant();
            }
        }

        await cleanRun;
        Say($"clean run finished; {clock.Elapsed.TotalSeconds:F1} s in all");
        var clean = _clean.EndState();
        var chaos = _chaos.EndState();
        var differences = clean.Where(t => !t.Value.SequenceEqual(chaos[t.Key])).Select(t => $"{t.Key} differs from the clean run:\n" + Difference(t.Value, chaos[t.Key])).ToList();
        Assert.True(differences.Count == 0, $"seed {seed}: " + string.Join('\n', differences));

        Assert.Equal(ChaosWorld.Accounts, clean["pdf files"].Count);
        Say($"chaos: {killed} of {points} kill points killed billing mid-run, {points - killed} found it finished; end state equal to the clean run in " +
            $"{clean.Count} tables and file sets ({clean.Sum(t => t.Value.Count)} rows, {clean["pdf files"].Count} PDFs); nothing left behind; {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>Starts the phase, waits until it has committed <paramref name="units"/> units, lets it run <paramref name="jitter"/> ms more, SIGKILLs it.</summary>
    private bool KillAt(Phase phase, long units, long total, int jitter, int number)
    {
        using var p = BillingProcess.Start(_chaos.Work, phase.Args(_chaos));
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using (var c = _chaos.Open())
        {
            Wait.Until(() => p.HasExited || c.ExecuteScalar<long>(phase.Progress) >= units, $"{phase.Name} to reach {units} units", TimeSpan.FromMinutes(3), TimeSpan.FromMilliseconds(5));
        }

        if (!p.HasExited)
        {
            // The kill point's seeded 0–15 ms past its unit (not a wait for anything): where in the next unit the kill lands.
            Thread.Sleep(jitter);
        }

        var alive = !p.HasExited;
        if (alive)
        {
            p.Kill(entireProcessTree: true); // SIGKILL: no handler, no finally block runs
        }

        p.WaitForExit();
        var at = Progress(_chaos, phase);
        Say(alive
            ? $"  kill {number,2}: {phase.Name,-22} at ≥ {units}/{total} units + {jitter,2} ms: SIGKILL with {at} committed"
            : $"  kill {number,2}: {phase.Name,-22} at ≥ {units}/{total} units + {jitter,2} ms: had finished (exit {p.ExitCode}) with {at}");
        if (!alive)
        {
            Assert.True(p.ExitCode == 0, $"{phase.Name} failed after an earlier kill: {stderr.Result}{stdout.Result}");
        }

        // The killed process's sessions end and take their advisory locks with them.
        Wait.Until(() => AdvisoryLocks(_chaos) == 0, $"no advisory lock after kill {number}", TimeSpan.FromSeconds(30));
        return alive;
    }

    private static void Finish(ChaosWorld world, Phase phase)
    {
        var run = BillingProcess.Run(TimeSpan.FromMinutes(3), world.Work, phase.Args(world));
        Assert.True(run.Exit == 0, $"{phase.Name} exit {run.Exit}: {run.Err}{run.Out}");
    }

    private static long Progress(ChaosWorld world, Phase phase)
    {
        using var c = world.Open();
        return c.ExecuteScalar<long>(phase.Progress);
    }

    private static long AdvisoryLocks(ChaosWorld world)
    {
        using var c = world.Open();
        return c.ExecuteScalar<long>("SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()");
    }

    /// <summary>Right after a kill: a document under its final name is a whole PDF (written to a temporary name, then renamed).</summary>
    private static void AssertNothingHalfWritten(ChaosWorld world)
    {
        foreach (var pdf in world.PdfFiles())
        {
            var tail = Encoding.ASCII.GetString(File.ReadAllBytes(pdf)[^16..]).TrimEnd();
            Assert.True(tail.EndsWith("%%EOF", StringComparison.Ordinal), $"{pdf} is half written");
        }
    }

    /// <summary>Once a phase has finished after its kills: no temporary or spill file, every dropped file archived with its manifest, every document as recorded, no advisory lock.</summary>
    private static void AssertNothingLeftBehind(ChaosWorld world, Phase phase)
    {
        var leftovers = Directory.EnumerateFiles(world.Work, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(world.Work, f))
            .Where(f => f.EndsWith(".tmp", StringComparison.Ordinal) || f.Contains(".tmp.", StringComparison.Ordinal)
                || f.StartsWith(Path.Combine(".billing", "tmp"), StringComparison.Ordinal) || f.StartsWith(Path.Combine("drop", "incoming"), StringComparison.Ordinal))
            .ToList();
        Assert.True(leftovers.Count == 0, $"left behind after {phase.Name}: {string.Join(", ", leftovers)}");

        var archive = Path.Combine(world.Drop, "archive", "canonical");
        if (Directory.Exists(archive))
        {
            var files = Directory.GetFiles(archive).Where(f => !f.EndsWith(".manifest.json", StringComparison.Ordinal)).ToList();
            Assert.All(files, f => Assert.True(File.Exists(f + ".manifest.json"), $"{f} archived without its manifest"));
        }

        using var c = world.Open();
        var recorded = c.Query<(string Path, string Sha256)>("SELECT path, sha256 FROM documents").ToDictionary(d => Path.GetFileName(d.Path), d => d.Sha256, StringComparer.Ordinal);
        var onDisk = world.PdfFiles().ToDictionary(f => Path.GetFileName(f), ChaosWorld.Sha256, StringComparer.Ordinal);
        Assert.Equal(recorded.OrderBy(d => d.Key, StringComparer.Ordinal), onDisk.OrderBy(d => d.Key, StringComparer.Ordinal));
        Assert.Equal(0, AdvisoryLocks(world));
    }

    private static string Difference(IReadOnlyList<string> clean, IReadOnlyList<string> chaos) =>
        string.Join('\n', clean.Except(chaos).Take(5).Select(r => "  clean only: " + r).Concat(chaos.Except(clean).Take(5).Select(r => "  chaos only: " + r)));

    private void Say(string line) => output.WriteLine(line);
}
