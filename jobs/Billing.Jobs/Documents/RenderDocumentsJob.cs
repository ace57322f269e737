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

    /// <summary>Loads, renders, writes and records the documents, a chunk at a time.</summary>
    public RenderOutcome Render(IReadOnlyList<string> invoiceNumbers, IReadOnlyList<string> creditNoteNumbers)
    {
        ArgumentNullException.ThrowIfNull(invoiceNumbers);
        ArgumentNullException.ThrowIfNull(creditNoteNumbers);
        if (folder.SweepTemporary() is > 0 and var swept)
        {
            Log.Information("Removed {Count} temporary file(s) a killed render left in {Folder}", swept, folder.Root);
        }

        using var conn = db.Open();
        long bytes = 0;
        var done = 0L;
        var progress = JobProgress.Counter("documents rendered");
        var (load, draw, write) = (new Stopwatch(), new Stopwatch(), new Stopwatch());
        foreach (var (numbers, kind) in new[] { (invoiceNumbers, DocumentKind.Invoice), (creditNoteNumbers, DocumentKind.CreditNote) })
        {
            foreach (var chunk in numbers.Chunk(options.ChunkSize))
            {
                load.Start();
                var documents = kind == DocumentKind.Invoice ? DocumentStore.LoadInvoices(conn, chunk, options.Annex) : DocumentStore.LoadCreditNotes(conn, chunk);
                load.Stop();
                var rendered = new List<RenderedDocument>(documents.Count);
                foreach (var document in documents)
                {
                    draw.Start();
                    var pdf = renderer.Render(document);
                    draw.Stop();
                    write.Start();
                    var file = folder.Write(kind, document.Number, pdf);
                    write.Stop();
                    rendered.Add(new RenderedDocument(kind, document.Number, file.Path, file.SizeBytes, file.Sha256, clock.GetCurrentInstant()));
                    bytes += file.SizeBytes;
                }

                write.Start();
                DocumentStore.Record(conn, rendered);
                write.Stop();
                progress(done += rendered.Count, invoiceNumbers.Count + creditNoteNumbers.Count);
            }
        }

        return new RenderOutcome(invoiceNumbers.Count, creditNoteNumbers.Count, bytes, load.Elapsed.TotalSeconds, draw.Elapsed.TotalSeconds, write.Elapsed.TotalSeconds);
    }
}
