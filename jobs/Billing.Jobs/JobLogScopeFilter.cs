using Hangfire.Server;
using Serilog.Context;

namespace Billing.Jobs;

/// <summary>
/// Tags every log line written inside a job with its Hangfire job id and name, so a line in the log
/// file leads to the job on the dashboard (and back). Register it once, on the server.
/// </summary>
public sealed class JobLogScopeFilter : IServerFilter
{
    private const string ScopeKey = "Billing.Jobs.LogScope";

    public void OnPerforming(PerformingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var job = context.BackgroundJob;
        var jobName = job.Job is { } j ? $"{j.Type.Name}.{j.Method.Name}" : "?";
        context.Items[ScopeKey] = new Scope(LogContext.PushProperty("JobId", job.Id), LogContext.PushProperty("JobName", jobName));
    }

    public void OnPerformed(PerformedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.Remove(ScopeKey, out var scope) && scope is IDisposable d)
        {
            d.Dispose();
        }
    }

    /// <summary>Pops in reverse order of pushing, as LogContext expects.</summary>
    private sealed class Scope(IDisposable jobId, IDisposable jobName) : IDisposable
    {
        public void Dispose()
        {
            jobName.Dispose();
            jobId.Dispose();
        }
    }
}
