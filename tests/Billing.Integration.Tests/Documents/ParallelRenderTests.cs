using System.Security.Cryptography;
using Billing.Documents;
using Billing.Integration.Tests.Infrastructure;
using Billing.Integration.Tests.Invoicing;
using Billing.Jobs.Documents;
using Billing.Storage.Documents;
using Dapper;
using Hangfire;
using NodaTime;
using NodaTime.Testing;
using static Billing.Integration.Tests.Invoicing.ReceivablesWorld;

namespace Billing.Integration.Tests.Documents;

/// <summary>
/// One render drawing a run's PDFs on several threads, its chunks loaded one ahead: seven accounts billed for
/// November (their plan's fees), rendered in chunks of two.
/// </summary>
public sealed class ParallelRenderTests : IDisposable
{
    private readonly ReceivablesWorld _world = new([.. Enumerable.Range(1, 7).Select(i => ($"P-{i}", $"4477009009{i:00}"))]);
    private readonly TempDir _folder = new();

    public void Dispose()
    {
        _folder.Dispose();
        _world.Dispose();
    }

    private RenderDocumentsJob Job(int workers) => Rendering.Job(_world.Db, _folder.Path, new DocumentOptions { ChunkSize = 2, Workers = workers });

    private string PathOf(string number) => Path.Combine(_folder.Path, "invoices", number + ".pdf");

    private IReadOnlyList<string> Recorded()
    {
        using var c = _world.Open();
        return c.Query<string>("SELECT number FROM documents ORDER BY number").AsList();
    }

