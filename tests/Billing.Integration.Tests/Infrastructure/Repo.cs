namespace Billing.Integration.Tests.Infrastructure;

/// <summary>Paths in the repository, found by walking up to Billing.Batch.sln.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string SampleCdrs => Path.Combine(Root, "sample-cdrs");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Billing.Batch.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Billing.Batch.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A scratch folder deleted at the end of a test.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "billing-t-" + Guid.NewGuid().ToString("N")[..12]);

    public string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
