using Billing.Core.Catalog;

namespace Billing.Catalog;

/// <summary>A problem in a catalogue file. <paramref name="Line"/> is 1-based; 0 means the file as a whole (e.g. missing).</summary>
public sealed record CatalogError(string File, long Line, string Message)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Message}" : $"{File}: {Message}";
}

/// <summary>
/// The outcome of loading a catalogue: the catalogue when there were no errors, and every error
/// (and warning) found — loading never stops at the first.
/// </summary>
public sealed record CatalogLoadResult(TariffCatalog? Catalog, IReadOnlyList<CatalogError> Errors, IReadOnlyList<CatalogError> Warnings)
{
    public bool Succeeded => Catalog is not null && Errors.Count == 0;
}

/// <summary>Collects errors and warnings while a loader walks its files.</summary>
internal sealed class CatalogProblems
{
    private readonly List<CatalogError> _errors = [];
    private readonly List<CatalogError> _warnings = [];

    public int ErrorCount => _errors.Count;

    public void Error(string file, long line, string message) => _errors.Add(new CatalogError(file, line, message));

    public void Warning(string file, long line, string message) => _warnings.Add(new CatalogError(file, line, message));

    public CatalogLoadResult Result(Func<TariffCatalog> build) =>
        _errors.Count == 0 ? new CatalogLoadResult(build(), [], _warnings) : new CatalogLoadResult(null, _errors, _warnings);
}
