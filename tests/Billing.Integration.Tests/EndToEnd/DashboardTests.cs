using System.Net;
using Billing.Cli.Commands;
using Billing.Integration.Tests.Infrastructure;
using Dapper;

namespace Billing.Integration.Tests.EndToEnd;

/// <summary>
/// The Hangfire dashboard of <c>billing serve</c>, over plain HTTP: behind the portal's sign-in
/// (anonymous visitors are sent to it, on loopback too), read-only for finance, buttons for
/// operations; its buttons need the antiforgery token its own pages hand out, so a form another
/// site makes a browser post is refused.
/// </summary>
public sealed class DashboardTests : IClassFixture<DatabaseFixture>
{
    private const string Poll = "mediation:poll-drop-folder";
    private const string Dunning = "dunning:daily";
    private readonly DatabaseFixture fx;

    public DashboardTests(DatabaseFixture fx)
    {
        this.fx = fx;
        DashboardUsers.Ensure(fx.Db);
    }

    [Fact]
    public async Task Anonymous_visitors_are_sent_to_the_sign_in_page_and_their_posts_do_nothing_while_finance_looks_but_cannot_trigger()
    {
        using var work = new TempDir();
        await using var serve = ServeProcess.Start(fx.ConnectionString, work.Path);
        using var anonymous = serve.Client();
        await serve.WaitUntilHealthy(anonymous);

        foreach (var page in new[] { "/hangfire", "/hangfire/recurring", "/hangfire/jobs/succeeded", "/hangfire/progress" })
        {
            using var response = await anonymous.GetAsync(new Uri(page, UriKind.Relative));
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/portal/sign-in?returnUrl=" + Uri.EscapeDataString(page), response.Headers.Location!.PathAndQuery);
        }

        // A job no schedule runs before 04:00 on its own: any job of it now was made by a trigger.
        var before = LastJobOf(Dunning);
        using (var post = await anonymous.SendAsync(Dashboard.Post("/hangfire/recurring/trigger", ("jobs[]", Dunning))))
        {
            Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        }

        // Finance sees the dashboard, without its buttons; a trigger posted with a valid token is still refused.
        using var finance = await DashboardUsers.SignedIn(serve, DashboardUsers.Finance);
        var recurring = await finance.GetStringAsync(new Uri("/hangfire/recurring", UriKind.Relative));
        Assert.Contains(Dunning, recurring, StringComparison.Ordinal);
        Assert.DoesNotContain("js-jobs-list-command", recurring, StringComparison.Ordinal);
        Assert.NotNull(await Dashboard.Token(finance));
        using (var page = await finance.GetAsync(new Uri("/hangfire/recurring", UriKind.Relative)))
        {
            // Scripts from the dashboard itself only, never framed, forms only to itself.
            var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.Contains("form-action 'self'", csp, StringComparison.Ordinal);
        }

        // The Progress page is in the dashboard's menu, behind the same sign-in (what it lists: JobProgressTests).
        Assert.Contains("href=\"/hangfire/progress\"", recurring, StringComparison.Ordinal);
        Assert.Contains("<h1>Progress of the running jobs</h1>", await finance.GetStringAsync(new Uri("/hangfire/progress", UriKind.Relative)), StringComparison.Ordinal);
        using (var trigger = await Dashboard.Press(finance, "/hangfire/recurring/trigger", ("jobs[]", Dunning)))
        {
            Assert.True(trigger.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"finance's trigger answered {(int)trigger.StatusCode}");
        }

        Assert.Equal(before, LastJobOf(Dunning));

        // Operations triggers it.
        using var operations = await DashboardUsers.SignedIn(serve, DashboardUsers.Operations);
        Assert.Contains("js-jobs-list-command", await operations.GetStringAsync(new Uri("/hangfire/recurring", UriKind.Relative)), StringComparison.Ordinal);
        using (var trigger = await Dashboard.Press(operations, "/hangfire/recurring/trigger", ("jobs[]", Dunning)))
        {
            Assert.Equal(HttpStatusCode.NoContent, trigger.StatusCode);
        }

        Assert.NotEqual(before, LastJobOf(Dunning));
    }

    [Fact]
    public async Task A_forged_cross_site_post_is_refused_and_changes_nothing_while_the_dashboards_own_buttons_work()
    {
        using var work = new TempDir();
        await using var serve = ServeProcess.Start(fx.ConnectionString, work.Path);
        using (var probe = serve.Client())
        {
            await serve.WaitUntilHealthy(probe);
        }

        Assert.Contains(ServeCommand.LoopbackOnly, serve.Output, StringComparison.Ordinal);
        using var http = await DashboardUsers.SignedIn(serve, DashboardUsers.Operations);

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
    [InlineData("http://127.0.0.1:5080", ServeCommand.LoopbackOnly)]
    [InlineData("http://127.0.0.1:5080;http://[::1]:5080", ServeCommand.LoopbackOnly)]
    [InlineData("http://127.0.0.1:5080;http://0.0.0.0:5080", ServeCommand.BeyondLoopback)]
    [InlineData("http://192.0.2.10:5080", ServeCommand.BeyondLoopback)]
    public void Serve_says_whether_it_is_reachable_from_other_machines(string urls, string said) =>
        Assert.Equal(said, ServeCommand.Reach(urls.Split(';')));

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
