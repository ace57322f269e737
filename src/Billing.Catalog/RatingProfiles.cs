using Billing.Core.Catalog;
using Billing.Core.Rating;
using NodaTime;

namespace Billing.Catalog;

/// <summary>CGRateS-style subject → plan resolution over <see cref="TariffCatalog.RatingProfiles"/>.</summary>
public static class RatingProfiles
{
    public const string AnySubject = "*any";

    /// <summary>How deep CGRateS follows fallback subjects: the subject, its fallbacks and theirs (engine/calldesc.go RECURSION_MAX_DEPTH).</summary>
    public const int MaxDepth = 3;

    /// <summary>
    /// The plans tried for <paramref name="subject"/> at <paramref name="at"/>, in order, as CGRateS'
    /// CallDescriptor.LoadRatingPlans finds them: the subject's profile with the latest
    /// ActivationTime not after <paramref name="at"/>, then its fallback subjects in order, each with
    /// its own fallbacks, no deeper than <see cref="MaxDepth"/> subjects (so fallback cycles end). A
    /// fallback subject with no active profile adds nothing. The "*any" subject stands in for a
    /// subject that has no rating profile at all; a subject that has one (active or not) never falls
    /// back to "*any" unless it names it. Empty when no profile applies.
    /// </summary>
    public static IReadOnlyList<string> Candidates(TariffCatalog catalog, string tenant, string category, string subject, Instant at)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var plans = new List<string>();
        var known = catalog.RatingProfiles.Any(p => p.Tenant == tenant && p.Category == category && p.Subject == subject);
        Visit(catalog, tenant, category, known ? subject : AnySubject, at, 1, plans);
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
    /// subject (or "*any" for a subject without one) and its fallbacks is active at the event's
    /// start. As in CGRateS, only a plan with no destination rate for the number
    /// (<see cref="HoldReasons.NoTariff"/>) passes the event on to the next candidate; a plan that
    /// prices the destination but has no timing covering the moment (<see cref="HoldReasons.NoTiming"/>)
    /// is the answer. When no plan prices the number, the subject's own plan's failure, with the
    /// fallback plans named in the detail.
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

            if (outcome.FailureReason != HoldReasons.NoTariff)
            {
                return (null, outcome); // this plan prices the destination: its failure is the answer
            }

            failures.Add((plan, outcome));
        }

        var (_, first) = failures[0];
        var fallbacks = failures.Count == 1 ? "" : $" Fallback plans: {string.Join(", ", failures.Skip(1).Select(f => $"{f.Plan} ({f.Outcome.FailureReason})"))}.";
        return (null, RatingOutcome.Failed(first.FailureReason!, first.FailureDetail + fallbacks));
    }

    private static void Visit(TariffCatalog catalog, string tenant, string category, string subject, Instant at, int depth, List<string> plans)
    {
        if (depth > MaxDepth)
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
            Visit(catalog, tenant, category, fallback, at, depth + 1, plans);
        }
    }
}
