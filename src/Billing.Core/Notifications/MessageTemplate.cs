using System.Text;

namespace Billing.Core.Notifications;

/// <summary>A rendered message: a subject line and a plain-text body.</summary>
public sealed record RenderedMessage(string Subject, string Body);

/// <summary>
/// A message layout: the first line is <c>Subject: …</c>, then a blank line, then the body.
/// <c>{{name}}</c> is replaced by the value of <c>name</c>; a name the caller does not supply is
/// an error, so a typo in a template is found when it is loaded, not by a subscriber.
/// </summary>
public sealed class MessageTemplate
{
    private readonly string _subject;
    private readonly string _body;

    private MessageTemplate(string subject, string body, IReadOnlySet<string> names)
    {
        _subject = subject;
        _body = body;
        Names = names;
    }

    /// <summary>The placeholders the template uses.</summary>
    public IReadOnlySet<string> Names { get; }

    /// <summary>Parses a template; <paramref name="problem"/> says what is wrong, if it cannot be.</summary>
    public static MessageTemplate? TryParse(string text, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        var firstBreak = text.IndexOf('\n', StringComparison.Ordinal);
        var first = firstBreak < 0 ? text : text[..firstBreak];
        if (!first.StartsWith("Subject:", StringComparison.OrdinalIgnoreCase))
        {
            problem = "the first line must be 'Subject: …'";
            return null;
        }

        var subject = first["Subject:".Length..].Trim();
        var body = firstBreak < 0 ? "" : text[(firstBreak + 1)..].TrimStart('\n').TrimEnd() + "\n";
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in new[] { subject, body })
        {
            var at = 0;
            while ((at = part.IndexOf("{{", at, StringComparison.Ordinal)) >= 0)
            {
                var end = part.IndexOf("}}", at, StringComparison.Ordinal);
                if (end < 0)
                {
                    problem = "a '{{' without its '}}'";
                    return null;
                }

                var name = part[(at + 2)..end].Trim();
                if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                {
                    problem = $"'{{{{{name}}}}}' is not a placeholder name (letters, digits, '_')";
                    return null;
                }

                names.Add(name);
                at = end + 2;
            }
        }

        problem = null;
        return new MessageTemplate(subject, body, names);
    }

    public RenderedMessage Render(IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new RenderedMessage(OneLine(Fill(_subject, values)), Fill(_body, values));
    }

    /// <summary>
    /// The subject goes into a header line (the file channel's Subject:, SMTP's): a line break (or another control
    /// character) a value brings, e.g. from an account's name, is a space, so it cannot start a header of its own.
    /// </summary>
    private static string OneLine(string subject) =>
        subject.Any(IsBreak) ? string.Concat(subject.Select(c => IsBreak(c) ? ' ' : c)) : subject;

    private static bool IsBreak(char c) =>
        char.IsControl(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator;

    private static string Fill(string text, IReadOnlyDictionary<string, string> values)
    {
        var sb = new StringBuilder(text.Length + 32);
        var at = 0;
        while (true)
        {
            var open = text.IndexOf("{{", at, StringComparison.Ordinal);
            if (open < 0)
            {
                return sb.Append(text, at, text.Length - at).ToString();
            }

            var end = text.IndexOf("}}", open, StringComparison.Ordinal);
            var name = text[(open + 2)..end].Trim();
            if (!values.TryGetValue(name, out var value))
            {
                throw new KeyNotFoundException($"no value for placeholder '{name}'");
            }

            sb.Append(text, at, open - at).Append(value);
            at = end + 2;
        }
    }
}
