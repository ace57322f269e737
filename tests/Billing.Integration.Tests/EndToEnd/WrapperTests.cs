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

        // A source edited after the build: newer than the built program, whatever the clock says now. That the build
        // itself works the first call proved; here the question is whether the wrapper asks for it again, so a `dotnet`
        // first on the PATH writes down a build it is asked for (and does not compile the same sources a second time)
        // and runs everything else with the real one.
        var dll = _copy.File("src", "Billing.Cli", "bin", "Release", "net10.0", "billing.dll");
        var source = _copy.File("src", "Billing.Cli", "Program.cs");
        var built = File.GetLastWriteTimeUtc(dll);
        File.SetLastWriteTimeUtc(source, built.AddMinutes(1));
        var builds = _copy.File("builds.txt");
        var third = Wrapper(elsewhere, ["config", "show"], new Dictionary<string, string> { ["PATH"] = RecordingDotnet(builds) + ":" + Environment.GetEnvironmentVariable("PATH") });

        Assert.True(third.Exit == 0, $"exit {third.Exit}: {third.Err}");
        Assert.Contains("billing: building the command (Release)", third.Err, StringComparison.Ordinal);
        Assert.Equal([$"build -c Release --nologo {_copy.File("src", "Billing.Cli", "Billing.Cli.csproj")}"], File.ReadAllLines(builds));
        Assert.Contains("\"mediation\"", third.Out, StringComparison.Ordinal);
        // Stamped with the time this build began (a build that finds the project up to date leaves the dll's time as it was).
        Assert.True(File.GetLastWriteTimeUtc(dll) > built, "the program kept the time of the first build");
    }

    /// <summary>A folder holding a `dotnet` that appends each `dotnet build …` line to <paramref name="builds"/> and runs anything else with the real one.</summary>
    private string RecordingDotnet(string builds)
    {
        var folder = Directory.CreateDirectory(_copy.File("recording-dotnet")).FullName;
        var real = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "dotnet")).First(File.Exists);
        var shim = Path.Combine(folder, "dotnet");
        File.WriteAllText(shim, $"""
            #!/usr/bin/env bash
            if [ "$1" = build ]; then echo "$*" >>'{builds}'; exit 0; fi
            exec '{real}' "$@"

            """);
        File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return folder;
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
    private (int Exit, string Out, string Err) Wrapper(string workingDirectory, params string[] args) => Wrapper(workingDirectory, args, null);

    private (int Exit, string Out, string Err) Wrapper(string workingDirectory, string[] args, IReadOnlyDictionary<string, string>? environment) =>
        ProgramRun.Run(_copy.File("billing"), args, workingDirectory, TimeSpan.FromMinutes(20), environment);
}
