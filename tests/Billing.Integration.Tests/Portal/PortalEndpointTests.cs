using System.Net;
using Billing.Integration.Tests.Infrastructure;
using Billing.Storage.Portal;

namespace Billing.Integration.Tests.Portal;

/// <summary>The portal's endpoints over HTTP against a real `billing serve`: who is let in, what is refused and how, what is served.</summary>
[Collection(SharedPortalWorld.Name)]
public sealed class PortalEndpointTests(PortalWorld fx)
{
    private static Uri U(string path) => new(path, UriKind.Relative);

    [Fact]
    public async Task An_anonymous_request_for_a_page_is_sent_to_sign_in_and_one_for_a_download_gets_401()
    {
        using var http = fx.Serve.Client();

        foreach (var page in new[] { "/portal/invoices", "/portal/invoices/INV-2026-000001", "/portal/bill-runs", "/portal/bill-runs/1", "/portal/accounts/B-1" })
        {
            using var response = await http.GetAsync(U(page));
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/portal/sign-in?returnUrl=" + Uri.EscapeDataString(page), response.Headers.Location!.PathAndQuery);
        }

        foreach (var download in new[] { "/portal/invoices/INV-2026-000001.pdf", "/portal/bill-runs/1/invoices.zip" })
        {
            using var response = await http.GetAsync(U(download));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Null(response.Headers.Location);
        }
    }

