using System.ComponentModel;
using System.Diagnostics;
using Billing.Core.Documents;
using Billing.Documents;
using Billing.Storage;
using Billing.Storage.Documents;
using Billing.Storage.Invoicing;
using NodaTime;
using Serilog;

namespace Billing.Jobs.Documents;

/// <summary>How many documents a render wrote, their bytes, and the seconds spent loading, drawing and writing (files and records).</summary>
public sealed record RenderOutcome(int Invoices, int CreditNotes, long Bytes, double LoadSeconds = 0, double DrawSeconds = 0, double WriteSeconds = 0);

/// <summary>
/// Renders issued invoices and credit notes into the document store and records each file (path,
/// size, SHA-256). Under `serve` one job per approved bill-run batch, a continuation of the batch's
/// approval, so the workers share a run. Rendering again gives the same bytes and replaces the file.
/// </summary>
public sealed class RenderDocumentsJob(BillingDatabase db, InvoiceRenderer renderer, DocumentFolder folder, DocumentOptions options, IClock clock)
{
    private static readonly ILogger Log = Serilog.Log.ForContext<RenderDocumentsJob>();

    public DocumentFolder Folder => folder;

    /// <summary>What draws the documents (the benchmark reads its font programs' counts).</summary>
    public InvoiceRenderer Renderer => renderer;

    public InvoiceTemplate Template => renderer.Template;

    /// <summary>The same job writing into <paramref name="documents"/>.</summary>
    public RenderDocumentsJob WithFolder(DocumentFolder documents) => new(db, renderer, documents, options, clock);

    /// <summary>The same job drawing on <paramref name="workers"/> threads.</summary>
    public RenderDocumentsJob WithWorkers(int workers) => new(db, renderer, folder, options with { Workers = workers }, clock);

    /// <summary>The PDFs of one approved batch; <paramref name="runDate"/> and <paramref name="batches"/> are there for the job's name on the dashboard.</summary>
    [DisplayName("Bill run {1} batch {2}/{3}: render PDFs")]
    public RenderOutcome RenderBatch(long runId, string runDate, int batchNo, int batches)
    {
        using var conn = db.Open();
        // The batch as planned now: planned again since its approval (into fewer batches, or other accounts under its number),
        // the invoices its approval issued are in no batch any more, and are rendered here (those with no PDF yet).
        var accounts = BillRunStore.Batches(conn, runId).SingleOrDefault(b => b.BatchNo == batchNo)?.Accounts ?? [];
        IReadOnlyList<string> numbers = BillRunStore.PlannedAfterIssue(conn, runId)
            ? [.. DocumentStore.InvoiceNumbers(conn, runId, accounts).Union(DocumentStore.UnplannedUnrendered(conn, runId)).Order(StringComparer.Ordinal)]
            : DocumentStore.InvoiceNumbers(conn, runId, accounts);
        var outcome = Render(numbers, []);
        Log.Information("Bill run #{Run} batch {Batch}: {Invoices} invoice PDFs ({Bytes} bytes) in {Folder}", runId, batchNo, outcome.Invoices, outcome.Bytes, folder.Root);
        return outcome;
    }

    /// <summary>Every issued invoice of a run and the credit notes against them.</summary>
    public RenderOutcome RenderRun(long runId)
    {
        using var conn = db.Open();
        return Render(DocumentStore.InvoiceNumbers(conn, runId), DocumentStore.CreditNoteNumbers(conn, runId));
    }

    /// <summary>Renders one document by number; null if no issued invoice or credit note has it.</summary>
    public (DocumentKind Kind, byte[] Pdf)? RenderOne(string number)
    {
        using var conn = db.Open();
        var kind = DocumentStore.KindOf(conn, number);
        if (kind is null)
        {
            return null;
        }

        var document = kind == DocumentKind.Invoice
            ? DocumentStore.LoadInvoices(conn, [number], options.Annex).Single()
            : DocumentStore.LoadCreditNotes(conn, [number]).Single();
        return (kind.Value, renderer.Render(document));
    }

