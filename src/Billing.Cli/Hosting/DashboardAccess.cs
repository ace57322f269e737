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

    /// <summary>Only operations may change what the jobs do.</summary>
    public static bool ReadOnly(DashboardContext context) =>
        context?.GetHttpContext().User.IsInRole(PortalAuth.Operations) != true;
}
