using Billing.Core.Notifications;

namespace Billing.Notifications;

/// <summary>The placeholders the template of each <see cref="NotificationKinds">kind</see> may use.</summary>
public static class NotificationPlaceholders
{
    /// <summary>Placeholders every kind may use. (Declared before <see cref="ByKind"/>: static fields initialise in order.)</summary>
    public static readonly IReadOnlySet<string> Common = new HashSet<string>(StringComparer.Ordinal) { "name", "msisdn", "currency", "balance", "at", "account" };

    /// <summary>Every kind with the placeholders its template may use.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> ByKind = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal)
    {
        [NotificationKinds.LowBalance] = Names("threshold"),
        [NotificationKinds.Exhausted] = Names(),
        [NotificationKinds.CreditLimit] = Names("limit"),
        [NotificationKinds.Expired] = Names("amount"),
        [NotificationKinds.TopUp] = Names("amount", "reference"),
        [NotificationKinds.DunningReminder] = DunningNames,
        [NotificationKinds.DunningSecondReminder] = DunningNames,
        [NotificationKinds.DunningFinalNotice] = DunningNames,
        [NotificationKinds.DunningSuspended] = DunningNames,
        [NotificationKinds.DunningReactivated] = DunningNames,
    };

    /// <summary>
    /// The placeholders of <paramref name="kind"/>: a known kind's, any other <c>dunning-…</c> layout the
    /// dunning ones (an operator may add layouts for its own steps); null for an unknown kind.
    /// </summary>
    public static IReadOnlySet<string>? For(string kind) =>
        ByKind.TryGetValue(kind, out var names) ? names
        : kind.StartsWith(NotificationKinds.DunningPrefix, StringComparison.Ordinal) && kind.Length > NotificationKinds.DunningPrefix.Length ? DunningNames
        : null;

    /// <summary>
    /// A dunning message's: the invoice chased, its due date, days past due and what it still owes;
    /// the account's whole overdue amount (also as <c>balance</c>); a fee charged at the same step; the run's date as <c>at</c>.
    /// </summary>
    private static IReadOnlySet<string> DunningNames => Names("invoice", "due_date", "days_past_due", "overdue", "total_overdue", "fee");

    private static HashSet<string> Names(params string[] names) => new(Common.Concat(names), StringComparer.Ordinal);
}

/// <summary>
/// The notification layouts of a folder laid out as <c>LANGUAGE/KIND.txt</c> (e.g. <c>pl/low-balance.txt</c>).
/// English is required for every kind and is used for a language that has no layout of its own.
/// Amounts are shown to the currency's minor unit in the language's number format.
/// </summary>
public sealed class NotificationTemplates
{
    public const string FallbackLanguage = "en";

    private readonly Dictionary<(string Language, string Kind), MessageTemplate> _templates;

    private NotificationTemplates(string folder, Dictionary<(string, string), MessageTemplate> templates)
    {
        Folder = folder;
        _templates = templates;
    }

    public string Folder { get; }

    private static readonly Lazy<NotificationTemplates> ShippedTemplates = new(() => Load(Locate(null)));

    /// <summary>The layouts in templates/notifications (the working directory's, else the copy shipped with the program), loaded once.</summary>
    public static NotificationTemplates Shipped() => ShippedTemplates.Value;

    public IEnumerable<string> Languages => _templates.Keys.Select(k => k.Language).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

    /// <summary>
    /// The folder to use: <paramref name="configured"/> if given, else <c>templates/notifications</c> in the
    /// working directory, else the copy shipped next to the program.
    /// </summary>
    public static string Locate(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        var local = Path.GetFullPath(Path.Combine("templates", "notifications"));
        return Directory.Exists(local) ? local : Path.Combine(AppContext.BaseDirectory, "templates", "notifications");
    }

