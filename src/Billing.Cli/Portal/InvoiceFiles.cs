using Billing.Core.Documents;
using Billing.Core.Dunning;
using Billing.Storage.Documents;
using Npgsql;

namespace Billing.Cli.Portal;

/// <summary>A rendered invoice's (or dunning letter's) file as the database records it: where it is, its size and SHA-256.</summary>
public sealed record InvoiceFile(string Number, string Path, long SizeBytes, string Sha256);

/// <summary>
/// The files of rendered invoices, found by invoice number or bill run, and of dunning letters, found by
/// invoice number and step, in the database (<see cref="DocumentStore"/>): a path is only ever what the
/// document store recorded.
/// </summary>
public static class InvoiceFiles
{
    /// <summary>The recorded PDF of the issued invoice <paramref name="number"/>, or null if it has none.</summary>
    public static InvoiceFile? Invoice(NpgsqlConnection conn, string number) => Of(DocumentStore.Find(conn, number));

    /// <summary>The run's issued invoices in number order, each with its recorded PDF (null: not rendered), read in one query.</summary>
    public static IEnumerable<(string Number, InvoiceFile? File)> OfRun(NpgsqlConnection conn, long runId) =>
        DocumentStore.InvoiceFilesOfRun(conn, runId).Select(r => (r.Number, Of(r.File)));

    /// <summary>The recorded PDF of the letter of invoice <paramref name="invoice"/>'s step <paramref name="step"/>, or null.</summary>
    public static InvoiceFile? Letter(NpgsqlConnection conn, string invoice, string step) =>
        Of(DocumentStore.Find(conn, DunningLetter.NumberOf(invoice, step), DocumentKind.Letter), DocumentKind.Letter);

    /// <summary>Of these (invoice, step) letters, those with a recorded PDF, in one read.</summary>
    public static IReadOnlySet<(string Invoice, string Step)> LettersStored(NpgsqlConnection conn, IEnumerable<(string Invoice, string Step)> letters)
    {
        var asked = letters.Distinct().ToList();
        var stored = DocumentStore.Recorded(conn, DocumentKind.Letter, [.. asked.Select(l => DunningLetter.NumberOf(l.Invoice, l.Step))]);
        return asked.Where(l => stored.ContainsKey(DunningLetter.NumberOf(l.Invoice, l.Step))).ToHashSet();
    }

    private static InvoiceFile? Of(RenderedDocument? d, DocumentKind kind = DocumentKind.Invoice) =>
        d is not null && d.Kind == kind ? new InvoiceFile(d.Number, d.Path, d.SizeBytes, d.Sha256) : null;
}
