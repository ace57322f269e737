using System.CommandLine;
using System.Net;
using System.Xml.Linq;
using Billing.Cli.Portal;
using Billing.Jobs;
using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Serilog;

namespace Billing.Cli.Commands;

/// <summary>
/// billing serve: the web host. Hangfire server and dashboard (/hangfire), with the recurring
/// schedules of <see cref="Schedules"/>, and the finance portal (/portal, behind its own sign-in:
/// <see cref="PortalEndpoints"/>). Until sign-in exists the dashboard has no users, so the host
/// listens on loopback addresses only, and every dashboard action needs the antiforgery token its
/// own pages carry: a form posted from another site is refused.
/// </summary>
public static class ServeCommand
{
    public const string LoopbackOnly = "loopback only: the dashboard has no sign-in yet";

    /// <summary>Hangfire workers each hold a database connection: PostgreSQL's default max_connections is 100.</summary>
    public const int MaxWorkers = 100;

    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var urls = new Option<string>("--urls") { Description = "Where the web host listens", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var workers = new Option<int>("--workers") { Description = $"Hangfire worker count, 1 to {MaxWorkers}", DefaultValueFactory = _ => Math.Min(Environment.ProcessorCount, MaxWorkers) }.Within(1, MaxWorkers);
        var serve = new Command("serve", "Web host: Hangfire server and dashboard (/hangfire), drop-folder polling and notification delivery every minute") { urls, workers };
        serve.SetAction(p => cli.Serve(p, g => Run(g, p.GetValue(urls)!, p.GetValue(workers))));
        return serve;
    }

    public static int Run(GlobalOptions g, string urls, int workers)
    {
        if (NonLoopback(urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) is { } open)
        {
            throw new UserErrorException(Refusal(open));
        }

        // serve makes a missing drop folder (switches will write into it); one that cannot be used stops it here.
        if (new Billing.Mediation.DropFolder(BillingConfig.Load(g.ConfigPath).Mediation.DropFolder).Problem(create: true) is { } problem)
        {
            throw new UserErrorException(problem);
        }

        using var rt = Runtime.Start(g);
        var builder = WebApplication.CreateBuilder();
        builder.Host.UseSerilog();
        builder.WebHost.UseUrls(urls);
        rt.Jobs.Register(builder.Services);
        builder.Services.AddHangfire(c => c
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseFilter(new JobLogScopeFilter())
            .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(rt.Db.ConnectionString), new PostgreSqlStorageOptions
            {
                SchemaName = "hangfire",
                PrepareSchemaIfNecessary = true,
                QueuePollInterval = TimeSpan.FromMilliseconds(500),
            }));
        builder.Services.AddHangfireServer(o => o.WorkerCount = workers);

        // Hangfire's dashboard checks IAntiforgery when it is registered. The keys that sign its
        // tokens live in memory: a page is good for this process only, and nothing is written to disk.
        builder.Services.Configure<KeyManagementOptions>(o => o.XmlRepository = new InMemoryKeyRing());
        builder.Services.AddAntiforgery();
        builder.Services.AddPortalAuth(rt.Db);

        var app = builder.Build();
        app.MapGet("/", () => Results.Redirect("/hangfire"));
        app.MapGet("/health", () => Results.Ok(new { status = "ok" }));
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapPortal(rt.Db, rt.Jobs.Clock);
        app.UseHangfireDashboard("/hangfire", new DashboardOptions { DashboardTitle = "Billing.Batch jobs" });
        Schedules.Register(app.Services.GetRequiredService<IRecurringJobManager>());
        rt.LeaveSignalsToHost();
        app.Start();

        // Kestrel may also bind what configuration says (Kestrel:Endpoints): check what it really listens on.
        if (NonLoopback(app.Urls) is { } bound)
        {
            app.StopAsync().GetAwaiter().GetResult();
            throw new UserErrorException(Refusal(bound));
        }

        Log.Information("billing serve: {Where}; finance portal at {Portal}/portal (users: billing users add NAME --role finance); dashboard at {Urls}/hangfire ({LoopbackOnly}); drop folder {Drop}",
            rt.Where, app.Urls.First(), string.Join(' ', app.Urls), LoopbackOnly, Path.GetFullPath(rt.Config.Mediation.DropFolder));
        app.WaitForShutdown();
        return 0;
    }

    /// <summary>The first of <paramref name="urls"/> that is not on a loopback address (127.0.0.0/8, ::1, localhost), or null.</summary>
    public static string? NonLoopback(IEnumerable<string> urls) => urls.FirstOrDefault(url => !IsLoopback(url));

    private static bool IsLoopback(string url)
    {
        // Kestrel reads http://*:80, http://+:80 and http://0.0.0.0:80 as every address: none is loopback.
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return false;
        }

        return uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }

    private static string Refusal(string url) =>
        $"serve refuses to listen on {url}: {LoopbackOnly}. Use --urls http://127.0.0.1:PORT (or [::1], localhost) and reach it from elsewhere through an SSH tunnel.";
}

/// <summary>The antiforgery keys of one serve process, never persisted (so there is nothing on disk to encrypt).</summary>
internal sealed class InMemoryKeyRing : IXmlRepository
{
    private readonly List<XElement> _elements = [];

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (_elements)
        {
            return [.. _elements.Select(e => new XElement(e))];
        }
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        lock (_elements)
        {
            _elements.Add(new XElement(element));
        }
    }
}
