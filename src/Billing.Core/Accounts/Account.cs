using Billing.Core.Money;
using NodaTime;

namespace Billing.Core.Accounts;

/// <summary>
/// A customer account: who is billed, where and in what language, in which currency and time zone,
/// how it pays, and the day of the month its bill cycles start on. The constructor refuses an
/// account that breaks a rule; the rules are public so that readers can say which field is wrong.
/// </summary>
public sealed record Account
{
    public const int FirstBillCycleDay = 1;

    /// <summary>The last day every month has: a cycle starting on it starts every month.</summary>
    public const int LastBillCycleDay = 28;

    public Account(string id, string name, string billingAddress, string? email, string language, Currency currency,
        string timeZone, PaymentType paymentType, int billCycleDay, string taxRegion, string segment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(language);
        ArgumentNullException.ThrowIfNull(currency);
        ArgumentNullException.ThrowIfNull(billingAddress);
        ArgumentNullException.ThrowIfNull(taxRegion);
        ArgumentNullException.ThrowIfNull(segment);
        if (!IsBillCycleDay(billCycleDay))
        {
            throw new ArgumentOutOfRangeException(nameof(billCycleDay), billCycleDay, $"a bill cycle day is {FirstBillCycleDay}–{LastBillCycleDay}");
        }

        if (!Enum.IsDefined(paymentType))
        {
            throw new ArgumentOutOfRangeException(nameof(paymentType), paymentType, null);
        }

        Id = id;
        Name = name;
        BillingAddress = billingAddress;
        Email = email;
        Language = language;
        Currency = currency;
        TimeZone = Zone(timeZone) ?? throw new ArgumentException($"'{timeZone}' is not an IANA time zone (e.g. Europe/London)", nameof(timeZone));
        PaymentType = paymentType;
        BillCycleDay = billCycleDay;
        TaxRegion = taxRegion;
        Segment = segment;
    }

    public string Id { get; }

    public string Name { get; }

    public string BillingAddress { get; }

    public string? Email { get; }

    /// <summary>The language its notifications and documents are written in (e.g. en, pl, pt-br).</summary>
    public string Language { get; }

    /// <summary>What it is billed in; a prepaid account's wallet holds this currency.</summary>
    public Currency Currency { get; }

    /// <summary>The zone its bill cycles and notification times are in.</summary>
    public DateTimeZone TimeZone { get; }

    public PaymentType PaymentType { get; }

    /// <summary>The day of the month (1–28) its bill cycles start on.</summary>
    public int BillCycleDay { get; }

    public string TaxRegion { get; }

    public string Segment { get; }

    public static bool IsBillCycleDay(int day) => day is >= FirstBillCycleDay and <= LastBillCycleDay;

    /// <summary>The IANA zone of this id, or null if there is none.</summary>
    public static DateTimeZone? Zone(string? id) => id is null ? null : DateTimeZoneProviders.Tzdb.GetZoneOrNull(id);

    /// <summary>
    /// An address with something on both sides of an '@': what an import accepts. The account itself
    /// takes any address: delivery tells an unusable one (no-address), it does not stop billing.
    /// </summary>
    public static bool IsEmail(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.IndexOf('@', StringComparison.Ordinal);
        // No space or control character: an address goes into header lines (a notification file's To:, SMTP's).
        return at > 0 && text.LastIndexOf('@') < text.Length - 1 && !text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));
    }

    /// <summary>
    /// A language tag as an import accepts it: two or three letters, then subtags of one to eight letters or digits after
    /// '-' (en, pl, pt-br, zh-hant-tw), in any case. It goes into header lines (Content-Language:), so nothing else.
    /// </summary>
    public static bool IsLanguage(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('-');
        return parts[0].Length is 2 or 3 && parts[0].All(char.IsAsciiLetter)
            && parts.Skip(1).All(p => p.Length is >= 1 and <= 8 && p.All(char.IsAsciiLetterOrDigit));
    }
}
