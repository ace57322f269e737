using Billing.Cli.Portal;
using Hangfire;
using Hangfire.Dashboard;

namespace Billing.Cli.Hosting;

/// <summary>
/// The Hangfire dashboard (/hangfire) behind the portal's sign-in, wherever serve listens: an
/// anonymous visitor is sent to the sign-in page (Hangfire's own local-requests-only filter is
/// replaced, so being on the same machine, or behind a proxy that makes every request look local,
/// grants nothing). Both roles look; only <c>operations</c> triggers, requeues and deletes —
/// for <c>finance</c> the dashboard is read-only, its buttons hidden and its commands refused.
/// </summary>
public static class DashboardAccess
{
    public const string Path = "/hangfire";

    public static IEndpointConventionBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        ProgressPage.Register();
        return app.MapHangfireDashboardWithAuthorizationPolicy(PortalAuth.ViewPolicy, Path, new DashboardOptions
        {
            DashboardTitle = "Billing.Batch jobs",
            AppPath = "/portal",
            IsReadOnlyFunc = ReadOnly,
        });
    }

    /// <summary>
    /// The dashboard's answers carry a content security policy: its scripts, fonts and data from itself only
    /// (its pages have no inline script), never framed, forms only to itself. Inline styles stay allowed —
    /// its charting scripts set them. Plus no sniffing, no referrer outside, no caching.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

    public static void UseDashboardHeaders(this IApplicationBuilder app) =>
        app.Use(async (ctx, next) =>
        {
            if (ctx.Request.Path.StartsWithSegments(Path))
            {
                var h = ctx.Response.Headers;
                h.ContentSecurityPolicy = ContentSecurityPolicy;
                h.XContentTypeOptions = "nosniff";
                h["Referrer-Policy"] = "same-origin";
                h.CacheControl = "no-store";
            }

            await next(ctx);
        });

    /// <summary>Only operations may change what the jobs do.</summary>
    public static bool ReadOnly(DashboardContext context) =>
        context?.GetHttpContext().User.IsInRole(PortalAuth.Operations) != true;
}
