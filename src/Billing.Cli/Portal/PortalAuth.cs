using System.Security.Claims;
using Billing.Storage;
using Billing.Storage.Portal;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Billing.Cli.Portal;

/// <summary>Marks an endpoint that serves a file: refused with 401/403 instead of a redirect to the sign-in page.</summary>
public sealed class DownloadEndpoint;

/// <summary>
/// Who may use the portal: users of <c>portal_users</c> signed in with a cookie. Both roles view every
/// page; only <c>finance</c> downloads documents (PDFs carry customers' names, addresses and itemised
/// calls). A session is checked against the database on every request: a removed user, a changed
/// role or a new password ends it.
/// </summary>
public static class PortalAuth
{
    public const string ViewPolicy = "portal-view";
    public const string DownloadPolicy = "portal-download";
    public const string Finance = "finance";
    public const string Operations = "operations";
    public const string SignInPath = "/portal/sign-in";
    public const string SignOutPath = "/portal/sign-out";
    public const string CookieName = "billing.portal";
    private const string PasswordSetClaim = "billing:password-set";

    public static void AddPortalAuth(this IServiceCollection services, BillingDatabase db)
    {
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = CookieName;
            // "/": the dashboard (/hangfire) signs in with the same cookie.
            o.Cookie.Path = "/";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = SignInPath;
            o.LogoutPath = SignOutPath;
            o.AccessDeniedPath = SignInPath;
            o.ReturnUrlParameter = "returnUrl";
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            o.Events.OnRedirectToLogin = c => Refuse(c, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = c => Refuse(c, StatusCodes.Status403Forbidden);
            o.Events.OnValidatePrincipal = c => Revalidate(c, db);
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(ViewPolicy, p => p.RequireRole(Finance, Operations))
            .AddPolicy(DownloadPolicy, p => p.RequireRole(Finance));
    }

    public static bool MayDownload(this ClaimsPrincipal user) => user.IsInRole(Finance);

    /// <summary>GET and POST /portal/sign-in, POST /portal/sign-out: the only portal endpoints open to anyone.</summary>
    public static void MapSignIn(this IEndpointRouteBuilder app, BillingDatabase db)
    {
        var throttle = new SignInThrottle(TimeProvider.System);
        // Per client address too (as forwarded by a configured proxy, else the connection's): one
        // address guessing many names' passwords is stopped as well.
        var addresses = new SignInThrottle(TimeProvider.System, SignInThrottle.MaxFailuresPerAddress);
        app.MapGet(SignInPath, (HttpContext ctx, string? returnUrl) => PortalPages.Page(ctx, PortalPages.SignIn(ctx, returnUrl, null), "Sign in"));
        app.MapPost(SignInPath, async (HttpContext ctx, IAntiforgery antiforgery) =>
        {
            if (await Forged(ctx, antiforgery))
            {
                return PortalPages.Refused(StatusCodes.Status400BadRequest, "This form is out of date or was not sent by the portal: open the sign-in page again.");
            }

            var form = await ctx.Request.ReadFormAsync();
            var name = form["name"].ToString().Trim();
            var password = form["password"].ToString();
            var returnUrl = form["returnUrl"].ToString();
            var address = ctx.Connection.RemoteIpAddress?.ToString() ?? "?";
            if (addresses.Blocked(address))
            {
                Serilog.Log.Warning("Sign-in refused: too many failures from {RemoteAddress}", address);
                return PortalPages.Page(ctx, PortalPages.SignIn(ctx, returnUrl, $"Too many failed sign-ins from this address: try again in {SignInThrottle.Window.TotalMinutes:0} minutes."), "Sign in", StatusCodes.Status429TooManyRequests);
            }

            if (throttle.Blocked(name))
            {
                return PortalPages.Page(ctx, PortalPages.SignIn(ctx, returnUrl, $"Too many failed sign-ins as {name}: try again in {SignInThrottle.Window.TotalMinutes:0} minutes."), "Sign in", StatusCodes.Status429TooManyRequests);
            }

            PortalUser? user;
            using (var conn = await db.OpenAsync(ctx.RequestAborted))
            {
                user = name.Length is > 0 and <= 64 ? PortalUserStore.Find(conn, name) : null;
                if (PortalPasswords.Verify(user, password, out var rehashed))
                {
                    PortalUserStore.SignedIn(conn, user!.Name, rehashed);
                }
                else
                {
                    user = null;
                }
            }

            if (user is null)
            {
                throttle.Failed(name);
                addresses.Failed(address);
                Serilog.Log.Warning("Sign-in failed as {User} from {RemoteAddress}", Logged(name), address);
                return PortalPages.Page(ctx, PortalPages.SignIn(ctx, returnUrl, "The name or the password is wrong."), "Sign in", StatusCodes.Status401Unauthorized);
            }

            throttle.Succeeded(name);
            var identity = new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, user.Name), new Claim(ClaimTypes.Role, user.Role), new Claim(PasswordSetClaim, user.PasswordSetAt.ToUnixTimeTicks().ToString(System.Globalization.CultureInfo.InvariantCulture))],
                CookieAuthenticationDefaults.AuthenticationScheme);
            await ctx.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
            return Results.Redirect(LocalPortalUrl(returnUrl) ?? "/portal/invoices");
        });
        app.MapPost(SignOutPath, async (HttpContext ctx, IAntiforgery antiforgery) =>
        {
            if (await Forged(ctx, antiforgery))
            {
                return PortalPages.Refused(StatusCodes.Status400BadRequest, "This form is out of date or was not sent by the portal: reload the page and sign out again.");
            }

            await ctx.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect(SignInPath);
        });
    }

    /// <summary>
    /// A submitted name as a log line shows it: at most a user name's length (the field may hold megabytes) and its
    /// control characters escaped, so a line break cannot start a forged line of its own.
    /// </summary>
    private static string Logged(string name) =>
        Billing.Mediation.DropFolder.Printable(name.Length > SignInThrottle.MaxKeyLength ? name[..SignInThrottle.MaxKeyLength] + "…" : name);

    /// <summary>True when the POST lacks a valid antiforgery token (a form another site made the browser send, or a stale one).</summary>
    private static async Task<bool> Forged(HttpContext ctx, IAntiforgery antiforgery)
    {
        try
        {
            await antiforgery.ValidateRequestAsync(ctx);
            return false;
        }
        catch (AntiforgeryValidationException)
        {
            return true;
        }
    }

    /// <summary>Where to go after signing in: only a path of this portal (never another site, never a scheme-relative //host, nothing a header cannot hold).</summary>
    public static string? LocalPortalUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } u && (u.StartsWith("/portal", StringComparison.Ordinal) || u.StartsWith("/hangfire", StringComparison.Ordinal)) && !u.StartsWith("//", StringComparison.Ordinal) && !u.Contains('\\', StringComparison.Ordinal)
            && !u.Any(char.IsControl)
            && !u.StartsWith(SignInPath, StringComparison.Ordinal)
            ? u
            : null;

    private static Task Refuse(RedirectContext<CookieAuthenticationOptions> c, int status)
    {
        if (c.HttpContext.GetEndpoint()?.Metadata.GetMetadata<DownloadEndpoint>() is not null)
        {
            c.Response.StatusCode = status;
        }
        else
        {
            c.Response.Redirect(c.RedirectUri);
        }

        return Task.CompletedTask;
    }

    private static async Task Revalidate(CookieValidatePrincipalContext c, BillingDatabase db)
    {
        var name = c.Principal?.Identity?.Name;
        PortalUser? user = null;
        if (name is not null)
        {
            await using var conn = await db.OpenAsync(c.HttpContext.RequestAborted);
            user = PortalUserStore.Find(conn, name);
        }

        var stamp = c.Principal?.FindFirst(PasswordSetClaim)?.Value;
        if (user is null || !c.Principal!.IsInRole(user.Role) || stamp != user.PasswordSetAt.ToUnixTimeTicks().ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            c.RejectPrincipal();
            await c.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }
}
