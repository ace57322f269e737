using Billing.Integration.Tests.Infrastructure;

namespace Billing.Integration.Tests.EndToEnd;

/// <summary>
/// README's `./billing`: the repo-root script that builds the command once in Release and then runs the built
/// program. Tried on a fresh copy of the sources (no bin/, no obj/), as a new clone would be.
/// </summary>
public sealed class WrapperTests : IDisposable
{
    private readonly TempDir _copy = new();

    public void Dispose() => _copy.Dispose();

    [Fact]
    public void The_wrapper_builds_a_fresh_copy_once_then_runs_the_built_program_and_builds_again_only_when_a_source_is_newer()
    {
        CopySources(Repo.Root, _copy.Path);
        var elsewhere = Directory.CreateDirectory(_copy.File("somewhere-else")).FullName;

        var first = Wrapper(elsewhere, "--help");
        var second = Wrapper(elsewhere, "--help");

        Assert.True(first.Exit == 0, $"exit {first.Exit}: {first.Err}");
        Assert.Contains("billing: building the command (Release)", first.Err, StringComparison.Ordinal);
        Assert.Contains("Start with: billing demo", first.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(_copy.File("src", "Billing.Cli", "bin", "Release", "net10.0", "billing.dll")));
        Assert.True(second.Exit == 0, $"exit {second.Exit}: {second.Err}");
        Assert.Equal(first.Out, second.Out);
        Assert.DoesNotContain("building", second.Err, StringComparison.Ordinal);
        // It runs where it is called: nothing of the program's state lands in the repository copy.
        Assert.False(Directory.Exists(_copy.File(".billing")));

        // A source edited after the build: newer than the built program, whatever the clock says now.
        var built = File.GetLastWriteTimeUtc(_copy.File("src", "Billing.Cli", "bin", "Release", "net10.0", "billing.dll"));
        File.SetLastWriteTimeUtc(_copy.File("src", "Billing.Cli", "Program.cs"), built.AddMinutes(1));
        var third = Wrapper(elsewhere, "config", "show");

        Assert.True(third.Exit == 0, $"exit {third.Exit}: {third.Err}");
        Assert.Contains("billing: building the command (Release)", third.Err, StringComparison.Ordinal);
        Assert.Contains("\"mediation\"", third.Out, StringComparison.Ordinal);
    }

    /// <summary>What a clone holds of what the build needs: the script, the build files and the sources, without build output.</summary>
    private static void CopySources(string from, string to)
    {
        foreach (var file in (string[])["billing", "Directory.Build.props", "Directory.Packages.props", ".editorconfig"])
        {
            File.Copy(Path.Combine(from, file), Path.Combine(to, file));
        }

        foreach (var dir in (string[])["src", "jobs", "templates"])
        {
            CopyTree(Path.Combine(from, dir), Path.Combine(to, dir));
        }
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var dir in Directory.GetDirectories(from).Where(d => Path.GetFileName(d) is not ("bin" or "obj")))
        {
            CopyTree(dir, Path.Combine(to, Path.GetFileName(dir)));
        }
    }

    // A Release build of every project on a loaded two-core machine: generous, the test is not about speed.
    private (int Exit, string Out, string Err) Wrapper(string workingDirectory, params string[] args) =>
        ProgramRun.Run(_copy.File("billing"), args, workingDirectory, TimeSpan.FromMinutes(20));
}
