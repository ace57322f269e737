namespace Billing.Core.Tests;

/// <summary>Temporary files for reader tests, deleted on dispose; and the repository root.</summary>
internal sealed class TempFile : IDisposable
{
    public TempFile(byte[] content, string name = "cdrs.csv")
    {
        Folder = Path.Combine(Path.GetTempPath(), "billing-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        FilePath = Path.Combine(Folder, name);
        File.WriteAllBytes(FilePath, content);
    }

    public TempFile(string content, string name = "cdrs.csv")
        : this(System.Text.Encoding.UTF8.GetBytes(content), name)
    {
    }

    public string Folder { get; }

    public string FilePath { get; }

    public void Dispose()
    {
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}

/// <summary>When the test CDR files count as written: after every call in them (all of them are from 2026-11).</summary>
internal static class Written
{
    public static readonly NodaTime.Instant At = NodaTime.Instant.FromUtc(2026, 12, 1, 0, 0);
}

internal static class RepositoryRoot
{
    /// <summary>The folder holding Billing.Batch.sln, found by walking up from the test binaries.</summary>
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Billing.Batch.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Billing.Batch.sln not found above {AppContext.BaseDirectory}");
    }
}
