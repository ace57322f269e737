using Billing.Core.Catalog;
using Billing.Core.Rating;
using NodaTime;

namespace Billing.Catalog;

/// <summary>CGRateS-style subject → plan resolution over <see cref="TariffCatalog.RatingProfiles"/>.</summary>
public static class RatingProfiles
{
    public const string AnySubject = "*any";

    /// <summary>
    /// The plans tried for <paramref name="subject"/> at <paramref name="at"/>, in order: its profile
    /// with the latest ActivationTime not after <paramref name="at"/>, then its fallback subjects in
    /// order, each with its own fallbacks, and finally the "*any" subject (as CGRateS does); a subject
    /// is never tried twice, so fallback cycles end, and a subject with no active profile adds
    /// nothing (its fallbacks are its profile's). Empty when no profile applies.
    /// </summary>
    public static IReadOnlyList<string> Candidates(TariffCatalog catalog, string tenant, string category, string subject, Instant at)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var tried = new HashSet<string>(StringComparer.Ordinal);
        var plans = new List<string>();
        Visit(catalog, tenant, category, subject, at, tried, plans);
        Visit(catalog, tenant, category, AnySubject, at, tried, plans);
        return plans;
    }

    /// <summary>
    /// The first of the <see cref="Candidates"/> that <paramref name="accepts"/> takes (e.g. the plan
    /// has a rate for the destination), or the first at all without <paramref name="accepts"/>.
    /// Null when nothing applies.
    /// </summary>
    public static string? Resolve(TariffCatalog catalog, string tenant, string category, string subject, Instant at, Func<string, bool>? accepts = null) =>
        Candidates(catalog, tenant, category, subject, at).FirstOrDefault(p => accepts is null || accepts(p));

    /// <summary>
    /// The plan that prices <paramref name="request"/> for <paramref name="subject"/> and its
    /// charge, or why none does: <see cref="HoldReasons.NoRatingProfile"/> when no profile of the
    /// subject, its fallbacks or "*any" is active at the event's start; otherwise the failure of the
    /// subject's own plan (<see cref="HoldReasons.NoTariff"/>: no destination rate for the
    /// number; <see cref="HoldReasons.NoTiming"/>: no timing covers the moment), with what each
    /// fallback plan said in the detail.
    /// </summary>
    public static (string? PlanId, RatingOutcome Outcome) Price(TariffCatalog catalog, Rater rater, string tenant, string category, string subject, RatingRequest request)
    {
        ArgumentNullException.ThrowIfNull(rater);
        ArgumentNullException.ThrowIfNull(request);
        var candidates = Candidates(catalog, tenant, category, subject, request.Start);
        if (candidates.Count == 0)
        {
            return (null, RatingOutcome.Failed(
                HoldReasons.NoRatingProfile,
                $"No rating profile of subject '{subject}' (tenant {tenant}, category {category}), its fallback subjects or {AnySubject} is active at {request.Start}."));
        }

        var failures = new List<(string Plan, RatingOutcome Outcome)>();
        foreach (var plan in candidates.Distinct(StringComparer.Ordinal))
        {
            var outcome = rater.Rate(plan, request, null);
            if (outcome.IsRated)
            {
                return (plan, outcome);
            }

            failures.Add((plan, outcome));
        }

        var (_, first) = failures[0];
        var fallbacks = failures.Count == 1 ? "" : $" Fallback plans: {string.Join(", ", failures.Skip(1).Select(f => $"{f.Plan} ({f.Outcome.FailureReason})"))}.";
        return (null, RatingOutcome.Failed(first.FailureReason!, first.FailureDetail + fallbacks));
    }

    private static void Visit(TariffCatalog catalog, string tenant, string category, string subject, Instant at, HashSet<string> tried, List<string> plans)
    {
        if (!tried.Add(subject))
        {
            return;
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
            return;
        }

        plans.Add(active.PlanId);
        foreach (var fallback in active.FallbackSubjects)
        {
            Visit(catalog, tenant, category, fallback, at, tried, plans);
        }
    }
}
