using Billing.Documents;

namespace Billing.Core.Tests.Documents;

public class InvoiceTemplateTests
{
    private static DocumentLanguage Language(string code) =>
        InvoiceTemplate.Load(Path.Combine(RepositoryRoot.Find(), "templates", "invoices", "default")).Language(code);

    [Theory]
    [InlineData("en", 1_234_567.891, "1,234,567.89")]
    [InlineData("pl", 1_234_567.891, "1\u00A0234\u00A0567,89")]
    [InlineData("pt", 1_234_567.891, "1.234.567,89")]
    [InlineData("en", 0.005, "0.01")]
    [InlineData("en", -0.005, "-0.01")]
    [InlineData("en", 999.994, "999.99")]
    [InlineData("en", 999.995, "1,000.00")]
    [InlineData("pt", -1000, "-1.000,00")]
    [InlineData("en", 0, "0.00")]
    public void Money_is_rounded_half_away_from_zero_to_cents_and_grouped_by_thousands(string language, double amount, string expected) =>
        Assert.Equal(expected, Language(language).Money((decimal)amount, "PLN"));

    [Theory]
    [InlineData(0.012345, "0.012345")]
    [InlineData(0.1, "0.10")]
    [InlineData(12.3456, "12.3456")]
    public void A_rated_amount_is_written_exactly_as_stored(double amount, string expected) =>
        Assert.Equal(expected, Language("en").Exact((decimal)amount, "EUR"));

    [Fact]
    public void The_brands_characters_are_each_character_of_its_words_and_every_languages_once_in_order()
    {
        var template = InvoiceTemplate.Load(Path.Combine(RepositoryRoot.Find(), "templates", "invoices", "default"));
        var characters = template.Characters;

        Assert.Equal(string.Concat(characters.Distinct().Order()), characters);
        Assert.All(template.Brand["operator"] + string.Concat(template.AddressLines), c => Assert.Contains(c, characters));
        foreach (var (language, key) in new[] { ("en", "amount-due"), ("pl", "amount-due"), ("pt", "amount-due"), ("pl", "payment-instructions"), ("pt", "payment-instructions") })
        {
            Assert.All(template.Language(language)[key], c => Assert.Contains(c, characters));
        }

        Assert.Contains('ł', characters); // Polish and Portuguese letters of the strings, not only English's
        Assert.Contains('ã', characters);
    }

    [Fact]
    public void A_text_fills_each_named_placeholder_with_its_first_value_and_keeps_an_unnamed_one() =>
        Assert.Equal("Please pay GBP 12.50 by {due} to Northwind, IBAN {iban} (BIC {bic}), quoting the reference R-1 {x}.",
            Language("en").Text("payment-instructions", ("amount", "GBP 12.50"), ("operator", "Northwind"), ("operator", "ignored"), ("reference", "R-1 {x}"), ("x", "not filled in a value")));

    [Theory]
    [InlineData("en")]
    [InlineData("pl")]
    [InlineData("pt")]
    public void A_text_with_one_value_reads_as_with_a_list_of_that_value_for_every_key_and_name(string code)
    {
        var l = Language(code);
        var filled = 0;
        foreach (var key in DocumentLanguage.Keys)
        {
            // Every name some text has, and one none has: texts with no placeholder, with this one only, with others.
            foreach (var name in new[] { "n", "msisdn", "amount", "page", "operator", "account", "none" })
            {
                var one = l.Text(key, (name, "«v»"));
                Assert.Equal(l.Text(key, [(name, "«v»")]), one);
                filled += one.Contains("«v»", StringComparison.Ordinal) ? 1 : 0;
            }
        }

        Assert.True(filled > 10, $"{filled} texts filled"); // the texts do have these placeholders
    }

    [Fact]
    public void A_one_placeholder_text_is_filled_in_place_and_a_different_name_leaves_it_as_written() =>
        Assert.Equal(("12 SMS", "{n} SMS"), (Language("en").Text("unit.sms", ("n", "12")), Language("en").Text("unit.sms", ("x", "12"))));

    [Fact]
    public void Placeholders_are_filled_whatever_order_the_values_come_in() =>
        Assert.Equal("Page 3 of 4", Language("en").Text("page", ("pages", "4"), ("page", "3")));

    [Fact]
    public void Yen_amounts_have_no_decimals() =>
        Assert.Equal("JPY 1,235", Language("en").Amount(1_234.5m, "JPY"));

    [Fact]
    public void A_template_without_a_complete_english_is_refused_naming_the_file_and_key()
    {
        using var copy = CopyOfDefault();
        var english = Path.Combine(copy.Folder, "en", "strings.txt");
        File.WriteAllLines(english, File.ReadAllLines(english).Where(l => !l.StartsWith("amount-due", StringComparison.Ordinal)));
        File.AppendAllText(Path.Combine(copy.Folder, "pl", "strings.txt"), "no-such-key = x\n");

        var error = Assert.Throws<InvalidDataException>(() => InvoiceTemplate.Load(copy.Folder));

        Assert.Contains($"{english}: 'amount-due' is missing", error.Message, StringComparison.Ordinal);
        Assert.Contains("unknown key 'no-such-key'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_letter_title_for_a_template_of_ones_own_may_be_given_in_one_language_and_the_others_use_the_neutral_title()
    {
        using var copy = CopyOfDefault();
        File.AppendAllText(Path.Combine(copy.Folder, "pl", "strings.txt"), "title.dunning-pre-legal = Wezwanie przedsądowe\n");

        var template = InvoiceTemplate.Load(copy.Folder);

        Assert.Equal("Wezwanie przedsądowe", template.Language("pl").LetterTitle("dunning-pre-legal"));
        Assert.Equal("Overdue notice", template.Language("en").LetterTitle("dunning-pre-legal"));
        Assert.Equal("Aviso de pagamento em atraso", template.Language("pt").LetterTitle("dunning-pre-legal"));
        Assert.Equal("Ostateczne wezwanie do zapłaty", template.Language("pl").LetterTitle("dunning-final-notice"));
    }

    [Fact]
    public void A_letter_title_key_without_a_template_name_is_refused()
    {
        using var copy = CopyOfDefault();
        File.AppendAllText(Path.Combine(copy.Folder, "pl", "strings.txt"), "title.dunning- = x\n");

        var error = Assert.Throws<InvalidDataException>(() => InvoiceTemplate.Load(copy.Folder));

        Assert.Contains("unknown key 'title.dunning-'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_colour_that_is_not_rrggbb_is_refused()
    {
        using var copy = CopyOfDefault();
        var brand = Path.Combine(copy.Folder, "brand.txt");
        File.WriteAllText(brand, File.ReadAllText(brand).Replace("colour.primary = #0B5394", "colour.primary = blue", StringComparison.Ordinal));

        var error = Assert.Throws<InvalidDataException>(() => InvoiceTemplate.Load(copy.Folder));

        Assert.Contains("colour.primary 'blue' is not a #RRGGBB colour", error.Message, StringComparison.Ordinal);
    }

    private static TempFolder CopyOfDefault()
    {
        var copy = new TempFolder();
        var source = Path.Combine(RepositoryRoot.Find(), "templates", "invoices", "default");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy.Folder, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return copy;
    }

    private sealed class TempFolder : IDisposable
    {
        public string Folder { get; } = Directory.CreateTempSubdirectory("billing-template-").FullName;

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }
}
