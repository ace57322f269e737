using System.ComponentModel;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using Billing.Jobs;
using Hangfire.Common;
using Hangfire.Dashboard;
using Hangfire.Storage;

namespace Billing.Cli.Hosting;

/// <summary>
/// The dashboard's Progress page (<c>/hangfire/progress</c>, in its menu): every job running now, by its
/// readable name, with the server running it, since when, and how far it has got as the job last reported
/// it (<see cref="JobProgress"/>). Behind the dashboard's own authorization, like its other pages; it only
/// reads, and every value is HTML-encoded.
/// </summary>
public sealed class ProgressPage : IDashboardDispatcher
{
    public const string Route = "/progress";

    private static int s_registered;

    /// <summary>Adds the page and its menu item to Hangfire's (process-wide) dashboard routes, once.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref s_registered, 1) == 1)
        {
            return;
        }

        DashboardRoutes.Routes.Add(Route, new ProgressPage());
        NavigationMenu.Items.Add(page => new MenuItem("Progress", page.Url.To(Route))
        {
            Active = page.RequestPath.StartsWith(Route, StringComparison.Ordinal),
        });
    }

    public async Task Dispatch(DashboardContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var html = Html(context.Storage.GetMonitoringApi(), context.Request.PathBase);
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(html);
    }

    /// <summary>A running job as the page shows it.</summary>
    public sealed record Row(string JobId, string Name, string Server, DateTime? StartedAt, string? Progress);

    /// <summary>The jobs running now (at most 500) with their progress.</summary>
    public static IReadOnlyList<Row> Running(IMonitoringApi monitoring)
    {
        ArgumentNullException.ThrowIfNull(monitoring);
        return [.. monitoring.ProcessingJobs(0, 500).Select(kv =>
        {
            var details = monitoring.JobDetails(kv.Key);
            var progress = JobProgress.Read(details?.Properties);
            return new Row(kv.Key, Name(kv.Value.Job), kv.Value.ServerId ?? "", kv.Value.StartedAt, progress);
        })];
    }

    /// <summary>The page: a table of <see cref="Running"/>, links back to the dashboard's lists.</summary>
    public static string Html(IMonitoringApi monitoring, string pathBase)
    {
        static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
        var rows = Running(monitoring);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Progress — Billing.Batch jobs</title>")
            .Append("<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em}table{border-collapse:collapse}th,td{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}th{background:#f4f4f4}</style>")
            .Append("</head><body>")
            .Append(CultureInfo.InvariantCulture, $"<p><a href=\"{E(pathBase)}/\">← Dashboard</a> · <a href=\"{E(pathBase)}/jobs/processing\">Processing</a></p>")
            .Append("<h1>Progress of the running jobs</h1>");
        if (rows.Count == 0)
        {
            html.Append("<p>No job is running now.</p>");
        }
        else
        {
            html.Append("<table><thead><tr><th>Job</th><th>Name</th><th>Server</th><th>Started (UTC)</th><th>Progress</th></tr></thead><tbody>");
            foreach (var r in rows)
            {
                html.Append(CultureInfo.InvariantCulture,
                    $"<tr><td><a href=\"{E(pathBase)}/jobs/details/{E(Uri.EscapeDataString(r.JobId))}\">#{E(r.JobId)}</a></td><td>{E(r.Name)}</td><td>{E(r.Server)}</td>" +
                    $"<td>{E(r.StartedAt?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))}</td><td>{E(r.Progress ?? "(not reported yet)")}</td></tr>");
            }

            html.Append("</tbody></table>");
        }

        return html.Append("</body></html>").ToString();
    }

    /// <summary>The job's readable name: its method's [DisplayName] filled with its arguments, else Type.Method.</summary>
    public static string Name(Job? job)
    {
        if (job is null)
        {
            return "?";
        }

        var format = job.Method.GetCustomAttribute<DisplayNameAttribute>()?.DisplayName;
        if (format is null)
        {
            return $"{job.Type.Name}.{job.Method.Name}";
        }

        try
        {
            return string.Format(CultureInfo.InvariantCulture, format, [.. job.Args]);
        }
        catch (FormatException)
        {
            return format;
        }
    }
}