    /// <summary>
    /// Loads, renders, writes and records the documents, a chunk at a time: the chunk's documents are drawn and written
    /// on <see cref="DocumentOptions.WorkersInForce"/> threads, each taking the next document, while the next chunk is
    /// loaded on a connection of its own (from three fifths of the way through this one, or at once when it is larger:
    /// the first chunks grow, see <see cref="Chunks"/>); the chunk's files are recorded once all are written, while the
    /// workers draw the next chunk. A document that cannot be drawn fails the render (the files written before it stay,
    /// recorded or not: a render again replaces them); the chunks before it are recorded by the time it fails.
    /// </summary>
    public RenderOutcome Render(IReadOnlyList<string> invoiceNumbers, IReadOnlyList<string> creditNoteNumbers)
    {
        ArgumentNullException.ThrowIfNull(invoiceNumbers);
        ArgumentNullException.ThrowIfNull(creditNoteNumbers);
        if (SweepDue(folder.Root, clock.GetCurrentInstant()) && folder.SweepTemporary() is > 0 and var swept)
        {
            Log.Information("Removed {Count} temporary file(s) a killed render left in {Folder}", swept, folder.Root);
        }

        var chunks = Chunks(invoiceNumbers, options.ChunkSize).Select(c => (Numbers: c, Kind: DocumentKind.Invoice))
            .Concat(creditNoteNumbers.Chunk(options.ChunkSize).Select(c => (Numbers: c, Kind: DocumentKind.CreditNote))).ToArray();
        if (chunks.Length == 0)
        {
            return new RenderOutcome(0, 0, 0);
        }

        using var conn = db.Open();
        using var loading = db.Open();
        var total = invoiceNumbers.Count + creditNoteNumbers.Count;
        var progress = JobProgress.Counter("documents rendered");
        long load = 0, draw = 0, write = 0; // thread time in Stopwatch ticks, from every thread
        long bytes = 0;
        var done = 0L;
        Task<InvoiceDocument[]> Load(int i) => OwnThread(() =>
        {
            var started = Stopwatch.GetTimestamp();
            var (numbers, kind) = chunks[i];
            var loaded = kind == DocumentKind.Invoice ? DocumentStore.LoadInvoices(loading, numbers, options.Annex) : DocumentStore.LoadCreditNotes(loading, numbers);
            AddSince(ref load, started);
            return loaded.ToArray();
        });

        Task<InvoiceDocument[]>? next = Load(0);
        Task<int>? recording = null; // the chunk being recorded; its result, how many documents it held
        void Recorded()
        {
            // Waits for the chunk being recorded, and reports it here: a job's progress is kept for its worker's thread.
            if (recording is not null)
            {
                progress(done += recording.GetAwaiter().GetResult(), total);
                recording = null;
            }
        }

        try
        {
            for (var i = 0; i < chunks.Length; i++)
            {
                var documents = next!.GetAwaiter().GetResult();
                next = null;
                var (kind, following) = (chunks[i].Kind, i + 1 < chunks.Length ? i + 1 : -1);
                // The next chunk starts loading when three fifths of this one are taken: early enough to be there when the
                // workers want it, late enough that fewer documents wait in memory (each collection copies those still alive);
                // a larger one (the first chunks grow) at once.
                var loadNextAt = following > 0 && chunks[following].Numbers.Length > documents.Length ? 0 : documents.Length * 3 / 5;
                var rendered = new RenderedDocument[documents.Length];
                var taken = -1;
                InParallel(options.WorkersInForce, () =>
                {
                    int d;
                    while ((d = Interlocked.Increment(ref taken)) < documents.Length)
                    {
                        if (d == loadNextAt && following > 0)
                        {
                            Volatile.Write(ref next, Load(following));
                        }

                        var document = documents[d];
                        documents[d] = null!; // let go of it once drawn: a collection copies only what is left to draw
                        try
                        {
                            var started = Stopwatch.GetTimestamp();
                            // Written from where PDFsharp saved it (the worker's buffer), not from a copy of its own.
                            var file = renderer.Render(document, pdf =>
                            {
                                var saved = AddSince(ref draw, started);
                                var written = folder.Write(kind, document.Number, pdf);
                                AddSince(ref write, saved);
                                return written;
                            });
                            rendered[d] = new RenderedDocument(kind, document.Number, file.Path, file.SizeBytes, file.Sha256, clock.GetCurrentInstant());
                            Interlocked.Add(ref bytes, file.SizeBytes);
                        }
                        catch
                        {
                            Interlocked.Exchange(ref taken, documents.Length); // the other threads take no more
                            throw;
                        }
                    }
                });

                // The chunk is recorded while the workers draw the next one (on the render's own connection, one chunk
                // after the other, in order); the previous chunk's record is done first.
                Recorded();
                recording = OwnThread(() =>
                {
                    var started = Stopwatch.GetTimestamp();
                    DocumentStore.Record(conn, rendered);
                    AddSince(ref write, started);
                    return rendered.Length;
                });
            }

            Recorded();
        }
        finally
        {
            // A failed drawing leaves the next chunk loading on its connection, and the chunk before it may still be
            // being recorded: done with both before their connections close (the chunks before a failure stay recorded).
            foreach (var pending in new Task?[] { next, recording })
            {
                if (pending is { IsCompleted: false })
                {
                    try
                    {
                        pending.Wait();
                    }
                    catch (AggregateException)
                    {
                        // the render's own failure is the one reported
                    }
                }
            }
        }

        return new RenderOutcome(invoiceNumbers.Count, creditNoteNumbers.Count, bytes, Seconds(load), Seconds(draw), Seconds(write));
    }

