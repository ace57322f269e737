using Billing.Core.Accounts;
using Billing.Core.Money;
using Billing.Core.Notifications;
using Billing.Core.Prepaid;
using Billing.Notifications;
using NodaTime;

namespace Billing.Core.Tests.Notifications;

public class WalletNoticeRendererTests
{
    private static readonly NotificationTemplates Shipped = NotificationTemplates.Load(Path.Combine(RepositoryRoot.Find(), "templates", "notifications"));

    private static Account Holder(string language, string zone) =>
        new("A-1", "Ann Lee", "", null, language, Currency.Of("PLN"), zone, PaymentType.Prepaid, 1, "PL", "");

    [Fact]
    public void A_low_balance_notice_is_written_in_the_accounts_language_with_its_decimal_comma_and_its_local_time()
    {
        // 09:15 UTC on 26 November is 10:15 in Warsaw (CET, UTC+1).
        var notice = new WalletNotice(NotificationKinds.LowBalance, "usage:42", Instant.FromUtc(2026, 11, 26, 9, 15), "48600100200", 4.505m, 5.00m, null);

        var message = WalletNoticeRenderer.Render(Shipped, Holder("pl", "Europe/Warsaw"), notice, 0m);

        Assert.Equal(("A-1", "48600100200", NotificationKinds.LowBalance, "pl", "usage:42"), (message.AccountId, message.Msisdn, message.Kind, message.Language, message.DedupeKey));
        Assert.Equal("Niskie saldo: 4,51 PLN", message.Subject);
        Assert.Contains("saldo numeru +48600100200 wynosi 4,51 PLN (od 2026-11-26 10:15)", message.Body, StringComparison.Ordinal);
        Assert.Contains("próg powiadomienia 5,00 PLN", message.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void A_top_up_receipt_names_the_ledger_row_when_the_payment_has_no_reference()
    {
        var message = WalletNoticeRenderer.TopUpReceipt(Shipped, Holder("en", "Europe/London"), "447700900100", 10m, 12.5m, Instant.FromUtc(2026, 11, 26, 9, 15), null, 77);

        Assert.Equal((NotificationKinds.TopUp, "topup:77", "Top-up received: 10.00 PLN"), (message.Kind, message.DedupeKey, message.Subject));
        Assert.Contains("(reference #77). Your balance is now 12.50 PLN.", message.Body, StringComparison.Ordinal);
    }
}
