namespace Billing.Core.Invoicing;

/// <summary>What an invoice line is. The declaration order is the order of lines on an invoice.</summary>
public enum InvoiceLineKind
{
    Recurring,
    Usage,
    LateUsage,
    Overdraft,
    OneTime,
    Adjustment,
    Discount,
}

public static class InvoiceLineKinds
{
    /// <summary>The code stored and printed: <c>usage</c>, <c>recurring</c>, <c>one-time</c>, <c>discount</c>, <c>adjustment</c>, <c>late-usage</c>, <c>overdraft</c>.</summary>
    public static string Code(this InvoiceLineKind kind) => kind switch
    {
        InvoiceLineKind.Recurring => "recurring",
        InvoiceLineKind.Usage => "usage",
        InvoiceLineKind.LateUsage => "late-usage",
        InvoiceLineKind.Overdraft => "overdraft",
        InvoiceLineKind.OneTime => "one-time",
        InvoiceLineKind.Adjustment => "adjustment",
        InvoiceLineKind.Discount => "discount",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static bool TryParse(string? code, out InvoiceLineKind kind)
    {
        foreach (var candidate in Enum.GetValues<InvoiceLineKind>())
        {
            if (candidate.Code() == code)
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }
}
