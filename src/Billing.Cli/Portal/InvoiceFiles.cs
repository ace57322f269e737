using Npgsql;

namespace Billing.Cli.Portal;

/// <summary>A rendered document's file as the database records it: where it is, its size and SHA-256.</summary>
public sealed record InvoiceFile(string Number, string Path, long SizeBytes, string Sha256);

/// <summary>The files of rendered invoices, found by invoice number or bill run in the database only.</summary>
public static class InvoiceFiles
{
    // Until the documents store is merged: nothing is rendered.
    public static InvoiceFile? Invoice(NpgsqlConnection conn, string number) => conn is null || number is null ? null : null;

    public static IEnumerable<InvoiceFile> OfRun(NpgsqlConnection conn, long runId) => conn is null || runId < 0 ? [] : [];
}
