using Billing.Core.Catalog;
using NodaTime;

namespace Billing.Catalog;

/// <summary>CGRateS-style subject → plan resolution over <see cref="TariffCatalog.RatingProfiles"/>.</summary>
public static class RatingProfiles
{
    public const string AnySubject = "*any";

    /// <summary>
    /// The plan for <paramref name="subject"/> at <paramref name="at"/>: its profile with the latest
    /// ActivationTime not after <paramref name="at"/>. When it has none, or <paramref name="accepts"/>
    /// refuses the plan (e.g. the plan has no rate for the destination), its fallback subjects are
    /// tried in order, each with its own fallbacks, and finally the "*any" subject (as CGRateS does);
    /// a subject is never tried twice, so fallback cycles end. Null when nothing applies.
    /// </summary>
    public static string? Resolve(TariffCatalog catalog, string tenant, string category, string subject, Instant at, Func<string, bool>? accepts = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var tried = new HashSet<string>(StringComparer.Ordinal);
        return Try(catalog, tenant, category, subject, at, accepts, tried) ?? Try(catalog, tenant, category, AnySubject, at, accepts, tried);
    }

    private static string? Try(TariffCatalog catalog, string tenant, string category, string subject, Instant at, Func<string, bool>? accepts, HashSet<string> tried)
    {
        if (!tried.Add(subject))
        {
            return null;
        }

        RatingProfile? active = null;
        foreach (var p in catalog.RatingProfiles)
        {
            if (p.Tenant == tenant && p.Category == category && p.Subject == subject && p.ActivationTime <= at
                && (active is null || p.ActivationTime > active.ActivationTime))
            {
                active = p;
            }
        }

        if (active is null)
        {
            return null;
        }

        if (accepts is null || accepts(active.PlanId))
        {
            return active.PlanId;
        }

        foreach (var fallback in active.FallbackSubjects)
        {
            if (Try(catalog, tenant, category, fallback, at, accepts, tried) is { } plan)
            {
                return plan;
            }
        }

        return null;
    }
}
