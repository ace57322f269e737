using Billing.Jobs.Scheduling;
using Billing.Mediation;
using Billing.Storage;
using Hangfire;

namespace Billing.Cli.Hosting;

/// <summary>
/// GET /health for a load balancer: 200 when the database answers, its schema is this build's,
/// and the drop folder can be read and written; 503 otherwise. Open to anyone, so it says only
/// yes or no and when each recurring job last succeeded: no paths, versions, names or errors.
/// </summary>
public static class HealthEndpoint
{
    public const string Path = "/health";

    public sealed record Report(string Status, bool Database, bool SchemaCurrent, bool DropFolderReadable, bool DropFolderWritable, IReadOnlyList<JobSuccess> RecurringJobs)
    {
        public bool Healthy => Database && SchemaCurrent && DropFolderReadable && DropFolderWritable;
    }

    /// <summary>A recurring job and its last success (UTC), null when it has not succeeded yet.</summary>
    public sealed record JobSuccess(string Id, DateTime? LastSuccess);

    public static void MapHealth(this IEndpointRouteBuilder app, BillingDatabase db, string dropFolder, IReadOnlyList<Schedule> schedules)
    {
        app.MapGet(Path, async (HttpContext ctx, JobStorage storage) =>
        {
            var report = await Check(db, dropFolder, schedules, storage, ctx.RequestAborted);
            ctx.Response.Headers.CacheControl = "no-store";
            return Results.Json(report, BillingConfig.Json, statusCode: report.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
    }

    public static async Task<Report> Check(BillingDatabase db, string dropFolder, IReadOnlyList<Schedule> schedules, JobStorage storage, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(schedules);
        ArgumentNullException.ThrowIfNull(storage);
        bool reachable = false, current = false;
        try
        {
            await using var conn = await db.OpenAsync(cancel);
            reachable = true;
            current = await Migrator.CurrentVersionAsync(conn) == Migrator.Latest;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or DatabaseUnavailableException or TimeoutException)
        {
            // Unhealthy, said as such: the error's words stay in the log, not in an open answer.
            Serilog.Log.Warning("GET /health: database check failed: {Message}", e.Message);
        }

        var (readable, writable) = Usable(new DropFolder(dropFolder));
        IReadOnlyDictionary<string, DateTime> successes = new Dictionary<string, DateTime>();
        if (reachable)
        {
            try
            {
                using var connection = storage.GetConnection();
                successes = LastSuccessFilter.Read(connection);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException)
            {
                Serilog.Log.Warning("GET /health: cannot read the last successes: {Message}", e.Message);
            }
        }

        var healthy = reachable && current && readable && writable;
        return new Report(healthy ? "healthy" : "unhealthy", reachable, current, readable, writable,
            [.. schedules.Select(s => new JobSuccess(s.Id, successes.TryGetValue(s.Id, out var t) ? t : null))]);
    }

    /// <summary>Whether the drop folder's incoming/ can be listed, and a file made (and at once removed) in the folder itself, where no poll looks.</summary>
    private static (bool Readable, bool Writable) Usable(DropFolder drop)
    {
        bool readable, writable;
        try
        {
            _ = Directory.EnumerateFileSystemEntries(System.IO.Path.Combine(drop.Root, "incoming")).Take(1).ToList();
            readable = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            readable = false;
        }

        try
        {
            using (new FileStream(System.IO.Path.Combine(drop.Root, $".health-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }

            writable = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            writable = false;
        }

        return (readable, writable);
    }
}
