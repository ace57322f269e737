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

    public InvoiceTemplate Template => renderer.Template;

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
    /// loaded on a connection of its own (from three fifths of the way through this one); the chunk's files are recorded once all are written. A document that cannot be
    /// drawn fails the render (the files written before it stay, recorded or not: a render again replaces them).
    /// </summary>
    public RenderOutcome Render(IReadOnlyList<string> invoiceNumbers, IReadOnlyList<string> creditNoteNumbers)
    {
        ArgumentNullException.ThrowIfNull(invoiceNumbers);
        ArgumentNullException.ThrowIfNull(creditNoteNumbers);
        if (folder.SweepTemporary() is > 0 and var swept)
        {
            Log.Information("Removed {Count} temporary file(s) a killed render left in {Folder}", swept, folder.Root);
        }

        var chunks = invoiceNumbers.Chunk(options.ChunkSize).Select(c => (Numbers: c, Kind: DocumentKind.Invoice))
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
        Task<InvoiceDocument[]> Load(int i) => Task.Run(() =>
        {
            var started = Stopwatch.GetTimestamp();
            var (numbers, kind) = chunks[i];
            var loaded = kind == DocumentKind.Invoice ? DocumentStore.LoadInvoices(loading, numbers, options.Annex) : DocumentStore.LoadCreditNotes(loading, numbers);
            AddSince(ref load, started);
            return loaded.ToArray();
        });

        Task<InvoiceDocument[]>? next = Load(0);
        try
        {
            for (var i = 0; i < chunks.Length; i++)
            {
                var documents = next!.GetAwaiter().GetResult();
                next = null;
                var (kind, following) = (chunks[i].Kind, i + 1 < chunks.Length ? i + 1 : -1);
                // The next chunk starts loading when three fifths of this one are taken: early enough to be there when the
                // workers want it, late enough that fewer documents wait in memory (each collection copies those still alive).
                var loadNextAt = documents.Length * 3 / 5;
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
                            var pdf = renderer.Render(document);
                            started = AddSince(ref draw, started);
                            var file = folder.Write(kind, document.Number, pdf);
                            AddSince(ref write, started);
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

                var recording = Stopwatch.GetTimestamp();
                DocumentStore.Record(conn, rendered);
                AddSince(ref write, recording);
                progress(done += rendered.Length, total);
            }
        }
        finally
        {
            // A failed drawing leaves the next chunk loading on its connection: done with it before that connection closes.
            if (next is { IsCompleted: false })
            {
                try
                {
                    next.Wait();
                }
                catch (AggregateException)
                {
                    // the render's own failure is the one reported
                }
            }
        }

        return new RenderOutcome(invoiceNumbers.Count, creditNoteNumbers.Count, bytes, Seconds(load), Seconds(draw), Seconds(write));
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

    /// <summary>Adds the time since <paramref name="started"/> to <paramref name="sum"/>; returns now.</summary>
    private static long AddSince(ref long sum, long started)
    {
        var now = Stopwatch.GetTimestamp();
        Interlocked.Add(ref sum, now - started);
        return now;
    }

    private static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;
}
