using System.CommandLine;
using System.Text.Json;
using Billing.Core.Documents;
using Billing.Documents;
using Billing.Jobs.Documents;
using Billing.Storage.Documents;
using Billing.Storage.Invoicing;

namespace Billing.Cli.Commands;

/// <summary>billing invoices render | pdf: issued invoices and credit notes as PDFs in the document store, or one to a file.</summary>
public static partial class InvoiceCommands
{
    private static Command RenderCommand(Cli cli)
    {
        var run = new Option<string?>("--run") { Description = "Every issued invoice of this bill run (its date or number) and the credit notes against them" };
        var number = new Argument<string?>("number") { Description = "One invoice or credit note number", Arity = ArgumentArity.ZeroOrOne };
        var render = new Command("render", "Render PDFs into the document store (documents.folder, default .billing/documents) and record their size and SHA-256; rendering again gives the same bytes") { number, run };
        render.SetAction(p => cli.Run(p, g => Render(g, p.GetValue(number), p.GetValue(run), Console.Out)));
        return render;
    }

    private static Command PdfCommand(Cli cli)
    {
        var number = new Argument<string>("number") { Description = "The invoice or credit note number" };
        var output = new Option<string?>("--out") { Description = "Where to write it (default NUMBER.pdf in the working directory)" };
        var pdf = new Command("pdf", "Write one issued invoice or credit note as PDF to a file") { number, output };
        pdf.SetAction(p => cli.Run(p, g => Pdf(g, p.GetValue(number)!, p.GetValue(output), Console.Out)));
        return pdf;
    }

    public static int Render(GlobalOptions g, string? number, string? run, TextWriter output)
    {
        if ((number is null) == (run is null))
        {
            throw new UserErrorException("Give an invoice or credit note NUMBER, or --run RUN for a whole bill run.");
        }

        using var rt = Runtime.Start(g);
        var job = rt.Jobs.RenderDocuments();
        RenderOutcome outcome;
        using (var conn = rt.Db.Open())
        {
            if (run is not null)
            {
                var found = BillRunStore.Find(conn, run) ?? throw new UserErrorException($"No bill run '{run}' (give its number or its date; `billing bill-run list`).");
                outcome = job.RenderRun(found.Id);
            }
            else
            {
                var kind = DocumentStore.KindOf(conn, number!) ?? throw new UserErrorException($"No issued invoice or credit note {number} (`billing invoices list`; a draft has no PDF).");
                outcome = kind == DocumentKind.Invoice ? job.Render([number!], []) : job.Render([], [number!]);
            }
        }

        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { invoices = outcome.Invoices, creditNotes = outcome.CreditNotes, bytes = outcome.Bytes, folder = job.Folder.Root }, BillingConfig.Json));
        }
        else
        {
            output.WriteLine($"Rendered {outcome.Invoices} invoice(s) and {outcome.CreditNotes} credit note(s), {outcome.Bytes / 1024.0:F0} KiB, into {job.Folder.Root}");
        }

        return 0;
    }

    public static int Pdf(GlobalOptions g, string number, string? outFile, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        var rendered = rt.Jobs.RenderDocuments().RenderOne(number) ?? throw new UserErrorException($"No issued invoice or credit note {number} (`billing invoices list`; a draft has no PDF).");
        var path = Path.GetFullPath(outFile ?? string.Concat(number.Select(c => Path.GetInvalidFileNameChars().Contains(c) ? '_' : c)) + ".pdf");
        WriteOut(path, rendered.Pdf);
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { number, kind = rendered.Kind.Code(), path, bytes = rendered.Pdf.Length }, BillingConfig.Json));
        }
        else
        {
            output.WriteLine($"{(rendered.Kind == DocumentKind.Invoice ? "Invoice" : "Credit note")} {number}: {rendered.Pdf.Length / 1024.0:F0} KiB written to {path}");
        }

        return 0;
    }

    /// <summary>A PDF to the file a person named (--out): a folder missing or not writable is said in one line (exit 2), not a stack trace.</summary>
    internal static void WriteOut(string path, byte[] pdf)
    {
        try
        {
            DocumentFolder.WriteCopy(path, pdf);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserErrorException($"cannot write {path}: {e.Message}");
        }
    }
}
