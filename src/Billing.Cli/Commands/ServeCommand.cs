using System.CommandLine;
using System.Net;
using System.Xml.Linq;
using Billing.Cli.Portal;
using Billing.Cli.Hosting;
using Billing.Jobs;
using Billing.Jobs.Scheduling;
using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Serilog;

namespace Billing.Cli.Commands;

/// <summary>
/// billing serve: the web host. Hangfire server and dashboard (/hangfire), with the recurring
/// schedules of <see cref="Schedules"/> as configured, the finance portal (/portal) and /health.
/// The dashboard and the portal are behind the portal's sign-in (<see cref="DashboardAccess"/>,
/// <see cref="PortalAuth"/>) whatever the address; every dashboard action needs the antiforgery
/// token its own pages carry. serve listens on loopback unless --urls says otherwise, and says which.
/// </summary>
public static class ServeCommand
{
    public const string LoopbackOnly = "loopback only: reachable from this machine (an SSH tunnel or a reverse proxy on it for others)";

    public const string BeyondLoopback = "reachable from other machines: put a reverse proxy with TLS in front (README: Exposing serve)";

    /// <summary>Hangfire workers each hold a database connection: PostgreSQL's default max_connections is 100.</summary>
    public const int MaxWorkers = 100;

    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var urls = new Option<string>("--urls") { Description = "Where the web host listens (loopback by default; another address is reachable from other machines)", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var workers = new Option<int>("--workers") { Description = $"Hangfire worker count, 1 to {MaxWorkers}", DefaultValueFactory = _ => Math.Min(Environment.ProcessorCount, MaxWorkers) }.Within(1, MaxWorkers);
        var serve = new Command("serve", "Web host: Hangfire server and dashboard (/hangfire), the finance portal (/portal), /health, and the recurring jobs of `billing schedules list`") { urls, workers };
        serve.SetAction(p => cli.Serve(p, g => Run(g, p.GetValue(urls)!, p.GetValue(workers))));
        return serve;
    }

    public static int Run(GlobalOptions g, string urls, int workers)
    {
        // serve makes a missing drop folder (switches will write into it); one that cannot be used stops it here.
        if (new Billing.Mediation.DropFolder(BillingConfig.Load(g.ConfigPath).Mediation.DropFolder).Problem(create: true) is { } problem)
        {
            throw new UserErrorException(problem);
        }

        using var rt = Runtime.Start(g);
        var schedules = rt.Config.RecurringJobs();
        var builder = WebApplication.CreateBuilder();
        builder.Host.UseSerilog();
        builder.WebHost.UseUrls(urls);
        rt.Jobs.Register(builder.Services);
        builder.Services.AddHangfire(c => c
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseFilter(new JobLogScopeFilter())
            .UseFilter(new JobProgress.Filter())
            .UseFilter(new LastSuccessFilter(rt.Jobs.Clock))
            .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(rt.Db.ConnectionString), HangfireStorage.Options(prepareSchema: true)));
        builder.Services.AddHangfireServer(o => o.WorkerCount = workers);

        // Hangfire's dashboard checks IAntiforgery when it is registered. The keys that sign its
        // tokens live in memory: a page is good for this process only, and nothing is written to disk.
        builder.Services.Configure<KeyManagementOptions>(o => o.XmlRepository = new InMemoryKeyRing());
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.HttpOnly = true;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        builder.Services.AddPortalAuth(rt.Db);

        var app = builder.Build();
        // First: everything after it (the sign-in throttle, the log, Secure cookies) sees the client
        // and scheme a configured proxy reports, and nobody else's claims.
        app.UseForwardedHeaders(rt.Config.Serve.ForwardedHeaders());
        app.MapGet("/", () => Results.Redirect(DashboardAccess.Path));
        app.MapHealth(rt.Db, rt.Config.Mediation.DropFolder, schedules);
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapPortal(rt.Db, rt.Jobs.Clock);
        app.UseDashboardHeaders();
        app.MapDashboard();
        var recurring = app.Services.GetRequiredService<IRecurringJobManager>();
        Schedules.Register(recurring, schedules);
        // A changed sources' configuration takes effect now: its recycle need not wait for the hour.
        recurring.Trigger(Schedules.RecycleSuspense);
        using var watcher = rt.Jobs.DropFolderWatcher(app.Services.GetRequiredService<IBackgroundJobClient>());
        watcher.Start();
        rt.LeaveSignalsToHost();
        app.Start();

        Log.Information("billing serve: {Where}; listening on {Urls} ({Reach}); finance portal at {Portal}/portal, dashboard at {Portal}/hangfire (sign in as a user of `billing users add`); /health; drop folder {Drop}",
            rt.Where, string.Join(' ', app.Urls), Reach(app.Urls), app.Urls.First(), app.Urls.First(), Path.GetFullPath(rt.Config.Mediation.DropFolder));
        app.WaitForShutdown();
        return 0;
    }

    /// <summary>What the startup line says about who can reach serve: <see cref="LoopbackOnly"/> or <see cref="BeyondLoopback"/>.</summary>
    public static string Reach(IEnumerable<string> urls) => NonLoopback(urls) is null ? LoopbackOnly : BeyondLoopback;

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
