using Billing.Core.Documents;
using Billing.Storage.Documents;
using Npgsql;

namespace Billing.Cli.Portal;

/// <summary>A rendered invoice's file as the database records it: where it is, its size and SHA-256.</summary>
public sealed record InvoiceFile(string Number, string Path, long SizeBytes, string Sha256);

/// <summary>
/// The files of rendered invoices, found by invoice number or bill run in the database
/// (<see cref="DocumentStore"/>): a path is only ever what the document store recorded.
/// </summary>
public static class InvoiceFiles
{
    /// <summary>The recorded PDF of the issued invoice <paramref name="number"/>, or null if it has none.</summary>
    public static InvoiceFile? Invoice(NpgsqlConnection conn, string number) => Of(DocumentStore.Find(conn, number));

    /// <summary>The run's issued invoices in number order, each with its recorded PDF (null: not rendered), read in one query.</summary>
    public static IEnumerable<(string Number, InvoiceFile? File)> OfRun(NpgsqlConnection conn, long runId) =>
        DocumentStore.InvoiceFilesOfRun(conn, runId).Select(r => (r.Number, Of(r.File)));

    private static InvoiceFile? Of(RenderedDocument? d) =>
        d is { Kind: DocumentKind.Invoice } ? new InvoiceFile(d.Number, d.Path, d.SizeBytes, d.Sha256) : null;
}
