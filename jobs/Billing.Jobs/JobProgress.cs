using System.Globalization;
using Hangfire.Common;
using Hangfire.Server;
using Hangfire.Storage;

namespace Billing.Jobs;

/// <summary>
/// How far a long job has got, kept on the running Hangfire job as its <see cref="Parameter"/> parameter,
/// where the dashboard's Progress page reads it. Jobs report through <see cref="Report"/> or a
/// <see cref="Counter"/>; outside a Hangfire worker (the command line) nothing is kept. Written at most
/// once a second, and always the last report, so a long job costs a write a second at most.
/// </summary>
public static class JobProgress
{
    public const string Parameter = "progress";

    // Hangfire runs a job's method on the worker's own thread, between OnPerforming and OnPerformed.
    [ThreadStatic]
    private static Sink? t_current;

    /// <summary>Keeps <paramref name="text"/> as the running job's progress (now if <paramref name="final"/>, else at most once a second).</summary>
    public static void Report(string text, bool final = false) => t_current?.Write(text, final);

    /// <summary>A (done, total) callback that reports "done / total unit (n %)", for jobs that count what they do.</summary>
    public static Action<long, long> Counter(string unit) =>
        (done, total) => Report(Describe(done, total, unit), done >= total);

    /// <summary>A job's progress as <see cref="Filter"/> stored it (a job parameter in Hangfire's serialization).</summary>
    public static string? Read(IDictionary<string, string>? parameters) =>
        parameters is not null && parameters.TryGetValue(Parameter, out var value) && value is not null
            ? SerializationHelper.Deserialize<string>(value, SerializationOption.User)
            : null;

    public static string Describe(long done, long total, string unit) =>
        total <= 0
            ? string.Create(CultureInfo.InvariantCulture, $"{done:N0} {unit}")
            : string.Create(CultureInfo.InvariantCulture, $"{done:N0} / {total:N0} {unit} ({Math.Min(100, done * 100 / total)} %)");

    /// <summary>Opens the running job's progress for the jobs' reports on this thread (register once, on the server).</summary>
    public sealed class Filter : IServerFilter
    {
        public void OnPerforming(PerformingContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            t_current = new Sink(context.BackgroundJob.Id, context.Connection);
        }

        public void OnPerformed(PerformedContext context) => t_current = null;
    }

    private sealed class Sink(string jobId, IStorageConnection connection)
    {
        private long? _last;

        public void Write(string text, bool final)
        {
            var now = Environment.TickCount64;
            if (!final && _last is { } last && now - last < 1000)
            {
                return;
            }

            _last = now;
            connection.SetJobParameter(jobId, Parameter, SerializationHelper.Serialize(text, SerializationOption.User));
        }
    }
}