    /// <summary>How often a process sweeps a document store for the temporary files killed renders left (<see cref="SweepDue"/>).</summary>
    public static readonly Duration SweepEvery = Duration.FromHours(1);

    /// <summary>When each document store (its root) was last swept by this process.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Instant> LastSweep = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether a render into <paramref name="root"/> at <paramref name="now"/> sweeps it first: the process's first render
    /// into it, then one an hour (<see cref="SweepEvery"/>) — not every render. A sweep reads the whole of each folder, and a
    /// store keeps every document ever rendered (a year of a million accounts' invoices is twelve million names in one
    /// folder), while a bill run renders one batch of a thousand accounts at a time. A file a render killed meanwhile left
    /// waits for the next sweep (it is only a temporary name: the document's own file is whole, old or new).
    /// Two renders that find a sweep due at once may both sweep.
    /// </summary>
    public static bool SweepDue(string root, Instant now)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (LastSweep.TryGetValue(root, out var last) && now >= last && now - last < SweepEvery)
        {
            return false;
        }

        LastSweep[root] = now;
        return true;
    }

    /// <summary>Runs <paramref name="work"/> on <paramref name="workers"/> threads; the first exception of any ends the render with it.</summary>
    private static void InParallel(int workers, Action work)
    {
        try
        {
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ => work());
        }
        catch (AggregateException e)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
    }

    /// <summary>
    /// The numbers in chunks of <paramref name="size"/>, the first ones smaller: 25, 50, 100 … up to the size, so the
    /// workers start drawing after a short load instead of a whole chunk's, while the next (larger) chunk loads.
    /// </summary>
    public static IEnumerable<string[]> Chunks(IReadOnlyList<string> numbers, int size)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var next = Math.Min(size, FirstChunk);
        for (var from = 0; from < numbers.Count; from += next, next = Math.Min(size, next * 2))
        {
            yield return [.. numbers.Skip(from).Take(next)];
        }
    }

    /// <summary>The size of a render's first chunk (when the chunk size is larger).</summary>
    public const int FirstChunk = 25;

    /// <summary>
    /// Work beside the drawing threads on a thread of its own: on the thread pool it would queue behind the workers
    /// until the pool added a thread (with two cores, the pool keeps two), and the workers would wait for it.
    /// </summary>
    private static Task<T> OwnThread<T>(Func<T> work) => Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Adds the time since <paramref name="started"/> to <paramref name="sum"/>; returns now.</summary>
    private static long AddSince(ref long sum, long started)
    {
        var now = Stopwatch.GetTimestamp();
        Interlocked.Add(ref sum, now - started);
        return now;
    }

    private static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;
}
