namespace Billing.Core.Catalog;

/// <summary>Whom a discount rule is for: the subscriptions on a plan, or every line of one account.</summary>
public enum DiscountScope
{
    Plan,
    Account,
}

/// <summary>How a discount rule reduces its eligible base.</summary>
public enum DiscountKind
{
    /// <summary>A fraction of the eligible base (0.10 for 10 %), per tax category.</summary>
    Percentage,

    /// <summary>An amount in the account's currency, capped at the eligible base.</summary>
    Fixed,
}

/// <summary>The kinds of invoice line a discount rule reduces.</summary>
[Flags]
public enum DiscountedLines
{
    None = 0,
    Usage = 1,
    Recurring = 2,
    OneTime = 4,
}

/// <summary>
/// A discount of the catalogue. <paramref name="ScopeId"/> is a plan id (<see cref="DiscountScope.Plan"/>)
/// or an account id (<see cref="DiscountScope.Account"/>); <paramref name="Value"/> is a fraction in
/// (0, 1] for a percentage, an amount &gt; 0 for a fixed discount.
/// </summary>
public sealed record DiscountRule(string Id, string Description, DiscountScope Scope, string ScopeId, DiscountKind Kind, decimal Value, DiscountedLines AppliesTo)
{
    public string Id { get; } = !string.IsNullOrWhiteSpace(Id) ? Id : throw new ArgumentException("a discount rule needs an id", nameof(Id));

    public string ScopeId { get; } = !string.IsNullOrWhiteSpace(ScopeId) ? ScopeId : throw new ArgumentException("a discount rule needs a plan or account id", nameof(ScopeId));

    public decimal Value { get; } = Kind switch
    {
        DiscountKind.Percentage when Value is > 0m and <= 1m => Value,
        DiscountKind.Fixed when Value > 0m => Value,
        _ => throw new ArgumentOutOfRangeException(nameof(Value), Value, "a percentage is a fraction in (0, 1], a fixed discount an amount > 0"),
    };

    public DiscountedLines AppliesTo { get; } = AppliesTo != DiscountedLines.None && (AppliesTo & ~(DiscountedLines.Usage | DiscountedLines.Recurring | DiscountedLines.OneTime)) == 0
        ? AppliesTo
        : throw new ArgumentOutOfRangeException(nameof(AppliesTo), AppliesTo, "a discount applies to usage, recurring and/or one-time lines");
}
