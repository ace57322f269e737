using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
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
    public void CoreTypes_AreNotNamedAfterATableRow()
    {
        // The core's nouns are the trade's (an account, a usage record to rate): a store's row shape stays in its store.
        var rows = Core.GetTypes().Where(t => t.Name.EndsWith("Row", StringComparison.Ordinal)).Select(t => t.FullName).ToList();

        Assert.Empty(rows);
        Assert.Contains(Core.GetTypes(), t => t.Name == "UsageToRate");
    }

    [Fact]
    public void PrepaidJobs_DoNotUseTheRatingJobs()
    {
        // Rating posts its prepaid charges through Prepaid's WalletPoster; Prepaid using Rating back would
        // be a circle. What both need (the catalogue cache) lives in Jobs' Catalog folder.
        var jobs = Path.Combine(RepositoryPath, "jobs", "Billing.Jobs");
        var ratingTypes = Directory.EnumerateFiles(Path.Combine(jobs, "Rating"), "*.cs")
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), @"^\s*(?:public|internal)\b[\w ]*?\b(?:class|record|struct|interface|enum)\s+(\w+)", RegexOptions.Multiline).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Contains("RateUsageJob", ratingTypes);

        var offenders = Directory.EnumerateFiles(Path.Combine(jobs, "Prepaid"), "*.cs")
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetFileName(f), Line: i + 1, Text: line)))
            .Where(l => l.Text.Contains("Billing.Jobs.Rating", StringComparison.Ordinal) || ratingTypes.Any(t => Regex.IsMatch(l.Text, $@"\b{t}\b")))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();

        Assert.Empty(offenders);
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
    public void DocumentsAssembly_ReferencesNeitherStorageNorNpgsqlNorDapper()
    {
        // The document layer draws a plain InvoiceDocument: loading one is the store's job.
        var documents = typeof(Billing.Documents.InvoiceRenderer).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("PdfSharp", documents);

        var forbidden = documents.Where(a => Names(a, "Billing.Storage") || Names(a, "Npgsql") || Names(a, "Dapper") || Names(a, "Hangfire")).ToList();

        Assert.Empty(forbidden);
    }

    [Fact]
    public void DocumentsProject_ReferencesOnlyTheCoreAndPdfsharp()
    {
        var project = XDocument.Load(Path.Combine(RepositoryPath, "src", "Billing.Documents", "Billing.Documents.csproj"));
        var packages = project.Descendants().Where(e => e.Name.LocalName == "PackageReference").Select(e => (string?)e.Attribute("Include")).ToList();
        var projects = project.Descendants().Where(e => e.Name.LocalName == "ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(((string?)e.Attribute("Include") ?? "").Replace('\\', '/'))).ToList();

        Assert.Equal(["PDFsharp"], packages);
        Assert.Equal(["Billing.Core"], projects);
    }

    [Fact]
    public void CommandLine_HoldsNoSql_AndEveryGroupBuildsItsOwnCommands()
    {
        // Commands parse, call a job or a store, print: the SQL lives in the store that owns the table,
        // and Program.cs only adds each group's Build(cli).
        var cli = Path.Combine(RepositoryPath, "src", "Billing.Cli");
        var sources = Directory.EnumerateFiles(cli, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)).ToList();
        Assert.Contains(sources, f => f.EndsWith("WalletCommands.cs", StringComparison.Ordinal));

        var sql = sources
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetFileName(f), Line: i + 1, Text: line)))
            .Where(l => Regex.IsMatch(l.Text, @"\busing Dapper;|\.(Query|QuerySingle|QueryFirstOrDefault|Execute|ExecuteScalar)(<[^>]*>)?\(|\b(SELECT|INSERT|UPDATE|DELETE)\s"))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();
        var program = File.ReadAllText(Path.Combine(cli, "Program.cs"));

        Assert.Empty(sql);
        Assert.DoesNotContain("new Command(", program, StringComparison.Ordinal);
        Assert.Contains("root.Subcommands.Add(WalletCommands.Build(cli));", program, StringComparison.Ordinal);
    }

    [Fact]
    public void StorageProject_DoesNotReferenceMediation()
    {
        // The manifest, suspense reasons, suspended records and accounts are core nouns: Storage writes
        // them without knowing how files are read.
        var project = XDocument.Load(Path.Combine(RepositoryPath, "src", "Billing.Storage", "Billing.Storage.csproj"));
        var projects = project.Descendants().Where(e => e.Name.LocalName == "ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(((string?)e.Attribute("Include") ?? "").Replace('\\', '/'))).ToList();

        Assert.Contains("Billing.Core", projects);
        Assert.DoesNotContain("Billing.Mediation", projects);
    }

    [Fact]
    public void Jobs_HoldNoSql_TheStoresDo()
    {
        // A job loads through stores, computes in the core, saves through stores: no SQL of its own.
        var jobs = Path.Combine(RepositoryPath, "jobs");
        var sources = Directory.EnumerateFiles(jobs, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)).ToList();
        Assert.Contains(sources, f => f.EndsWith("BillRunJob.cs", StringComparison.Ordinal));

        var sql = sources
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetFileName(f), Line: i + 1, Text: line)))
            .Where(l => Regex.IsMatch(l.Text, @"\busing Dapper;|\.(Query|QuerySingle|QueryFirstOrDefault|Execute|ExecuteScalar)(<[^>]*>)?\(|\b(SELECT|INSERT|UPDATE|DELETE)\s"))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();

        Assert.Empty(sql);
    }

    [Fact]
    public void OnlyTheJobsTheExecutableAndTheBenchmarks_ReferenceTheDocumentsProject()
    {
        // PDFs are rendered by jobs (and measured by `billing bench pdf`); the core, the stores, the readers
        // and the catalogue never lay out a page.
        var allowed = new[] { "Billing.Jobs", "Billing.Cli", "Billing.Benchmarks", "Billing.Documents" };
        var projects = Directory.EnumerateFiles(Path.Combine(RepositoryPath, "src"), "*.csproj", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(RepositoryPath, "jobs"), "*.csproj", SearchOption.AllDirectories))
            .ToList();
        Assert.Contains(projects, p => p.EndsWith("Billing.Jobs.csproj", StringComparison.Ordinal));

        var offenders = projects
            .Where(p => !allowed.Contains(Path.GetFileNameWithoutExtension(p)))
            .Where(p => XDocument.Load(p).Descendants().Any(e => e.Name.LocalName == "ProjectReference"
                && Path.GetFileNameWithoutExtension(((string?)e.Attribute("Include") ?? "").Replace('\\', '/')) == "Billing.Documents"))
            .Select(Path.GetFileName)
            .ToList();

        Assert.Empty(offenders);
    }
}
