using Billing.Core.Money;

namespace Billing.Core.Dunning;

/// <summary>What a dunning step does (the <c>action</c> column of <c>dunning.csv</c>).</summary>
public enum DunningActionKind
{
    /// <summary>An e-mail through the notification outbox, in the account's language.</summary>
    Email,

    /// <summary>A letter: a PDF from the document templates, stored like invoices, with its e-mail through the outbox.</summary>
    Letter,

    /// <summary>A late fee: a one-time charge on the account's next invoice.</summary>
    Fee,

    /// <summary>The account's subscriptions suspended (outgoing service barred).</summary>
    Suspend,

    /// <summary>The invoice handed over to a collection agency (a row of the day's export file).</summary>
    Agency,
}

/// <summary>The codes of <see cref="DunningActionKind"/> as they are written in files, the database and JSON.</summary>
public static class DunningActionCodes
{
    public static string Code(this DunningActionKind kind) => kind switch
    {
        DunningActionKind.Email => "email",
        DunningActionKind.Letter => "letter",
        DunningActionKind.Fee => "fee",
        DunningActionKind.Suspend => "suspend",
        DunningActionKind.Agency => "agency",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static readonly IReadOnlyList<DunningActionKind> All = Enum.GetValues<DunningActionKind>();

    public static DunningActionKind? Parse(string code) => All.Cast<DunningActionKind?>().FirstOrDefault(k => k!.Value.Code() == code);
}

/// <summary>
/// A late fee: <see cref="Fixed"/> in the account's currency, or <see cref="Rate"/> (a fraction) of the
/// invoice's overdue amount, at most <see cref="Cap"/> when one is given; rounded once to the
/// currency's minor unit, half away from zero.
/// </summary>
public sealed record FeeRule
{
    private FeeRule(decimal? fixedAmount, decimal? rate, decimal? cap)
    {
        Fixed = fixedAmount;
        Rate = rate;
        Cap = cap;
    }

    public decimal? Fixed { get; }

    public decimal? Rate { get; }

    public decimal? Cap { get; }

    public static FeeRule FixedAmount(decimal amount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        return new FeeRule(amount, null, null);
    }

    public static FeeRule Percentage(decimal rate, decimal? cap)
    {
        if (rate is <= 0m or > 1m)
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "a fee rate is above 0 and at most 1 (100 %)");
        }

        if (cap is <= 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(cap), cap, "a fee cap is above 0");
        }

        return new FeeRule(null, rate, cap);
    }

    /// <summary>The fee on <paramref name="overdue"/>, in its currency, rounded to the minor unit.</summary>
    public Money.Money On(Money.Money overdue)
    {
        var amount = Fixed ?? Math.Min(overdue.Amount * Rate!.Value, Cap ?? decimal.MaxValue);
        return new Money.Money(Rounding.ToMinorUnit(amount, overdue.Currency), overdue.Currency);
    }
}

/// <summary>
/// One step of a ladder: on the day an invoice is <see cref="Days"/> days past its due date, do
/// <see cref="Action"/>. <see cref="Template"/> is the notification layout of an e-mail or letter;
/// <see cref="Fee"/> and <see cref="TaxCategory"/> are a fee's.
/// </summary>
public sealed record DunningStep
{
    public DunningStep(string id, int days, DunningActionKind action, string? template = null, FeeRule? fee = null, string taxCategory = "standard")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(days);
        if ((action == DunningActionKind.Fee) != (fee is not null))
        {
            throw new ArgumentException("a fee step, and only a fee step, has a fee rule", nameof(fee));
        }

        Id = id;
        Days = days;
        Action = action;
        Template = template;
        Fee = fee;
        TaxCategory = taxCategory;
    }

    public string Id { get; }

    public int Days { get; }

    public DunningActionKind Action { get; }

    public string? Template { get; }

    public FeeRule? Fee { get; }

    public string TaxCategory { get; }
}

/// <summary>
/// The ladder of one customer segment: its steps in the order they come (by days, then as listed),
/// and the overdue amount below which nothing happens.
/// </summary>
public sealed record DunningPolicy
{
    public DunningPolicy(string segment, decimal minimumOverdue, IReadOnlyList<DunningStep> steps)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentOutOfRangeException.ThrowIfNegative(minimumOverdue);
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Select(s => s.Id).Distinct(StringComparer.Ordinal).Count() != steps.Count)
        {
            throw new ArgumentException("step ids repeat within a policy", nameof(steps));
        }

        Segment = segment;
        MinimumOverdue = minimumOverdue;
        Steps = [.. steps.Select((s, i) => (s, i)).OrderBy(x => x.s.Days).ThenBy(x => x.i).Select(x => x.s)];
    }

    /// <summary>The accounts' <c>segment</c> it is for; <see cref="DunningPolicies.DefaultSegment"/> for every other.</summary>
    public string Segment { get; }

    /// <summary>In the account's currency: an account owing less past due is not chased.</summary>
    public decimal MinimumOverdue { get; }

    public IReadOnlyList<DunningStep> Steps { get; }
}

/// <summary>The policies of a catalogue (<c>dunning.csv</c>): one per segment, and a default for the rest.</summary>
public sealed record DunningPolicies
{
    public const string DefaultSegment = "*";

    public DunningPolicies(IReadOnlyList<DunningPolicy> policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        BySegment = policies.ToDictionary(p => p.Segment, StringComparer.OrdinalIgnoreCase);
    }

    public static DunningPolicies None { get; } = new([]);

    public IReadOnlyDictionary<string, DunningPolicy> BySegment { get; }

    public bool IsEmpty => BySegment.Count == 0;

    /// <summary>The policy of <paramref name="segment"/>, else the default, else none (the account is not chased).</summary>
    public DunningPolicy? For(string segment) =>
        BySegment.TryGetValue(segment ?? "", out var own) ? own : BySegment.GetValueOrDefault(DefaultSegment);

    /// <summary>Every notification layout the policies name.</summary>
    public IReadOnlySet<string> Templates => BySegment.Values.SelectMany(p => p.Steps).Select(s => s.Template).OfType<string>().ToHashSet(StringComparer.Ordinal);
}
