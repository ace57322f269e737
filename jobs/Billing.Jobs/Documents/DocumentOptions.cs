namespace Billing.Jobs.Documents;

/// <summary>Configuration of invoice and credit-note PDFs (<c>documents</c> in billing.json).</summary>
public sealed record DocumentOptions
{
    /// <summary>The document store; null = &lt;stateDirectory&gt;/documents (.billing/documents).</summary>
    public string? Folder { get; init; }

    /// <summary>The folder of brands (templates/invoices); null = the working directory's, else the copy shipped with the program.</summary>
    public string? Templates { get; init; }

    /// <summary>The brand: a folder under <see cref="Templates"/>.</summary>
    public string Brand { get; init; } = "default";

    /// <summary>The DejaVu fonts; null = templates/fonts here, else the shipped copy.</summary>
    public string? Fonts { get; init; }

    /// <summary>Whether invoices carry the itemised annex of usage (an account can still turn it off for itself).</summary>
    public bool Annex { get; init; } = true;

    /// <summary>Invoices loaded and rendered together (one set of queries per chunk).</summary>
    public int ChunkSize { get; init; } = 200;

    /// <summary>Threads drawing one render's PDFs (a run from the command line, a bill-run batch's job); null = one a core.</summary>
    public int? Workers { get; init; }

    /// <summary>The threads a render draws on: <see cref="Workers"/>, else the machine's cores.</summary>
    public int WorkersInForce => Workers ?? Environment.ProcessorCount;

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Brand) || Brand.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            problems.Add($"documents.brand '{Brand}' must be letters, digits, '-' or '_' (a folder under templates/invoices)");
        }

        if (ChunkSize is < 1 or > 10_000)
        {
            problems.Add($"documents.chunkSize must be 1–10000, not {ChunkSize}");
        }

        if (Workers is < 1 or > 256)
        {
            problems.Add($"documents.workers must be 1–256 (or null: one a core), not {Workers}");
        }

        return problems;
    }
}