    /// <summary>Loads and checks every layout; throws with every problem, each naming its file.</summary>
    public static NotificationTemplates Load(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
        {
            throw new InvalidDataException($"notification templates: the folder {folder} does not exist (set notifications.templates in billing.json)");
        }

        var problems = new List<string>();
        var templates = new Dictionary<(string, string), MessageTemplate>();
        foreach (var dir in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
        {
            // Render looks languages up in lower case: a folder named pt-BR must be found as pt-br.
            var language = Path.GetFileName(dir).ToLowerInvariant();
            foreach (var file in Directory.EnumerateFiles(dir, "*.txt").Order(StringComparer.Ordinal))
            {
                var kind = Path.GetFileNameWithoutExtension(file);
                if (NotificationPlaceholders.For(kind) is not { } allowed)
                {
                    problems.Add($"{file}: unknown kind '{kind}' (one of {string.Join(", ", NotificationPlaceholders.ByKind.Keys)}, or dunning-… for a dunning step)");
                    continue;
                }

                var template = MessageTemplate.TryParse(File.ReadAllText(file), out var problem);
                if (template is null)
                {
                    problems.Add($"{file}: {problem}");
                    continue;
                }

                foreach (var name in template.Names.Where(n => !allowed.Contains(n)).Order(StringComparer.Ordinal))
                {
                    problems.Add($"{file}: unknown placeholder {{{{{name}}}}} (this kind has: {string.Join(", ", allowed.Order(StringComparer.Ordinal))})");
                }

                templates[(language, kind)] = template;
            }
        }

        var kinds = NotificationPlaceholders.ByKind.Keys.Concat(templates.Keys.Select(k => k.Item2)).Distinct(StringComparer.Ordinal);
        foreach (var kind in kinds.Where(k => !templates.ContainsKey((FallbackLanguage, k))).Order(StringComparer.Ordinal))
        {
            problems.Add($"{Path.Combine(folder, FallbackLanguage, kind + ".txt")}: missing (English is the fallback for every language)");
        }

        if (problems.Count > 0)
        {
            throw new InvalidDataException("notification templates:" + Environment.NewLine + string.Join(Environment.NewLine, problems));
        }

        return new NotificationTemplates(folder, templates);
    }

    /// <summary>Whether there is a layout of <paramref name="kind"/> (in English, the fallback of every language).</summary>
    public bool Has(string kind) => _templates.ContainsKey((FallbackLanguage, kind));

    /// <summary>Renders <paramref name="kind"/> in <paramref name="language"/> (else English).</summary>
    public RenderedMessage Render(string kind, string language, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(language);
        var lang = language.Trim().ToLowerInvariant();
        if (!_templates.TryGetValue((lang, kind), out var template)
            && !(lang.Contains('-', StringComparison.Ordinal) && _templates.TryGetValue((lang[..lang.IndexOf('-', StringComparison.Ordinal)], kind), out template))
            && !_templates.TryGetValue((FallbackLanguage, kind), out template))
        {
            throw new ArgumentException($"no notification template for kind '{kind}'", nameof(kind));
        }

        return template.Render(values);
    }

    /// <summary>
    /// An amount to the currency's minor unit (half away from zero), with the decimal comma in the
    /// languages that write one. (The program runs with invariant globalization, so this is a table,
    /// not the machine's locale data: the same text on every machine.)
    /// </summary>
    public static string Amount(decimal amount, string currency, string language)
    {
        ArgumentNullException.ThrowIfNull(language);
        var text = Billing.Core.Money.Money.Of(amount, currency).ToMinorUnitString();
        var lang = language.Split('-')[0].ToLowerInvariant();
        return DecimalComma.Contains(lang) ? text.Replace('.', ',') : text;
    }

    private static readonly HashSet<string> DecimalComma = new(StringComparer.Ordinal)
    {
        "pl", "pt", "de", "fr", "es", "it", "nl", "sv", "da", "nb", "fi", "cs", "sk", "ro", "hu", "tr", "ru", "uk", "el", "bg", "hr", "sl", "lt", "lv", "et",
    };
}
