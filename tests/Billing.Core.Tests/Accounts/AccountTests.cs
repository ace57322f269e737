using Billing.Core.Accounts;
using Billing.Core.Money;
using NodaTime;

namespace Billing.Core.Tests.Accounts;

public class AccountTests
{
    private static Account Make(int billCycleDay = 5, string timeZone = "Europe/London", string? email = null, PaymentType paymentType = PaymentType.Postpaid) =>
        new("A-1", "Acme Ltd", "1 High St", email, "en", Currency.Of("GBP"), timeZone, paymentType, billCycleDay, "UK", "business");

    [Theory]
    [InlineData(1)]
    [InlineData(28)]
    public void An_account_takes_a_bill_cycle_day_from_1_to_28(int day) =>
        Assert.Equal(day, Make(billCycleDay: day).BillCycleDay);

    [Theory]
    [InlineData(0)]
    [InlineData(29)]
    [InlineData(31)]
    public void An_account_refuses_a_bill_cycle_day_not_every_month_has(int day) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Make(billCycleDay: day));

    [Fact]
    public void An_account_keeps_its_IANA_zone_and_refuses_a_name_that_is_none()
    {
        Assert.Equal(DateTimeZoneProviders.Tzdb["Europe/Warsaw"], Make(timeZone: "Europe/Warsaw").TimeZone);
        var e = Assert.Throws<ArgumentException>(() => Make(timeZone: "Europe/Londn"));
        Assert.Contains("'Europe/Londn' is not an IANA time zone", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("billing@acme.example", true)]
    [InlineData("a@b", true)]
    [InlineData("@acme.example", false)]
    [InlineData("billing@", false)]
    [InlineData("billing.acme.example", false)]
    public void An_e_mail_address_has_something_on_both_sides_of_its_at(string email, bool valid) =>
        Assert.Equal(valid, Account.IsEmail(email));

    /// <summary>
    /// The address and the language go into the header lines of the notification files (To:, Content-Language:) and of
    /// SMTP: a line break in either would start a header of the importer's choosing there, so an import refuses them.
    /// </summary>
    [Theory]
    [InlineData("ann@example.com\nBcc: all@example.com")]
    [InlineData("ann@example.com\r")]
    [InlineData("ann smith@example.com")]
    public void An_e_mail_address_with_a_line_break_or_a_space_is_none(string email) =>
        Assert.False(Account.IsEmail(email));

    [Theory]
    [InlineData("en", true)]
    [InlineData("pl", true)]
    [InlineData("pt-br", true)]
    [InlineData("PT-BR", true)]
    [InlineData("zh-hant-tw", true)]
    [InlineData("en\nX-Evil: 1", false)]
    [InlineData("english", false)]
    [InlineData("e", false)]
    [InlineData("en-", false)]
    [InlineData("en_GB", false)]
    public void A_language_is_a_tag_of_two_or_three_letters_and_its_subtags(string language, bool valid) =>
        Assert.Equal(valid, Account.IsLanguage(language));

    [Theory]
    [InlineData("prepaid", PaymentType.Prepaid)]
    [InlineData(" Postpaid ", PaymentType.Postpaid)]
    public void A_payment_type_is_read_from_its_code_in_any_case(string text, PaymentType expected)
    {
        Assert.True(PaymentTypes.TryParse(text, out var paymentType));
        Assert.Equal(expected, paymentType);
        Assert.Equal(text.Trim().ToLowerInvariant(), paymentType.Code());
        Assert.Equal(expected, PaymentTypes.Parse(paymentType.Code()));
    }

    [Theory]
    [InlineData("pre-paid")]
    [InlineData("")]
    [InlineData(null)]
    public void A_payment_type_is_postpaid_or_prepaid_and_nothing_else(string? text) =>
        Assert.False(PaymentTypes.TryParse(text, out _));

    [Fact]
    public void A_subscription_period_ends_after_it_starts_or_is_open()
    {
        var from = Instant.FromUtc(2026, 11, 1, 0, 0);
        Assert.Null(new Subscription(7, "A-1", "447700900100", "uk_prepaid", from, null).ActiveTo);
        Assert.Equal(from + Duration.FromSeconds(1), new Subscription(7, "A-1", "447700900100", "uk_prepaid", from, from + Duration.FromSeconds(1)).ActiveTo);
        Assert.Throws<ArgumentException>(() => new Subscription(7, "A-1", "447700900100", "uk_prepaid", from, from));
        Assert.Throws<ArgumentException>(() => new Subscription(7, "A-1", "", "uk_prepaid", from, null));
    }

    [Fact]
    public void An_import_line_refuses_a_subscription_of_another_account()
    {
        var account = Make();
        var other = new Subscription(0, "A-2", "447700900100", "uk_prepaid", Instant.FromUtc(2026, 11, 1, 0, 0), null);
        Assert.Throws<ArgumentException>(() => new AccountImportLine(3, account, other));
        var own = new Subscription(0, "A-1", "447700900100", "uk_prepaid", Instant.FromUtc(2026, 11, 1, 0, 0), null);
        Assert.Equal((3L, "A-1", "447700900100"), new AccountImportLine(3, account, own) is var line ? (line.Line, line.Account.Id, line.Subscription!.Msisdn) : default);
    }
}
