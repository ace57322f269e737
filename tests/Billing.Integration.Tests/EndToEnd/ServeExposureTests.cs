using System.Net;
using System.Text.Json;
using Billing.Cli.Portal;
using Billing.Integration.Tests.Infrastructure;
using Billing.Integration.Tests.Portal;

namespace Billing.Integration.Tests.EndToEnd;

/// <summary>
/// <c>billing serve</c> as the outside world meets it: forwarded headers believed from configured
/// proxies only (seen through the sign-in throttle, keyed by client address), and /health for a
/// load balancer in both its states.
/// </summary>
public sealed class ServeExposureTests(DatabaseFixture fx) : IClassFixture<DatabaseFixture>
{
    private static Uri U(string path) => new(path, UriKind.Relative);

    [Fact]
    public async Task Without_a_configured_proxy_X_Forwarded_For_changes_nothing_so_20_failures_under_20_claimed_addresses_block_the_one_real_address()
    {
        using var work = new TempDir();
        await using var serve = ServeProcess.Start(fx.ConnectionString, work.Path);
        using var http = serve.Client();
        await serve.WaitUntilHealthy(http);

        var token = await PortalWorld.TokenOf(http, PortalAuth.SignInPath);
        for (var i = 0; i < SignInThrottle.MaxFailuresPerAddress; i++)
        {
            using var failed = await FailedSignIn(http, token, $"guess{i}", $"203.0.113.{i + 1}");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var blocked = await FailedSignIn(http, token, "another", "198.51.100.99");
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.Contains("Too many failed sign-ins from this address", await blocked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Behind_a_configured_proxy_its_X_Forwarded_For_is_the_client_so_20_failures_block_that_client_and_not_another()
    {
        using var work = new TempDir();
        var config = Path.Combine(work.Path, "billing.json");
        File.WriteAllText(config, """{ "serve": { "knownProxies": ["127.0.0.1"] } }""");
        await using var serve = ServeProcess.Start(fx.ConnectionString, work.Path, config);
        using var http = serve.Client();
        await serve.WaitUntilHealthy(http);

        var token = await PortalWorld.TokenOf(http, PortalAuth.SignInPath);
        for (var i = 0; i < SignInThrottle.MaxFailuresPerAddress; i++)
        {
            using var failed = await FailedSignIn(http, token, $"guess{i}", "203.0.113.7");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var sameClient = await FailedSignIn(http, token, "another", "203.0.113.7");
        using var otherClient = await FailedSignIn(http, token, "another", "203.0.113.8");

        Assert.Equal(HttpStatusCode.TooManyRequests, sameClient.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherClient.StatusCode);
    }

    [Fact]
    public async Task Health_answers_200_with_every_check_true_and_503_once_the_drop_folder_is_unusable_without_naming_any_path()
    {
        using var work = new TempDir();
        await using var serve = ServeProcess.Start(fx.ConnectionString, work.Path);
        using var http = serve.Client();
        await serve.WaitUntilHealthy(http);

        using (var healthy = await http.GetAsync(U("/health")))
        {
            var body = await healthy.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
            using var json = JsonDocument.Parse(body);
            var r = json.RootElement;
            Assert.Equal(("healthy", true, true, true, true),
                (r.GetProperty("status").GetString(), r.GetProperty("database").GetBoolean(), r.GetProperty("schemaCurrent").GetBoolean(),
                 r.GetProperty("dropFolderReadable").GetBoolean(), r.GetProperty("dropFolderWritable").GetBoolean()));
            Assert.Equal(Billing.Jobs.Scheduling.Schedules.Defaults.Select(s => s.Id), r.GetProperty("recurringJobs").EnumerateArray().Select(j => j.GetProperty("id").GetString()));
            Assert.DoesNotContain(work.Path, body, StringComparison.Ordinal);
        }

        // The drop folder replaced by a file: neither readable nor writable as a folder. serve's minute
        // poll makes incoming/<source>/ as it looks (EnsureLayout): landing in the middle of the delete,
        // it leaves a folder the delete had passed ("Directory not empty"), so the delete goes again.
        var drop = Path.Combine(work.Path, "drop");
        Wait.Until(() => ReplacedByAFile(drop), "the drop folder to be replaced by a file", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));

        using var unhealthy = await http.GetAsync(U("/health"));
        var text = await unhealthy.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unhealthy.StatusCode);
        using var report = JsonDocument.Parse(text);
        Assert.Equal(("unhealthy", true, true, false, false),
            (report.RootElement.GetProperty("status").GetString(), report.RootElement.GetProperty("database").GetBoolean(), report.RootElement.GetProperty("schemaCurrent").GetBoolean(),
             report.RootElement.GetProperty("dropFolderReadable").GetBoolean(), report.RootElement.GetProperty("dropFolderWritable").GetBoolean()));
        Assert.DoesNotContain(work.Path, text, StringComparison.Ordinal);
    }

    private static bool ReplacedByAFile(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }

            File.WriteAllText(path, "not a folder");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static Task<HttpResponseMessage> FailedSignIn(HttpClient http, string token, string name, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, U(PortalAuth.SignInPath))
        {
            Content = PortalWorld.Form(("__RequestVerificationToken", token), ("name", name), ("password", "not the password"), ("returnUrl", "")),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return http.SendAsync(request);
    }
}