    [Fact]
    public async Task An_operations_user_sees_every_page_but_gets_403_for_every_download_and_no_download_link()
    {
        using var http = await fx.SignedIn(PortalWorld.OperationsUser, PortalWorld.OperationsPassword);

        foreach (var page in new[] { "/portal/invoices", "/portal/bill-runs", "/portal/bill-runs/1", "/portal/accounts/B-1" })
        {
            using var response = await http.GetAsync(U(page));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{page}: {(int)response.StatusCode}");
        }

        var invoice = await http.GetStringAsync(U("/portal/invoices/INV-2026-000001"));
        Assert.Contains("PDFs are downloaded by finance users.", invoice, StringComparison.Ordinal);
        Assert.DoesNotContain(".pdf\"", invoice, StringComparison.Ordinal);
        foreach (var download in new[] { "/portal/invoices/INV-2026-000001.pdf", "/portal/bill-runs/1/invoices.zip" })
        {
            using var response = await http.GetAsync(U(download));
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_sign_in_or_sign_out_posted_without_the_forms_antiforgery_token_is_refused_with_400_and_changes_nothing()
    {
        using var anonymous = fx.Serve.Client();
        await PortalWorld.TokenOf(anonymous, "/portal/sign-in"); // the antiforgery cookie is there; a forged form cannot read the field

        using (var forged = await anonymous.PostAsync(U("/portal/sign-in"), PortalWorld.Form(("name", PortalWorld.FinanceUser), ("password", PortalWorld.FinancePassword))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        }

        using (var still = await anonymous.GetAsync(U("/portal/invoices")))
        {
            Assert.Equal(HttpStatusCode.Redirect, still.StatusCode);
        }

        using var signedIn = await fx.SignedIn(PortalWorld.FinanceUser, PortalWorld.FinancePassword);
        using (var forged = await signedIn.PostAsync(U("/portal/sign-out"), PortalWorld.Form()))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        }

        using (var stillIn = await signedIn.GetAsync(U("/portal/invoices")))
        {
            Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);
        }

        // The portal's own sign-out form, with its token, signs out.
        var token = await PortalWorld.TokenOf(signedIn, "/portal/invoices");
        using (var signOut = await signedIn.PostAsync(U("/portal/sign-out"), PortalWorld.Form(("__RequestVerificationToken", token))))
        {
            Assert.Equal("/portal/sign-in", signOut.Headers.Location?.OriginalString);
        }

        using var after = await signedIn.GetAsync(U("/portal/invoices"));
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    [Fact]
    public async Task A_wrong_password_or_an_unknown_name_signs_nobody_in_and_a_return_address_off_the_portal_is_ignored()
    {
        using var http = fx.Serve.Client();

        using var wrong = await PortalWorld.SignIn(http, PortalWorld.FinanceUser, "not the password");
        using var unknown = await PortalWorld.SignIn(http, "nobody", PortalWorld.FinancePassword);
        using var elsewhere = await PortalWorld.SignIn(http, PortalWorld.FinanceUser, PortalWorld.FinancePassword, "//attacker.example/portal");

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("The name or the password is wrong.", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal("/portal/invoices", elsewhere.Headers.Location?.OriginalString);
    }

    /// <summary>A return address with a line break (a crafted sign-in link) failed the redirect with a 500; it is ignored like one off the portal.</summary>
    [Fact]
    public async Task A_return_address_with_a_control_character_is_ignored_and_the_sign_in_goes_to_the_invoices()
    {
        using var http = fx.Serve.Client();

        using var broken = await PortalWorld.SignIn(http, PortalWorld.FinanceUser, PortalWorld.FinancePassword, "/portal/accounts\r\nSet-Cookie: x=1");

        Assert.Equal(HttpStatusCode.Redirect, broken.StatusCode);
        Assert.Equal("/portal/invoices", broken.Headers.Location?.OriginalString);
    }

    /// <summary>The submitted name went into serve's log whole: a line break in it forged a log line, and a form field of megabytes went in as is.</summary>
    [Fact]
    public async Task A_failed_sign_in_logs_the_name_cut_to_64_characters_with_its_line_breaks_escaped()
    {
        using var http = fx.Serve.Client();
        var forged = "mallory\n[12:00:00 INF] Sign-in as anna succeeded " + new string('x', 100_000);

        using var failed = await PortalWorld.SignIn(http, forged, "a guess");
        await Wait.UntilAsync(() => Task.FromResult(fx.Serve.Output.Contains("Sign-in failed as mallory", StringComparison.Ordinal)), "the failed sign-in in serve's log\n" + fx.Serve.Output);

        Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        var logged = fx.Serve.Output.Split('\n').Single(l => l.Contains("Sign-in failed as mallory", StringComparison.Ordinal));
        Assert.Contains(@"Sign-in failed as mallory\x0a[12:00:00 INF] Sign-in as anna succeeded xxxxxxxxxxxxxxx… from ", logged, StringComparison.Ordinal);
        Assert.DoesNotContain("\n[12:00:00 INF] Sign-in as anna", fx.Serve.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_customer_name_with_markup_is_shown_as_text_never_as_markup()
    {
        using var http = await fx.SignedIn(PortalWorld.FinanceUser, PortalWorld.FinancePassword);

        var list = await http.GetStringAsync(U("/portal/invoices?name=" + Uri.EscapeDataString("<script>")));
        var account = await http.GetStringAsync(U("/portal/accounts/B-2"));

        foreach (var page in new[] { list, account })
        {
            Assert.Contains("Łódź &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co", page, StringComparison.Ordinal);
            Assert.DoesNotContain("<script>", page, StringComparison.Ordinal);
        }

        Assert.Contains("value=\"&lt;script&gt;\"", list, StringComparison.Ordinal);
        Assert.Contains("Showing 1–2 of 2", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_search_text_too_long_to_search_by_is_said_to_be_ignored_not_silently_dropped()
    {
        using var http = await fx.SignedIn(PortalWorld.FinanceUser, PortalWorld.FinancePassword);

        var list = await http.GetStringAsync(U("/portal/invoices?name=" + new string('x', 201)));

        Assert.Contains("Customer name &#x27;xxxxxxxxxx…&#x27; is longer than 200 characters: ignored.", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_past_the_last_says_how_many_match_and_links_to_the_last_page_instead_of_showing_101_to_100()
    {
        using var http = await fx.SignedIn(PortalWorld.FinanceUser, PortalWorld.FinancePassword);

        var all = await http.GetStringAsync(U("/portal/invoices"));
        var past = await http.GetStringAsync(U("/portal/invoices?page=5"));

        var matching = System.Text.RegularExpressions.Regex.Match(all, "Showing 1–([0-9]+) of ([0-9]+)");
        Assert.True(matching.Success);
        Assert.Equal(matching.Groups[1].Value, matching.Groups[2].Value);
        Assert.DoesNotContain("Showing 101", past, StringComparison.Ordinal);
        Assert.DoesNotContain("No invoice matches.", past, StringComparison.Ordinal);
        Assert.Contains($"Page 5 is past the last: {matching.Groups[2].Value} invoice(s) match, on page 1.", past, StringComparison.Ordinal);
        Assert.Contains("href=\"/portal/invoices?sort=date-desc&amp;page=1\"", past, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_removed_user_is_signed_out_at_the_next_request()
    {
        PortalWorld.Ok(fx.Billing(new Dictionary<string, string> { ["BILLING_PASSWORD"] = "temporary passphrase" }, "users", "add", "temp", "--role", "finance"));
        using var http = await fx.SignedIn("temp", "temporary passphrase");
        using (var before = await http.GetAsync(U("/portal/bill-runs")))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using (var c = fx.World.Open())
        {
            Assert.True(PortalUserStore.Remove(c, "temp"));
        }

        using var after = await http.GetAsync(U("/portal/bill-runs"));
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    [Fact]
    public async Task A_pdf_is_served_by_invoice_number_only_as_stored_and_refused_when_unknown_unrendered_or_changed_in_the_store()
    {
        using var http = await fx.SignedIn(PortalWorld.FinanceUser, PortalWorld.FinancePassword);
        var path = fx.StoredPath("INV-2026-000003");

        var served = await http.GetByteArrayAsync(U("/portal/invoices/INV-2026-000003.pdf"));
        using var unrendered = await http.GetAsync(U("/portal/invoices/INV-2027-000001.pdf"));
        using var unknown = await http.GetAsync(U("/portal/invoices/INV-2099-000001.pdf"));
        using var traversal = await http.GetAsync(U("/portal/invoices/..%2F..%2F..%2Fetc%2Fpasswd.pdf"));
        var original = await File.ReadAllBytesAsync(path);
        HttpStatusCode changed;
        try
        {
            await File.WriteAllBytesAsync(path, [.. original.Take(original.Length - 10)]);
            using var response = await http.GetAsync(U("/portal/invoices/INV-2026-000003.pdf"));
            changed = response.StatusCode;
        }
        finally
        {
            await File.WriteAllBytesAsync(path, original);
        }

        Assert.Equal(original, served);
        Assert.Equal(HttpStatusCode.NotFound, unrendered.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, traversal.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, changed);
    }

    [Fact]
    public async Task A_runs_zip_holds_its_rendered_pdfs_and_lists_the_unrendered_in_MISSING_txt()
    {
        using var http = await fx.SignedIn(PortalWorld.FinanceUser, PortalWorld.FinancePassword);

        using var december = new System.IO.Compression.ZipArchive(await http.GetStreamAsync(U("/portal/bill-runs/1/invoices.zip")));
        using var january = new System.IO.Compression.ZipArchive(await http.GetStreamAsync(U("/portal/bill-runs/2/invoices.zip")));

        Assert.Equal(["INV-2026-000001.pdf", "INV-2026-000002.pdf", "INV-2026-000003.pdf"], december.Entries.Select(e => e.FullName));
        using (var first = december.Entries[0].Open())
        using (var bytes = new MemoryStream())
        {
            await first.CopyToAsync(bytes);
            Assert.Equal(await File.ReadAllBytesAsync(fx.StoredPath("INV-2026-000001")), bytes.ToArray());
        }

        var missing = Assert.Single(january.Entries);
        Assert.Equal("MISSING.txt", missing.FullName);
        using var reader = new StreamReader(missing.Open());
        Assert.EndsWith("INV-2027-000001\nINV-2027-000002\nINV-2027-000003\n", await reader.ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_runs_zip_leaves_out_a_pdf_changed_in_the_store_since_it_was_rendered_and_lists_it_in_MISSING_txt()
    {
        using var http = await fx.SignedIn(PortalWorld.FinanceUser, PortalWorld.FinancePassword);
        var path = fx.StoredPath("INV-2026-000002");
        var original = await File.ReadAllBytesAsync(path);
        List<string> names;
        string missing;
        try
        {
            // Cut short, as the single download refuses it (its SHA-256 no longer matches the record).
            await File.WriteAllBytesAsync(path, [.. original.Take(original.Length - 10)]);
            using var zip = new System.IO.Compression.ZipArchive(await http.GetStreamAsync(U("/portal/bill-runs/1/invoices.zip")));
            names = [.. zip.Entries.Select(e => e.FullName)];
            using var reader = new StreamReader(zip.GetEntry("MISSING.txt")?.Open() ?? Stream.Null);
            missing = await reader.ReadToEndAsync();
        }
        finally
        {
            await File.WriteAllBytesAsync(path, original);
        }

        Assert.Equal(["INV-2026-000001.pdf", "INV-2026-000003.pdf", "MISSING.txt"], names);
        Assert.EndsWith("\nINV-2026-000002\n", missing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_5_failed_sign_ins_a_name_is_refused_with_429_even_with_its_right_password_while_other_names_still_sign_in()
    {
        using (var c = fx.World.Open())
        {
            PortalUserStore.Add(c, "guessed", "finance", Billing.Cli.Portal.PortalPasswords.Hash("the right passphrase"), "tests");
        }

        using var http = fx.Serve.Client();
        var failures = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await PortalWorld.SignIn(http, "guessed", $"guess number {i}");
            failures.Add(wrong.StatusCode);
        }

        using var right = await PortalWorld.SignIn(http, "guessed", "the right passphrase");
        using var other = await fx.SignedIn(PortalWorld.OperationsUser, PortalWorld.OperationsPassword);

        Assert.All(failures, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.Contains("Too many failed sign-ins as guessed", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Portal_pages_carry_a_content_security_policy_and_the_session_cookie_is_http_only_strict_and_for_the_whole_site()
    {
        using var anonymous = fx.Serve.Client();
        using (var page = await anonymous.GetAsync(U("/portal/sign-in")))
        {
            Assert.Equal(
                "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
                string.Join(", ", page.Headers.GetValues("Content-Security-Policy")));
        }

        using var http = fx.Serve.Client();
        using var signIn = await PortalWorld.SignIn(http, PortalWorld.FinanceUser, PortalWorld.FinancePassword);
        var session = Assert.Single(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith(Billing.Cli.Portal.PortalAuth.CookieName + "=", StringComparison.Ordinal)).ToLowerInvariant();

        Assert.Contains("; path=/;", session + ";", StringComparison.Ordinal);
        Assert.Contains("; httponly", session, StringComparison.Ordinal);
        Assert.Contains("; samesite=strict", session, StringComparison.Ordinal);
        // Served over plain HTTP here: Secure follows the request (SameAsRequest), so HTTPS through a proxy sets it.
        Assert.DoesNotContain("; secure", session, StringComparison.Ordinal);
    }
}
