using System.Globalization;
using Billing.Core.Dunning;
using static Billing.Catalog.Native.NativeCatalogReader;
using static Billing.Catalog.Native.NativeFields;

namespace Billing.Catalog.Native;

/// <summary>
/// dunning.csv: the collections ladder per customer segment (<c>*</c>: every segment without its own).
/// Columns: <c>segment</c>, <c>step</c> (id, unique in its segment), <c>days</c> (past the due date,
/// at least 1), <c>action</c> (email, letter, fee, suspend, agency), <c>amount</c> (a fee: <c>5.00</c>
/// fixed or <c>2%</c> of the invoice's overdue amount), <c>cap</c> (a percentage fee's maximum),
/// <c>tax_category</c> (a fee's, default standard), <c>template</c> (an e-mail's or letter's layout,
/// <c>dunning-…</c>; defaults: dunning-reminder, dunning-final-notice), <c>minimum_overdue</c> (the
/// segment's: on any of its rows, the same wherever repeated; default 0.01).
/// </summary>
internal static class DunningReader
{
    public const string DefaultEmailTemplate = "dunning-reminder";
    public const string DefaultLetterTemplate = "dunning-final-notice";
    public const string TemplatePrefix = "dunning-";

    public static DunningPolicies Read(IReadOnlyDictionary<string, string> files, CatalogProblems problems)
    {
        var rows = CsvTable.ReadWithHeader(files, DunningFile, required: false, ["segment", "step", "days", "action"], ["amount", "cap", "tax_category", "template", "minimum_overdue"], problems);
        var segments = new Dictionary<string, (List<DunningStep> Steps, decimal? Minimum, long MinimumLine, Dictionary<string, long> Ids)>(StringComparer.OrdinalIgnoreCase);
        foreach (var row in rows)
        {
            var segment = row["segment"];
            var ok = segment == DunningPolicies.DefaultSegment || CheckId(row, "segment", segment, problems);
            var id = row["step"];
            ok &= CheckId(row, "step", id, problems);
            if (!int.TryParse(row["days"], NumberStyles.None, CultureInfo.InvariantCulture, out var days) || days < 1 || days > 3650)
            {
                problems.Error(row.File, row.Line, $"days '{row["days"]}' must be a whole number of days past the due date, 1 to 3650");
                ok = false;
            }

            var action = DunningActionCodes.Parse(row["action"].ToLowerInvariant());
            if (action is null)
            {
                problems.Error(row.File, row.Line, $"action '{row["action"]}' is not one of {string.Join(", ", DunningActionCodes.All.Select(a => a.Code()))}");
                ok = false;
            }

            var fee = action == DunningActionKind.Fee ? Fee(row, problems, ref ok) : NoFee(row, problems, ref ok);
            var template = Template(row, action, problems, ref ok);
            var category = row["tax_category"].Length == 0 ? Billing.Core.Catalog.Plan.StandardTaxCategory : row["tax_category"];
            if (row["tax_category"].Length > 0 && action != DunningActionKind.Fee)
            {
                problems.Error(row.File, row.Line, "tax_category is only for a fee step");
                ok = false;
            }

            decimal? minimum = null;
            if (row["minimum_overdue"].Length > 0)
            {
                if (CatalogUnits.TryParseDecimal(row["minimum_overdue"], out var m) && m >= 0m)
                {
                    minimum = m;
                }
                else
                {
                    problems.Error(row.File, row.Line, $"minimum_overdue '{row["minimum_overdue"]}' is not an amount of at least 0 (5.00)");
                    ok = false;
                }
            }

            if (!segments.TryGetValue(segment, out var policy))
            {
                policy = ([], null, 0, new Dictionary<string, long>(StringComparer.Ordinal));
            }

            if (minimum is { } given)
            {
                if (policy.Minimum is { } earlier && earlier != given)
                {
                    problems.Error(row.File, row.Line, $"segment '{segment}' already has minimum_overdue {earlier.ToString(CultureInfo.InvariantCulture)} (line {policy.MinimumLine})");
                    ok = false;
                }
                else
                {
                    policy = policy with { Minimum = given, MinimumLine = policy.MinimumLine == 0 ? row.Line : policy.MinimumLine };
                }
            }

            if (ok && !policy.Ids.TryAdd(id, row.Line))
            {
                problems.Error(row.File, row.Line, $"step '{id}' of segment '{segment}' is defined twice (first on line {policy.Ids[id]})");
                ok = false;
            }

            if (ok)
            {
                policy.Steps.Add(new DunningStep(id, days, action!.Value, template, fee, category));
            }

            segments[segment] = policy;
        }

        return new DunningPolicies([.. segments.Select(s => new DunningPolicy(s.Key, s.Value.Minimum ?? 0.01m, s.Value.Steps))]);
    }

    private static FeeRule? Fee(CsvRow row, CatalogProblems problems, ref bool ok)
    {
        var text = row["amount"];
        decimal? cap = null;
        if (row["cap"].Length > 0)
        {
            if (CatalogUnits.TryParseDecimal(row["cap"], out var c) && c > 0m)
            {
                cap = c;
            }
            else
            {
                problems.Error(row.File, row.Line, $"cap '{row["cap"]}' is not an amount above 0 (25.00)");
                ok = false;
            }
        }

        if (text.EndsWith('%'))
        {
            if (TaxesReader.TryParseRate(text, out var rate) && rate > 0m)
            {
                return ok ? FeeRule.Percentage(rate, cap) : null;
            }

            problems.Error(row.File, row.Line, $"amount '{text}' is not a percentage above 0 and at most 100 (2%)");
            ok = false;
            return null;
        }

        if (cap is not null)
        {
            problems.Error(row.File, row.Line, "cap is only for a percentage fee (amount 2%)");
            ok = false;
        }

        if (CatalogUnits.TryParseDecimal(text, out var amount) && amount > 0m)
        {
            return ok ? FeeRule.FixedAmount(amount) : null;
        }

        problems.Error(row.File, row.Line, $"amount '{text}' is not a fee: a fixed amount above 0 (5.00) or a percentage of the overdue amount (2%)");
        ok = false;
        return null;
    }

    private static FeeRule? NoFee(CsvRow row, CatalogProblems problems, ref bool ok)
    {
        if (row["amount"].Length > 0 || row["cap"].Length > 0)
        {
            problems.Error(row.File, row.Line, "amount and cap are only for a fee step");
            ok = false;
        }

        return null;
    }

    private static string? Template(CsvRow row, DunningActionKind? action, CatalogProblems problems, ref bool ok)
    {
        var given = row["template"];
        if (action is not (DunningActionKind.Email or DunningActionKind.Letter))
        {
            if (given.Length > 0)
            {
                problems.Error(row.File, row.Line, "template is only for an email or letter step");
                ok = false;
            }

            return null;
        }

        if (given.Length == 0)
        {
            return action == DunningActionKind.Email ? DefaultEmailTemplate : DefaultLetterTemplate;
        }

        if (!given.StartsWith(TemplatePrefix, StringComparison.Ordinal) || given.Length == TemplatePrefix.Length
            || !given.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            problems.Error(row.File, row.Line, $"template '{given}' must be a notification layout named {TemplatePrefix}… (lower-case letters, digits, '-'), e.g. dunning-reminder");
            ok = false;
            return null;
        }

        return given;
    }
}
