using System.Net;
using Billing.Cli.Commands;
using Billing.Integration.Tests.Infrastructure;
using Dapper;

namespace Billing.Integration.Tests.EndToEnd;

/// <summary>
/// The Hangfire dashboard of <c>billing serve</c>: its buttons need the antiforgery token its own
/// pages hand out, so a form another site makes a browser post is refused; and serve listens on
/// loopback only until sign-in exists.
/// </summary>
public sealed class DashboardTests(DatabaseFixture fx) : IClassFixture<DatabaseFixture>
{
    private const string Poll = "mediation:poll-drop-folder";

    [Fact]
    public async Task A_forged_cross_site_post_is_refused_and_changes_nothing_while_the_dashboards_own_buttons_work()
    {
        using var work = new TempDir();
        await using var serve = ServeProcess.Start(fx.ConnectionString, work.Path);
        using var http = serve.Client();
        await serve.WaitUntilHealthy(http);
        Assert.Contains(ServeCommand.LoopbackOnly, serve.Output, StringComparison.Ordinal);

        // A job to act on, made by the dashboard's own "Trigger now" button.
        using (var trigger = await Dashboard.Press(http, "/hangfire/recurring/trigger", ("jobs[]", Poll)))
        {
            Assert.Equal(HttpStatusCode.NoContent, trigger.StatusCode);
        }

        var jobId = LastJobOf(Poll) ?? throw new InvalidOperationException("the trigger made no job\n" + serve.Output);

        // Another site's page posting forms to the dashboard: the browser sends the dashboard's cookies
        // along (this client holds them from a page it fetched), but the page cannot read the token.
        foreach (var path in new[] { "/hangfire/recurring/remove", $"/hangfire/jobs/actions/delete/{jobId}" })
        {
            using var forged = Dashboard.Post(path, ("jobs[]", Poll));
            forged.Headers.Add("Origin", "http://attacker.example");
            using var response = await http.SendAsync(forged);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"forged POST {path} answered {(int)response.StatusCode}");
        }

        using (var c = fx.Db.Open())
        {
            Assert.Equal(1, c.ExecuteScalar<long>("SELECT count(*) FROM hangfire.set WHERE key = 'recurring-jobs' AND value = @Poll", new { Poll }));
            Assert.NotEqual("Deleted", c.ExecuteScalar<string>("SELECT statename FROM hangfire.job WHERE id = @jobId", new { jobId }));
        }

        // The dashboard's own "Delete" button on that job.
        using (var delete = await Dashboard.Press(http, $"/hangfire/jobs/actions/delete/{jobId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using var conn = fx.Db.Open();
        Wait.Until(() => conn.ExecuteScalar<string>("SELECT statename FROM hangfire.job WHERE id = @jobId", new { jobId }) == "Deleted", $"job {jobId} to be deleted\n{serve.Output}");
    }

    [Theory]
    [InlineData("http://0.0.0.0:{0}")]
    [InlineData("http://[::]:{0}")]
    [InlineData("http://*:{0}")]
    [InlineData("http://127.0.0.1:{0};http://0.0.0.0:{0}")]
    public void Serve_refuses_to_listen_beyond_loopback_with_one_line_and_exit_2(string urls)
    {
        using var work = new TempDir();
        var url = string.Format(System.Globalization.CultureInfo.InvariantCulture, urls, ServeProcess.FreePort());

        var (exit, stdout, stderr) = BillingProcess.Run(work.Path, "serve", "--db", fx.ConnectionString, "--urls", url);

        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("billing: serve refuses to listen on http://", line, StringComparison.Ordinal);
        Assert.Contains(ServeCommand.LoopbackOnly, line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", null)]
    [InlineData("http://localhost:5080", null)]
    [InlineData("http://[::1]:5080", null)]
    [InlineData("https://127.0.0.2:5443", null)]
    [InlineData("http://0.0.0.0:5080", "http://0.0.0.0:5080")]
    [InlineData("http://[::]:5080", "http://[::]:5080")]
    [InlineData("http://+:5080", "http://+:5080")]
    [InlineData("http://192.0.2.10:5080", "http://192.0.2.10:5080")]
    [InlineData("http://billing.example.com:5080", "http://billing.example.com:5080")]
    [InlineData("http://unix:/run/billing.sock", "http://unix:/run/billing.sock")]
    public void Only_loopback_addresses_pass_the_serve_check(string url, string? refused) =>
        Assert.Equal(refused, ServeCommand.NonLoopback([url]));

    private long? LastJobOf(string recurringJob)
    {
        using var c = fx.Db.Open();
        var id = c.ExecuteScalar<string?>("SELECT value FROM hangfire.hash WHERE key = @key AND field = 'LastJobId'", new { key = "recurring-job:" + recurringJob });
        return long.TryParse(id, out var jobId) ? jobId : null;
    }
}
