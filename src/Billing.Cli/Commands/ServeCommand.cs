using Billing.Jobs;
using Billing.Jobs.Catalog;
using Billing.Jobs.Mediation;
using Billing.Jobs.Notifications;
using Billing.Jobs.Rating;
using Billing.Storage;
using Hangfire;
using Hangfire.PostgreSql;
using NodaTime;
using Serilog;

namespace Billing.Cli.Commands;

/// <summary>
/// billing serve: the web host. Hangfire server and dashboard (/hangfire, local requests only until
/// real authentication exists), with the recurring schedules of <see cref="Schedules"/>.
/// </summary>
public static class ServeCommand
{
    public static int Run(GlobalOptions g, string urls, int workers)
    {
        using var rt = Runtime.Start(g);
        var builder = WebApplication.CreateBuilder();
        builder.Host.UseSerilog();
        builder.WebHost.UseUrls(urls);
        builder.Services.AddSingleton(rt.Db);
        builder.Services.AddSingleton(rt.Config.Mediation);
        builder.Services.AddSingleton<IClock>(SystemClock.Instance);
        builder.Services.AddTransient<IngestFileJob>();
        builder.Services.AddTransient<IngestDropFolderJob>();
        builder.Services.AddTransient<RecycleSuspenseJob>();
        builder.Services.AddSingleton<CatalogCache>();
        builder.Services.AddTransient<RateUsageJob>();
        builder.Services.AddSingleton(WalletCommands.Templates(rt));
        builder.Services.AddTransient<Billing.Jobs.Prepaid.ExpireCreditJob>();
        builder.Services.AddSingleton(rt.Config.NotificationDelivery());
        builder.Services.AddTransient<DeliverNotificationsJob>();
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
        builder.Services.AddHangfireServer(o => o.WorkerCount = Math.Max(1, workers));

        var app = builder.Build();
        app.MapGet("/", () => Results.Redirect("/hangfire"));
        app.MapGet("/health", () => Results.Ok(new { status = "ok" }));
        app.UseHangfireDashboard("/hangfire", new DashboardOptions { DashboardTitle = "Billing.Batch jobs" });
        Schedules.Register(app.Services.GetRequiredService<IRecurringJobManager>());
        Log.Information("billing serve: {Where}; dashboard at {Urls}/hangfire; drop folder {Drop}", rt.Where, urls, Path.GetFullPath(rt.Config.Mediation.DropFolder));
        app.Run();
        return 0;
    }
}