    [Fact]
    public void Three_workers_write_and_record_every_invoice_once_with_the_bytes_one_worker_draws()
    {
        var numbers = _world.Bill(December);
        Assert.Equal(7, numbers.Count);
        Job(1).Render(numbers, []);
        var alone = numbers.ToDictionary(n => n, n => File.ReadAllBytes(PathOf(n)));
        Directory.Delete(_folder.Path, recursive: true);
        using (var c = _world.Open())
        {
            c.Execute("TRUNCATE documents, notifications"); // together: a message may name a document
        }

        var outcome = Job(3).Render(numbers, []);

        Assert.Equal((7, 0, alone.Values.Sum(b => b.LongLength)), (outcome.Invoices, outcome.CreditNotes, outcome.Bytes));
        Assert.Equal(numbers.Order(StringComparer.Ordinal), Recorded());
        using var conn = _world.Open();
        foreach (var number in numbers)
        {
            var bytes = File.ReadAllBytes(PathOf(number));
            Assert.Equal(alone[number], bytes);
            var recorded = DocumentStore.Find(conn, number)!;
            Assert.Equal((PathOf(number), bytes.LongLength, Convert.ToHexStringLower(SHA256.HashData(bytes))), (recorded.Path, recorded.SizeBytes, recorded.Sha256));
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(_folder.Path, "invoices"), "*.tmp"));
    }

    [Fact]
    public void A_chunk_that_cannot_be_loaded_fails_the_render_with_its_reason_after_the_chunks_before_it_are_recorded()
    {
        var numbers = _world.Bill(December);
        using (var c = _world.Open())
        {
            // The third chunk (the fifth and sixth invoices) holds a line the store cannot read.
            // (Past the check and the trigger that keep an issued invoice's lines as issued: this database is the test's own.)
            c.Execute("ALTER TABLE invoice_lines DROP CONSTRAINT invoice_lines_kind_check; SET session_replication_role = replica");
            c.Execute("UPDATE invoice_lines SET kind = 'bogus' WHERE invoice_id = (SELECT id FROM invoices WHERE number = @n)", new { n = numbers[4] });
        }

        var e = Assert.Throws<InvalidDataException>(() => Job(2).Render(numbers, []));

        Assert.Contains($"invoice {numbers[4]}: unknown line kind 'bogus'", e.Message, StringComparison.Ordinal);
        Assert.Equal(numbers.Take(4).Order(StringComparer.Ordinal), Recorded());
        Assert.All(numbers.Skip(4), n => Assert.False(File.Exists(PathOf(n)), n));
    }

    [Fact]
    public void A_file_that_cannot_be_written_fails_the_render_with_its_reason_and_records_none_of_its_chunk_nor_after_it()
    {
        var numbers = _world.Bill(December);
        // Where the third invoice's PDF goes stands a folder: the rename over it fails on whichever thread draws it.
        Directory.CreateDirectory(PathOf(numbers[2]));

        var e = Assert.ThrowsAny<IOException>(() => Job(2).Render(numbers, []));

        Assert.Contains(numbers[2], e.Message, StringComparison.Ordinal);
        Assert.Equal(numbers.Take(2).Order(StringComparer.Ordinal), Recorded());
        Assert.All(numbers.Skip(4), n => Assert.False(File.Exists(PathOf(n)), n));
    }

    [Fact]
    public void A_render_run_by_a_Hangfire_worker_keeps_its_progress_on_the_job_up_to_every_document_recorded()
    {
        var numbers = _world.Bill(December);
        var options = new Hangfire.PostgreSql.PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = true, QueuePollInterval = TimeSpan.FromMilliseconds(200) };
        var storage = new Hangfire.PostgreSql.PostgreSqlStorage(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(_world.ConnectionString, options), options);
        using var server = new Hangfire.BackgroundJobServer(
            new Hangfire.BackgroundJobServerOptions
            {
                WorkerCount = 1,
                ServerName = "render-progress-" + Guid.NewGuid().ToString("N")[..8],
                FilterProvider = new Hangfire.Common.JobFilterProviderCollection(Hangfire.Common.JobFilterProviders.Providers, new Hangfire.Common.JobFilterCollection { new Billing.Jobs.JobProgress.Filter() }),
            },
            storage);

        // Chunks of two on two workers: the last chunk is recorded on a thread of its own, and its report still reaches the job.
        var id = new Hangfire.BackgroundJobClient(storage).Enqueue(() => HangfireRender.Run(_world.ConnectionString, _folder.Path, numbers.ToArray()));

        Wait.Until(() => storage.GetMonitoringApi().JobDetails(id).History.Any(h => h.StateName is "Succeeded" or "Failed"), "the render job to end");
        Assert.Equal("Succeeded", storage.GetMonitoringApi().JobDetails(id).History.First().StateName);
        Assert.Equal("7 / 7 documents rendered (100 %)", Billing.Jobs.JobProgress.Read(storage.GetMonitoringApi().JobDetails(id).Properties));
        Assert.Equal(numbers.Order(StringComparer.Ordinal), Recorded());
    }

    /// <summary>The render as a Hangfire job of its own (arguments Hangfire can store).</summary>
    public static class HangfireRender
    {
        public static void Run(string connectionString, string folder, string[] numbers)
        {
            using var db = Billing.Storage.BillingDatabase.Connect(connectionString);
            Rendering.Job(db, folder, new DocumentOptions { ChunkSize = 2, Workers = 2 }).Render(numbers, []);
        }
    }

    [Fact]
    public void A_process_sweeps_a_store_at_its_first_render_into_it_and_then_once_an_hour()
    {
        var (store, other) = ($"/stores/{Guid.NewGuid():N}", $"/stores/{Guid.NewGuid():N}");
        var at = Instant.FromUtc(2026, 12, 2, 9, 0);

        Assert.True(RenderDocumentsJob.SweepDue(store, at));
        Assert.False(RenderDocumentsJob.SweepDue(store, at));
        Assert.False(RenderDocumentsJob.SweepDue(store, at + Duration.FromMinutes(59)));
        Assert.True(RenderDocumentsJob.SweepDue(other, at + Duration.FromMinutes(59)));
        Assert.True(RenderDocumentsJob.SweepDue(store, at + Duration.FromMinutes(60)));
        Assert.False(RenderDocumentsJob.SweepDue(store, at + Duration.FromMinutes(119)));
        Assert.True(RenderDocumentsJob.SweepDue(store, at + Duration.FromMinutes(120)));
        Assert.True(RenderDocumentsJob.SweepDue(store, at)); // the clock set back: swept again
    }

    [Fact]
    public void A_dead_writers_temporary_file_goes_at_the_first_render_into_the_store_and_one_left_later_at_the_next_sweep_an_hour_on()
    {
        var numbers = _world.Bill(December);
        var clock = new FakeClock(Instant.FromUtc(2026, 12, 2, 9, 0));
        var job = new RenderDocumentsJob(_world.Db, Rendering.Renderer, new DocumentFolder(_folder.Path), new DocumentOptions { ChunkSize = 2 }, clock);
        var invoices = Path.Combine(_folder.Path, "invoices");
        Directory.CreateDirectory(invoices);
        string Dead(string number) // left by a writer of this machine whose process is gone (a pid above Linux's pid_max)
        {
            var path = DocumentFolder.TemporaryPath(Path.Combine(invoices, number + ".pdf"), 2147483646, 1);
            File.WriteAllText(path, "half a PDF");
            return path;
        }

        var first = Dead(numbers[0]);
        job.Render([numbers[0]], []);
        Assert.False(File.Exists(first));

        var second = Dead(numbers[1]);
        clock.Advance(Duration.FromMinutes(30));
        job.Render([numbers[1]], []);
        Assert.True(File.Exists(second)); // not swept: a render half an hour after the last sweep

        clock.Advance(Duration.FromMinutes(30));
        job.Render([numbers[2]], []);
        Assert.False(File.Exists(second));
        Assert.True(File.Exists(Path.Combine(invoices, numbers[1] + ".pdf")));
    }

    [Fact]
    public void A_render_takes_its_first_chunks_growing_from_25_to_the_chunk_size_and_every_number_once_in_order()
    {
        var numbers = Enumerable.Range(1, 1000).Select(i => $"INV-2026-{i:000000}").ToList();

        var chunks = RenderDocumentsJob.Chunks(numbers, 200).ToList();

        Assert.Equal([25, 50, 100, 200, 200, 200, 200, 25], chunks.Select(c => c.Length));
        Assert.Equal(numbers, chunks.SelectMany(c => c));
        Assert.Equal([2, 2, 1], RenderDocumentsJob.Chunks(numbers.Take(5).ToList(), 2).Select(c => c.Length));
        Assert.Equal([25, 15], RenderDocumentsJob.Chunks(numbers.Take(40).ToList(), 30).Select(c => c.Length));
        Assert.Empty(RenderDocumentsJob.Chunks([], 200));
    }
}
