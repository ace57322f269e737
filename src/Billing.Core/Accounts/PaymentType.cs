namespace Billing.Core.Accounts;

/// <summary>How an account pays: after its bill cycle (postpaid), or in advance from a wallet (prepaid).</summary>
public enum PaymentType
{
    Postpaid = 1,
    Prepaid = 2,
}

/// <summary>The codes of <see cref="PaymentType"/> in files and in the database (<c>accounts.payment_type</c>).</summary>
public static class PaymentTypes
{
    public const string PostpaidCode = "postpaid";
    public const string PrepaidCode = "prepaid";

    public static string Code(this PaymentType paymentType) => paymentType switch
    {
        PaymentType.Postpaid => PostpaidCode,
        PaymentType.Prepaid => PrepaidCode,
        _ => throw new ArgumentOutOfRangeException(nameof(paymentType), paymentType, null),
    };

    /// <summary>Reads a code in any case, with spaces around it.</summary>
    public static bool TryParse(string? text, out PaymentType paymentType)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case PostpaidCode: paymentType = PaymentType.Postpaid; return true;
            case PrepaidCode: paymentType = PaymentType.Prepaid; return true;
            default: paymentType = default; return false;
        }
    }

    /// <summary>A stored code (the database's CHECK admits only these): anything else is a bug.</summary>
    public static PaymentType Parse(string code) => code switch
    {
        PostpaidCode => PaymentType.Postpaid,
        PrepaidCode => PaymentType.Prepaid,
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "a payment type is postpaid or prepaid"),
    };
}
