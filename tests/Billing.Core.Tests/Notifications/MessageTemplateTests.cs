using Billing.Core.Notifications;

namespace Billing.Core.Tests.Notifications;

public class MessageTemplateTests
{
    private static readonly Dictionary<string, string> Values = new(StringComparer.Ordinal) { ["name"] = "Ann", ["balance"] = "1.50", ["currency"] = "GBP" };

    [Fact]
    public void Render_FillsSubjectAndBody_AndEndsTheBodyWithOneNewline()
    {
        var template = MessageTemplate.TryParse("Subject: Low: {{balance}} {{ currency }}\n\n\nHello {{name}},\nyou have {{balance}}.\n\n\n", out var problem)!;

        var message = template.Render(Values);

        Assert.Null(problem);
        Assert.Equal(new RenderedMessage("Low: 1.50 GBP", "Hello Ann,\nyou have 1.50.\n"), message);
        Assert.Equal(["balance", "currency", "name"], template.Names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TryParse_ReadsWindowsLineEndings_AsUnixOnes()
    {
        var template = MessageTemplate.TryParse("Subject: Hi {{name}}\r\n\r\nLine 1\r\nLine 2\r\n", out _)!;

        Assert.Equal(new RenderedMessage("Hi Ann", "Line 1\nLine 2\n"), template.Render(Values));
    }

    [Theory]
    [InlineData("Hello {{name}}\n\nbody", "the first line must be 'Subject: …'")]
    [InlineData("", "the first line must be 'Subject: …'")]
    [InlineData("Subject: Hi {{name\n\nbody", "a '{{' without its '}}'")]
    [InlineData("Subject: Hi\n\nbody {{name", "a '{{' without its '}}'")]
    [InlineData("Subject: Hi\n\nbody {{first name}}", "'{{first name}}' is not a placeholder name (letters, digits, '_')")]
    [InlineData("Subject: Hi {{}}\n\nbody", "'{{}}' is not a placeholder name (letters, digits, '_')")]
    public void TryParse_SaysWhatIsWrong(string text, string expected)
    {
        var template = MessageTemplate.TryParse(text, out var problem);

        Assert.Null(template);
        Assert.Equal(expected, problem);
    }

    [Fact]
    public void Render_Throws_WhenAPlaceholderHasNoValue()
    {
        var template = MessageTemplate.TryParse("Subject: Hi\n\nTop-up {{reference}}", out _)!;

        var e = Assert.Throws<KeyNotFoundException>(() => template.Render(Values));

        Assert.Equal("no value for placeholder 'reference'", e.Message);
    }

    [Fact]
    public void Render_InsertsValuesAsText_WithoutReadingPlaceholdersInThem()
    {
        var template = MessageTemplate.TryParse("Subject: {{name}}\n\n{{name}}", out _)!;

        var message = template.Render(new Dictionary<string, string>(StringComparer.Ordinal) { ["name"] = "{{balance}}" });

        Assert.Equal(new RenderedMessage("{{balance}}", "{{balance}}\n"), message);
    }

    /// <summary>A name with a line break in the subject made the file channel's Subject: header two headers, the second of the account's choosing.</summary>
    [Fact]
    public void Render_KeepsTheSubjectOnOneLine_WhenAValueHoldsALineBreak_AndTheBodyAsItIs()
    {
        var template = MessageTemplate.TryParse("Subject: Invoice for {{name}}\n\n{{name}}", out _)!;

        var message = template.Render(new Dictionary<string, string>(StringComparer.Ordinal) { ["name"] = "Ann Smith\r\nBcc: all@example.com\u2028x" });

        Assert.Equal(new RenderedMessage("Invoice for Ann Smith  Bcc: all@example.com x", "Ann Smith\r\nBcc: all@example.com\u2028x\n"), message);
    }
}
