using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Billing.Integration.Tests.Infrastructure;
using Dapper;

namespace Billing.Integration.Tests.EndToEnd;

/// <summary>
/// <c>billing serve</c> as an operator starts it: the built CLI in a child process against the test
/// database, working in a scratch folder (its drop/ and .billing/logs/ land there).
/// </summary>
public sealed class ServeSmokeTests(DatabaseFixture fx) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Serve_RunsTheDashboardAndTheSchedule_AndIngestsADroppedFileWhenThePollIsTriggered()
    {
        using var work = new TempDir();
        await using var serve = ServeProcess.Start(fx.ConnectionString, work.Path);
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(serve.Url),
            Timeout = TimeSpan.FromSeconds(10),
        };

        await Wait.UntilAsync(async () => await serve.Answers(http, "/health"), "GET /health to answer 200\n" + serve.Output);

        using var dashboard = await http.GetAsync(new Uri("/hangfire", UriKind.Relative));
        var html = await dashboard.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("Billing.Batch jobs", html, StringComparison.Ordinal);

        using (var c = fx.Db.Open())
        {
            Assert.Equal(1, c.ExecuteScalar<long>("SELECT count(*) FROM hangfire.set WHERE key = 'recurring-jobs' AND value = 'mediation:poll-drop-folder'"));
            var recurring = c.Query<(string Field, string Value)>(
                "SELECT field, value FROM hangfire.hash WHERE key = 'recurring-job:mediation:poll-drop-folder' AND field IN ('Cron', 'Job')").ToDictionary(r => r.Field, r => r.Value);
            Assert.Equal("* * * * *", recurring["Cron"]);
            Assert.Contains("\"t\":\"Billing.Jobs.Mediation.IngestDropFolderJob", recurring["Job"], StringComparison.Ordinal);
            Assert.Contains("\"m\":\"Poll\"", recurring["Job"], StringComparison.Ordinal);
        }

        var dropped = Drops.Put(Path.Combine(work.Path, "drop"), "canonical", "smoke.csv", Drops.Canonical(900_000, 25));

        // The schedule polls once a minute: trigger it now, as an operator would from the dashboard.
        using var trigger = await TriggerRecurringJob(http, "mediation:poll-drop-folder");
        Assert.True(trigger.IsSuccessStatusCode, $"trigger answered {(int)trigger.StatusCode}\n{serve.Output}");

        Wait.Until(() => !File.Exists(dropped) && File.Exists(Path.Combine(work.Path, "drop", "archive", "canonical", "smoke.csv.manifest.json")),
            "smoke.csv to be archived\n" + serve.Output);
        using (var c = fx.Db.Open())
        {
            Assert.Equal(("archived", 25L), c.QuerySingle<(string, long)>("SELECT status, accepted FROM cdr_files WHERE file_name = 'smoke.csv'"));
            Assert.Equal(25, c.ExecuteScalar<long>("SELECT count(*) FROM usage WHERE record_key BETWEEN 'r900000' AND 'r900024'"));
        }

        // The server's log file: the ingest line carries the Hangfire job that wrote it.
        string? archivedLine = null;
        Wait.Until(() => (archivedLine = LogLines(work.Path).FirstOrDefault(l => l.Contains("\"CdrFile\":\"canonical/smoke.csv\"", StringComparison.Ordinal)
            && l.Contains("Archived", StringComparison.Ordinal))) is not null, "the ingest log line\n" + serve.Output);
        Assert.Matches("\"JobId\":\"\\d+\"", archivedLine);
        Assert.Contains("\"JobName\":\"IngestFileJob.Run\"", archivedLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_SchedulesNotificationDelivery_AndDeliversTheOutboxWhenTheJobIsTriggered()
    {
        using var work = new TempDir();
        long id;
        using (var c = fx.Db.Open())
        {
            Notifications.OutboxData.AddAccount(c, "SERVE-1", "serve@example.org");
            id = Assert.Single(Notifications.OutboxData.Enqueue(c, "SERVE-1", 1, keyPrefix: "serve"));
        }

        await using var serve = ServeProcess.Start(fx.ConnectionString, work.Path);
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(serve.Url),
            Timeout = TimeSpan.FromSeconds(10),
        };
        await Wait.UntilAsync(async () => await serve.Answers(http, "/health"), "GET /health to answer 200\n" + serve.Output);

        using (var c = fx.Db.Open())
        {
            var recurring = c.Query<(string Field, string Value)>(
                "SELECT field, value FROM hangfire.hash WHERE key = 'recurring-job:notifications:deliver' AND field IN ('Cron', 'Job')").ToDictionary(r => r.Field, r => r.Value);
            Assert.Equal("* * * * *", recurring["Cron"]);
            Assert.Contains("\"t\":\"Billing.Jobs.Notifications.DeliverNotificationsJob", recurring["Job"], StringComparison.Ordinal);
        }

        // Due every minute; trigger it now (the minute may also come first: either run delivers it once).
        using var trigger = await TriggerRecurringJob(http, "notifications:deliver");
        Assert.True(trigger.IsSuccessStatusCode, $"trigger answered {(int)trigger.StatusCode}\n{serve.Output}");

        var folder = Path.Combine(work.Path, ".billing", "notifications");
        using var conn = fx.Db.Open();
        Wait.Until(() => conn.ExecuteScalar<string>("SELECT status FROM notifications WHERE id = @id", new { id }) == "sent", "the notification to be sent\n" + serve.Output);
        var file = Assert.Single(Directory.GetFiles(folder));
        Assert.EndsWith($"-{id:000000}-low-balance.txt", file, StringComparison.Ordinal);
        Assert.StartsWith("To: serve@example.org\n", File.ReadAllText(file), StringComparison.Ordinal);
    }

    /// <summary>The dashboard's "Trigger now" button: a form POST, with the antiforgery token if the page carries one.</summary>
    private static async Task<HttpResponseMessage> TriggerRecurringJob(HttpClient http, string id)
    {
        var page = await http.GetStringAsync(new Uri("/hangfire/recurring", UriKind.Relative));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/hangfire/recurring/trigger", UriKind.Relative))
        {
            Content = new FormUrlEncodedContent([new("jobs[]", id)]),
        };
        var header = Regex.Match(page, "data-antiforgery-header=\"([^\"]+)\"");
        var token = Regex.Match(page, "data-antiforgery-token=\"([^\"]+)\"");
        if (header.Success && token.Success)
        {
            request.Headers.Add(WebUtility.HtmlDecode(header.Groups[1].Value), WebUtility.HtmlDecode(token.Groups[1].Value));
        }

        return await http.SendAsync(request);
    }

    private static List<string> LogLines(string workDir)
    {
        var dir = Path.Combine(workDir, ".billing", "logs");
        if (!Directory.Exists(dir))
        {
            return [];
        }

        var lines = new List<string>();
        foreach (var file in Directory.EnumerateFiles(dir, "billing-*.json"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                lines.Add(line);
            }
        }

        return lines;
    }

    /// <summary>The child process: started on a free port, killed with its children at the end.</summary>
    private sealed class ServeProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private ServeProcess(Process process, string url)
        {
            _process = process;
            Url = url;
        }

        public string Url { get; }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return $"exited: {_process.HasExited}\n--- billing serve output ---\n{_output}";
                }
            }
        }

        public static ServeProcess Start(string connectionString, string workDir)
        {
            var url = $"http://127.0.0.1:{FreePort()}";
            var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                WorkingDirectory = workDir,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "billing.dll"), "serve", "--db", connectionString, "--urls", url, "--workers", "2" })
            {
                psi.ArgumentList.Add(arg);
            }

            psi.Environment.Remove("BILLING_DB");
            psi.Environment.Remove("BILLING_CONFIG");
            psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

            var process = new Process { StartInfo = psi };
            var serve = new ServeProcess(process, url);
            process.OutputDataReceived += (_, e) => serve.Append(e.Data);
            process.ErrorDataReceived += (_, e) => serve.Append(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return serve;
        }

        public async Task<bool> Answers(HttpClient http, string path)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("billing serve exited early\n" + Output);
            }

            try
            {
                using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException)
            {
                return false;
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                }

                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            finally
            {
                _process.Dispose();
            }
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
