using System.Net;
using System.Text.RegularExpressions;
using Billing.Integration.Tests.Infrastructure;
using Billing.Integration.Tests.Invoicing;
using Dapper;
using NodaTime;
using static Billing.Integration.Tests.Invoicing.ReceivablesWorld;

namespace Billing.Integration.Tests.Portal;

/// <summary>The portal's test classes share one <see cref="PortalWorld"/> (one database, one serve) and run one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class SharedPortalWorld : ICollectionFixture<PortalWorld>
{
    public const string Name = "portal";
}

/// <summary>
/// One billed database and one <c>billing serve</c> for the portal's tests (a collection fixture). Three
/// accounts billed for December (INV-2026-000001 Zoë Müller 36.00, paid in full; -000002 a name with
/// markup in it, 36.00, a 12.00 credit note; -000003 São Paulo, 36.36 with a 90 s call to the USA)
/// and January (INV-2027-000001..3, 18.00 each); December's PDFs rendered by
/// `billing invoices render`, January's not; `billing dunning --as-of 2027-01-05` (B-2's and B-3's final-notice
/// letters), INV-2026-000002 held and B-3 paused until 2027-01-20 (<see cref="PortalDunningTests"/>); a finance user and an operations user added by
/// `billing users add` with the password in BILLING_PASSWORD.
/// </summary>
public sealed partial class PortalWorld : IAsyncLifetime, IDisposable
{
    public const string FinanceUser = "anna";
    public const string FinancePassword = "Zoë's long passphrase 1";
    public const string OperationsUser = "otto";
    public const string OperationsPassword = "operations passphrase 2";
    public const string MarkupName = "Łódź <script>alert(1)</script> & Co";

    private ReceivablesWorld? _world;

    public TempDir Work { get; } = new();

    public ServeProcess Serve { get; private set; } = null!;

    public ReceivablesWorld World => _world!;

    public string ConnectionString => World.ConnectionString;

    public async Task InitializeAsync()
    {
        _world = new ReceivablesWorld(("B-1", "447700900980"), ("B-2", "447700900981"), ("B-3", "447700900982"));
        using (var c = World.Open())
        {
            c.Execute("UPDATE accounts SET name = 'Zoë Müller' WHERE id = 'B-1'; UPDATE accounts SET name = @MarkupName WHERE id = 'B-2'; UPDATE accounts SET name = 'Comércio São Paulo Ltda' WHERE id = 'B-3'", new { MarkupName });
        }

        World.Usage(UsageSpec.Voice("v1", "447700900982", "12025550123", Instant.FromUtc(2026, 11, 6, 10, 0), 90));
        World.Bill(December);
        World.Pay("B-1", 36.00m, "PAY-1", "INV-2026-000001");
        Assert.Null(World.Receivables().IssueCreditNote("INV-2026-000002", 12.00m, null, "Goodwill", "tests").Refusal);
        World.Bill(January);

        Ok(Billing(null, "invoices", "render", "--run", "2026-12-01"));
        // December's invoices are 21 days past due on 5 January: the final-notice letters of B-2 and B-3; then a dispute and a promise.
        Ok(Billing(null, "dunning", "--as-of", "2027-01-05"));
        Ok(Billing(null, "dunning", "hold", "INV-2026-000002", "--reason", "disputes the roaming charges"));
        Ok(Billing(null, "dunning", "pause", "B-3", "--until", "2027-01-20", "--note", "pays on the 20th"));
        Ok(Billing(new Dictionary<string, string> { ["BILLING_PASSWORD"] = FinancePassword }, "users", "add", FinanceUser, "--role", "finance"));
        Ok(Billing(new Dictionary<string, string> { ["BILLING_PASSWORD"] = OperationsPassword }, "users", "add", OperationsUser, "--role", "operations"));

        Serve = ServeProcess.Start(ConnectionString, Work.Path);
        using var http = Serve.Client();
        await Serve.WaitUntilHealthy(http);
    }

    public async Task DisposeAsync()
    {
        if (Serve is not null)
        {
            await Serve.DisposeAsync();
        }

        Dispose();
    }

    public void Dispose()
    {
        _world?.Dispose();
        _world = null;
        Work.Dispose();
    }

    public (int Exit, string Out, string Err) Billing(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        BillingProcess.Run(TimeSpan.FromMinutes(3), environment, Work.Path, [.. args, "--db", ConnectionString]);

    public static string Ok((int Exit, string Out, string Err) run)
    {
        Assert.True(run.Exit == 0, $"exit {run.Exit}: {run.Err}");
        return run.Out;
    }

    /// <summary>Where the document store recorded an invoice's PDF.</summary>
    public string StoredPath(string number)
    {
        using var c = World.Open();
        return c.ExecuteScalar<string>("SELECT path FROM documents WHERE kind = 'invoice' AND number = @number", new { number })
            ?? throw new InvalidOperationException($"{number} has no document");
    }

    /// <summary>A client signed in as this user (its cookies kept), after a sign-in with the form's own token.</summary>
    public async Task<HttpClient> SignedIn(string name, string password)
    {
        var http = Serve.Client();
        using var response = await SignIn(http, name, password);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"sign-in of {name} answered {(int)response.StatusCode}\n{Serve.Output}");
        return http;
    }

    /// <summary>Fetches the sign-in page and posts its form back with these fields (and its token).</summary>
    public static async Task<HttpResponseMessage> SignIn(HttpClient http, string name, string password, string? returnUrl = null)
    {
        var token = await TokenOf(http, "/portal/sign-in");
        return await http.PostAsync(new Uri("/portal/sign-in", UriKind.Relative), Form(("__RequestVerificationToken", token), ("name", name), ("password", password), ("returnUrl", returnUrl ?? "")));
    }

    /// <summary>The antiforgery token in a page's forms.</summary>
    public static async Task<string> TokenOf(HttpClient http, string path)
    {
        var page = await http.GetStringAsync(new Uri(path, UriKind.Relative));
        return TokenField().Match(page) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException($"{path} has no antiforgery field:\n{page}");
    }

    public static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
