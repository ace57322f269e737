using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace Billing.Core.Tests.Architecture;

/// <summary>The dependency rules of STYLE.md: a pure core, Hangfire only in the executable.</summary>
public class ArchitectureTests
{
    private static readonly string[] ForbiddenInLibraries = ["Hangfire", "Npgsql", "Dapper"];

    private static readonly Assembly Core = typeof(Billing.Core.Money.Money).Assembly;

    private static readonly Assembly Mediation = typeof(Billing.Mediation.CdrNormaliser).Assembly;

    private static readonly string RepositoryPath = RepositoryRoot.Find();

    private static bool IsBcl(AssemblyName name) =>
        name.Name is "mscorlib" or "netstandard" || name.Name!.StartsWith("System", StringComparison.Ordinal)
        || name.Name.StartsWith("Microsoft.Win32", StringComparison.Ordinal);

    private static bool Names(string name, string package) =>
        name.Equals(package, StringComparison.OrdinalIgnoreCase) || name.StartsWith(package + ".", StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<(string Project, string Package)> PackageReferences() =>
        Directory.EnumerateFiles(Path.Combine(RepositoryPath, "src"), "*.csproj", SearchOption.AllDirectories)
            .SelectMany(path => XDocument.Load(path).Descendants()
                .Where(e => e.Name.LocalName == "PackageReference")
                .Select(e => (Path.GetFileNameWithoutExtension(path), (string?)e.Attribute("Include") ?? (string?)e.Attribute("Update") ?? "")));

    [Fact]
    public void CoreAssembly_ReferencesOnlyTheBclAndNodaTime()
    {
        var others = Core.GetReferencedAssemblies().Where(a => !IsBcl(a) && a.Name != "NodaTime").Select(a => a.Name).ToList();

        Assert.Empty(others);
        Assert.Contains(Core.GetReferencedAssemblies(), a => a.Name == "NodaTime");
    }

    [Theory]
    [InlineData("Billing.Core")]
    [InlineData("Billing.Mediation")]
    public void LibraryAssembly_ReferencesNoHangfireNpgsqlOrDapper(string assemblyName)
    {
        var assembly = new[] { Core, Mediation }.Single(a => a.GetName().Name == assemblyName);

        var forbidden = assembly.GetReferencedAssemblies()
            .Where(a => ForbiddenInLibraries.Any(f => Names(a.Name!, f)))
            .Select(a => a.Name)
            .ToList();

        Assert.Empty(forbidden);
    }

    [Fact]
    public void SourceProjects_ReferenceHangfire_OnlyFromTheExecutable()
    {
        var references = PackageReferences().ToList();
        Assert.Contains(references, r => r.Project == "Billing.Core");

        var offenders = references
            .Where(r => Names(r.Package, "Hangfire") && r.Project != "Billing.Cli")
            .Select(r => $"{r.Project} → {r.Package}")
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void SourceProjects_ReferenceMailKit_OnlyFromNotifications()
    {
        var references = PackageReferences().ToList();
        Assert.Contains(references, r => r.Project == "Billing.Notifications" && r.Package == "MailKit");

        var offenders = references
            .Where(r => (Names(r.Package, "MailKit") || Names(r.Package, "MimeKit")) && r.Project != "Billing.Notifications")
            .Select(r => $"{r.Project} → {r.Package}")
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void CoreProject_ReferencesOnlyNodaTime()
    {
        var path = Path.Combine(RepositoryPath, "src", "Billing.Core", "Billing.Core.csproj");
        var project = XDocument.Load(path);

        var packages = project.Descendants().Where(e => e.Name.LocalName == "PackageReference")
            .Select(e => (string?)e.Attribute("Include") ?? (string?)e.Attribute("Update")).ToList();
        var projects = project.Descendants().Where(e => e.Name.LocalName is "ProjectReference" or "Reference")
            .Select(e => (string?)e.Attribute("Include")).ToList();

        Assert.Equal(["NodaTime"], packages);
        Assert.Empty(projects);
    }

    [Fact]
    public void CoreProject_CompilesNoSourcesOutsideItsFolder()
    {
        // A <Compile Include="..\..\Storage\*.cs"/> would smuggle I/O into the core without a reference.
        var project = XDocument.Load(Path.Combine(RepositoryPath, "src", "Billing.Core", "Billing.Core.csproj"));
        Assert.DoesNotContain(project.Descendants(), e => e.Name.LocalName == "Compile" && ((string?)e.Attribute("Include") ?? "").Contains("..", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("System.Diagnostics", "Stopwatch")]
    [InlineData("System", "GC")]
    [InlineData("System.Runtime", "GCSettings")]
    public void CoreAssembly_NeverTimesNorCollects_TheBenchmarksDo(string ns, string name)
    {
        // Every type the core uses from another assembly is in its TypeRef table, whatever the call.
        var referenced = ReferencedTypes(Core);

        Assert.Contains(("NodaTime", "Instant"), referenced);
        Assert.DoesNotContain((ns, name), referenced);
    }

    private static HashSet<(string Namespace, string Name)> ReferencedTypes(Assembly assembly)
    {
        using var file = File.OpenRead(assembly.Location);
        using var pe = new PEReader(file);
        var metadata = pe.GetMetadataReader();
        return metadata.TypeReferences
            .Select(metadata.GetTypeReference)
            .Select(t => (metadata.GetString(t.Namespace), metadata.GetString(t.Name)))
            .ToHashSet();
    }

    [Fact]
    public void StorageSources_UseNoMediationType_ButTheAccountImportRow()
    {
        // The manifest, suspense reasons and suspended records are core nouns, so Storage needs nothing of
        // Mediation but the accounts CSV row (AccountStore), until that row becomes a core noun too and the
        // project reference goes.
        var storage = Path.Combine(RepositoryPath, "src", "Billing.Storage");
        var offenders = Directory.EnumerateFiles(storage, "*.cs", SearchOption.AllDirectories)
            .Where(p => !Path.GetRelativePath(storage, p).StartsWith("obj", StringComparison.Ordinal) && Path.GetFileName(p) != "AccountStore.cs")
            .Where(p => File.ReadLines(p).Any(l => l.Contains("Billing.Mediation", StringComparison.Ordinal)))
            .Select(Path.GetFileName)
            .ToList();

        Assert.Empty(offenders);
    }
}
