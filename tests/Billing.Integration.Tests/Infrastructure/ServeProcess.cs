using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Billing.Integration.Tests.Infrastructure;

/// <summary>
/// <c>billing serve</c> as an operator starts it: the built CLI in a child process on a free loopback
/// port, working in a scratch folder (its drop/ and .billing/ land there), against the given database
/// or, with none, the embedded cluster. Killed with its children at the end if still running.
/// </summary>
public sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServeProcess(Process process, string url)
    {
        _process = process;
        Url = url;
    }

    public string Url { get; }

    public Process Process => _process;

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

    /// <param name="connectionString">The database; null: the embedded cluster under the work folder's .billing/.</param>
    /// <param name="config">A billing.json to pass as --config; null: the defaults.</param>
    public static ServeProcess Start(string? connectionString, string workDir, string? config = null)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] db = connectionString is null ? [] : ["--db", connectionString];
        string[] configured = config is null ? [] : ["--config", config];
        string[] args = [BillingProcess.Dll, "serve", .. db, .. configured, "--urls", url, "--workers", "2"];
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment.Remove("BILLING_DB");
        psi.Environment.Remove("BILLING_CONFIG");
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        BillingProcess.UseRuntime(psi.Environment);

        var process = new Process { StartInfo = psi };
        var serve = new ServeProcess(process, url);
        process.OutputDataReceived += (_, e) => serve.Append(e.Data);
        process.ErrorDataReceived += (_, e) => serve.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return serve;
    }

    public HttpClient Client(CookieContainer? cookies = null) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(Url),
            Timeout = TimeSpan.FromSeconds(10),
        };

    /// <summary>Waits until GET /health answers 200 (fails at once if the process has ended).</summary>
    public Task WaitUntilHealthy(HttpClient http) =>
        Wait.UntilAsync(async () => await Answers(http, "/health"), "GET /health to answer 200\n" + Output);

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

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
