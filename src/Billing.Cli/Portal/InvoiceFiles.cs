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
    public static InvoiceFile? Invoice(NpgsqlConnection conn, string number) =>
        DocumentStore.Find(conn, number) is { Kind: DocumentKind.Invoice } d ? new InvoiceFile(d.Number, d.Path, d.SizeBytes, d.Sha256) : null;

    /// <summary>The run's issued invoices in number order, each with its recorded PDF (null: not rendered). Read one by one, as a ZIP is written.</summary>
    public static IEnumerable<(string Number, InvoiceFile? File)> OfRun(NpgsqlConnection conn, long runId) =>
        DocumentStore.InvoiceNumbers(conn, runId).Select(n => (n, Invoice(conn, n)));
}
