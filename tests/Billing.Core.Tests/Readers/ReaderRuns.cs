using Billing.Mediation;
using Billing.Mediation.Readers;
using Xunit;

namespace Billing.Core.Tests.Readers;

/// <summary>Runs a reader over CSV text written to a temporary file, as the drop folder would.</summary>
internal static class ReaderRuns
{
    public static IReadOnlyList<(ReaderRow Row, string RawLine)> Read(SourceOptions source, string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"billing-reader-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, text);
        try
        {
            var opening = CdrReaders.OpenFile(path, source);
            Assert.Null(opening.Rejection);
            using var reader = opening.Reader!;
            var rows = new List<(ReaderRow, string)>();
            foreach (var row in reader.ReadRows())
            {
                rows.Add((row, reader.CurrentRawLine));
            }

            return rows;
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static ReaderRow Single(SourceOptions source, string line)
    {
        var rows = Read(source, line + "\n");
        Assert.Single(rows);
        return rows[0].Row;
    }

    public static RawCdr SingleCdr(SourceOptions source, string line)
    {
        var row = Single(source, line);
        Assert.Null(row.ProblemCode);
        Assert.Null(row.FilterReason);
        return Assert.IsType<RawCdr>(row.Cdr);
    }

    public static string? Rejection(SourceOptions source, string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"billing-reader-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, text);
        try
        {
            var opening = CdrReaders.OpenFile(path, source);
            opening.Reader?.Dispose();
            return opening.Rejection;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
