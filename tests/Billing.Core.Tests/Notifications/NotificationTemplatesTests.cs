using Billing.Core.Notifications;
using Billing.Notifications;

namespace Billing.Core.Tests.Notifications;

public sealed class NotificationTemplatesTests : IDisposable
{
    private static readonly string Shipped = Path.Combine(RepositoryRoot.Find(), "templates", "notifications");

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "billing-templates-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>Every value any kind may use; each distinct, so a wrong substitution shows.</summary>
    private static Dictionary<string, string> AllValues() => new(StringComparer.Ordinal)
    {
        ["name"] = "Ann Lee", ["msisdn"] = "447700900123", ["currency"] = "GBP", ["balance"] = "1,50", ["at"] = "2026-11-26 10:15",
        ["account"] = "A-1", ["threshold"] = "2,00", ["limit"] = "10,00", ["amount"] = "5,00", ["reference"] = "PAY-77",
        ["invoice"] = "INV-2026-000001", ["due_date"] = "2026-12-15", ["days_past_due"] = "14", ["overdue"] = "36,00", ["total_overdue"] = "36,00", ["fee"] = "5,00",
    };

    private string CopyOfShipped()
    {
        foreach (var file in Directory.EnumerateFiles(Shipped, "*.txt", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_folder, Path.GetRelativePath(Shipped, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return _folder;
    }

    [Fact]
    public void Every_notification_kind_has_its_placeholders_and_no_other_kind_has_any() =>
        Assert.Equal(NotificationKinds.All.Order(StringComparer.Ordinal), NotificationPlaceholders.ByKind.Keys.Order(StringComparer.Ordinal));

    [Fact]
    public void Load_ReadsTheShippedLayouts_ForEveryKindInEnglishPolishAndPortuguese()
    {
        var templates = NotificationTemplates.Load(Shipped);

        Assert.Equal(["en", "pl", "pt"], templates.Languages);
        foreach (var language in templates.Languages)
        {
            foreach (var kind in NotificationPlaceholders.ByKind.Keys)
            {
                Assert.True(File.Exists(Path.Combine(Shipped, language, kind + ".txt")), $"{language}/{kind}.txt is not shipped");
                var message = templates.Render(kind, language, AllValues());
                Assert.False(string.IsNullOrWhiteSpace(message.Subject), $"{language}/{kind}: empty subject");
                Assert.DoesNotContain("{{", message.Subject + message.Body, StringComparison.Ordinal);
                Assert.Contains("Ann Lee", message.Body, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Render_ShipsThePolishLowBalanceText_WithTheValuesInPlace()
    {
        var message = NotificationTemplates.Load(Shipped).Render(NotificationKinds.LowBalance, "pl", AllValues());

        Assert.Equal("Niskie saldo: 1,50 GBP", message.Subject);
        Assert.Equal("""
            Dzień dobry Ann Lee,

            saldo numeru 447700900123 wynosi 1,50 GBP (od 2026-11-26 10:15) i osiągnęło
            próg powiadomienia 2,00 GBP. Doładuj konto, aby dalej dzwonić, pisać i korzystać z internetu.

            """.Replace("\r\n", "\n", StringComparison.Ordinal), message.Body);
    }

    [Theory]
    [InlineData("de", "en")]
    [InlineData("pt-BR", "pt")]
    [InlineData(" PL ", "pl")]
    public void Render_UsesTheLanguage_OrItsBaseLanguage_ElseEnglish(string language, string expectedFrom)
    {
        var templates = NotificationTemplates.Load(Shipped);

        Assert.Equal(templates.Render(NotificationKinds.TopUp, expectedFrom, AllValues()), templates.Render(NotificationKinds.TopUp, language, AllValues()));
    }

    [Fact]
    public void Render_FindsALanguageFolderWrittenWithCapitals()
    {
        var folder = CopyOfShipped();
        Directory.CreateDirectory(Path.Combine(folder, "pt-BR"));
        File.WriteAllText(Path.Combine(folder, "pt-BR", "topup.txt"), "Subject: Recarga de {{amount}}\n\nOi {{name}}!\n");

        var message = NotificationTemplates.Load(folder).Render(NotificationKinds.TopUp, "pt-BR", AllValues());

        Assert.Equal("Recarga de 5,00", message.Subject);
    }

    [Fact]
    public void Load_ReportsAnUnknownPlaceholder_WithItsFile()
    {
        var folder = CopyOfShipped();
        var file = Path.Combine(folder, "pl", "topup.txt");
        File.WriteAllText(file, "Subject: Doładowanie {{amount}}\n\n{{balanse}} {{currency}}\n");

        var e = Assert.Throws<InvalidDataException>(() => NotificationTemplates.Load(folder));

        Assert.Contains($"{file}: unknown placeholder {{{{balanse}}}} (this kind has: account, amount, at, balance, currency, msisdn, name, reference)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ReportsAMissingEnglishLayout_AndABrokenOne_EachWithItsFile()
    {
        var folder = CopyOfShipped();
        File.Delete(Path.Combine(folder, "en", "expired.txt"));
        File.WriteAllText(Path.Combine(folder, "pt", "exhausted.txt"), "Olá {{name}}\n");

        var e = Assert.Throws<InvalidDataException>(() => NotificationTemplates.Load(folder));

        Assert.Contains($"{Path.Combine(folder, "en", "expired.txt")}: missing (English is the fallback for every language)", e.Message, StringComparison.Ordinal);
        Assert.Contains($"{Path.Combine(folder, "pt", "exhausted.txt")}: the first line must be 'Subject: …'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ReportsAFileOfAnUnknownKind()
    {
        var folder = CopyOfShipped();
        File.WriteAllText(Path.Combine(folder, "en", "birthday.txt"), "Subject: Hi\n\nHi\n");

        var e = Assert.Throws<InvalidDataException>(() => NotificationTemplates.Load(folder));

        Assert.Contains($"{Path.Combine(folder, "en", "birthday.txt")}: unknown kind 'birthday'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.5", "GBP", "en", "1.50")]
    [InlineData("1.5", "PLN", "pl", "1,50")]
    [InlineData("1.5", "EUR", "pt-BR", "1,50")]
    [InlineData("0.125", "GBP", "en", "0.13")]
    [InlineData("-0.125", "GBP", "en", "-0.13")]
    [InlineData("0.124999", "GBP", "en", "0.12")]
    [InlineData("0", "EUR", "pl", "0,00")]
    [InlineData("1234.5", "JPY", "en", "1235")]
    [InlineData("2.0005", "KWD", "pt", "2,001")]
    [InlineData("1234567.891", "EUR", "en", "1234567.89")]
    public void Amount_RoundsHalfAwayFromZeroToTheMinorUnit_InTheLanguagesNumberFormat(string amount, string currency, string language, string expected) =>
        Assert.Equal(expected, NotificationTemplates.Amount(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), currency, language));

    [Fact]
    public void An_operator_s_own_dunning_layout_loads_with_the_dunning_placeholders_but_needs_its_English_one()
    {
        var folder = CopyOfShipped();
        File.WriteAllText(Path.Combine(folder, "en", "dunning-business-reminder.txt"), "Subject: {{invoice}} overdue\n\nDear {{name}}, {{overdue}} {{currency}} since {{due_date}}.\n");
        File.WriteAllText(Path.Combine(folder, "pl", "dunning-gentle.txt"), "Subject: {{invoice}}\n\n{{name}}\n");

        var e = Assert.Throws<InvalidDataException>(() => NotificationTemplates.Load(folder));

        Assert.Contains($"{Path.Combine(folder, "en", "dunning-gentle.txt")}: missing (English is the fallback for every language)", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("dunning-business-reminder", e.Message, StringComparison.Ordinal);
        File.Delete(Path.Combine(folder, "pl", "dunning-gentle.txt"));
        var loaded = NotificationTemplates.Load(folder);
        Assert.True(loaded.Has("dunning-business-reminder"));
        Assert.Equal("Dear Ann Lee, 36,00 GBP since 2026-12-15.\n", loaded.Render("dunning-business-reminder", "pl", AllValues()).Body);
    }
}
