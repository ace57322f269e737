namespace Billing.Mediation;

/// <summary>
/// Turns a dial string into an E.164 number (digits only, no '+'): SIP URIs reduced to their
/// user part, access codes stripped, international and trunk prefixes resolved, extensions
/// expanded into the DID range. Pure; one instance per numbering plan.
/// </summary>
public sealed class NumberNormaliser(NumberingPlan plan)
{
    private const int MaxE164Digits = 15;

    /// <summary>The trunk prefix as numbers written for callers at home and abroad show it: "+44 (0)20 …".</summary>
    private const string TrunkInBrackets = "(0)";

    private readonly IReadOnlyList<string> _international =
        [.. plan.InternationalPrefixes.Where(p => p.Length > 0).OrderByDescending(p => p.Length)];

    private readonly IReadOnlyList<string> _access =
        [.. plan.AccessCodes.Where(p => p.Length > 0).OrderByDescending(p => p.Length)];

    private readonly HashSet<string> _serviceNumbers = [.. plan.ServiceNumbers.Where(n => n.Length > 0)];

    /// <summary>The longest dial string that can be a service number: the longest one after the longest access code, with room for separators.</summary>
    private readonly int _longestServiceDialString =
        plan.ServiceNumbers.Select(n => n.Length).DefaultIfEmpty(0).Max() + plan.AccessCodes.Select(c => c.Length).DefaultIfEmpty(0).Max() + 4;

    /// <summary>
    /// The plan's emergency or service number <paramref name="dialled"/> is (999, or 9999 with the access code 9), else null.
    /// Such a number is never a subscriber's: it is not read as an extension or a national number.
    /// </summary>
    public string? ServiceNumber(string? dialled)
    {
        if (_serviceNumbers.Count == 0)
        {
            return null;
        }

        var text = UserPart(dialled);
        if (text.Length == 0 || text.Length > _longestServiceDialString || text[0] == '+')
        {
            return null;
        }

        var digits = string.Concat(text.Where(c => c is not (' ' or '-' or '.')));
        if (_serviceNumbers.Contains(digits))
        {
            return digits;
        }

        foreach (var code in _access)
        {
            if (digits.StartsWith(code, StringComparison.Ordinal) && _serviceNumbers.Contains(digits[code.Length..]))
            {
                return digits[code.Length..];
            }
        }

        return null;
    }

    /// <summary>The E.164 digits, or null with the reason in <paramref name="problem"/>.</summary>
    public string? Normalise(string? dialled, out string? problem)
    {
        var text = UserPart(dialled);
        if (text.Length == 0)
        {
            problem = "empty number";
            return null;
        }

        var plus = text[0] == '+';
        Span<char> digits = stackalloc char[text.Length];
        var n = 0;
        for (var i = plus ? 1 : 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '(' && n > 0 && string.CompareOrdinal(text, i, TrunkInBrackets, 0, TrunkInBrackets.Length) == 0)
            {
                // "+44 (0)20 7946 0018": the 0 in brackets is dialled only from inside the country, never after its code.
                i += TrunkInBrackets.Length - 1;
            }
            else if (c is >= '0' and <= '9')
            {
                digits[n++] = c;
            }
            else if (c is not (' ' or '-' or '.' or '(' or ')'))
            {
                problem = $"'{dialled}' is not a telephone number";
                return null;
            }
        }

        var number = new string(digits[..n]);
        if (number.Length == 0)
        {
            problem = $"'{dialled}' has no digits";
            return null;
        }

        string e164;
        if (plus)
        {
            e164 = number;
        }
        else if (plan.ExtensionDigits > 0 && number.Length <= plan.ExtensionDigits)
        {
            if (plan.ExtensionPrefix.Length == 0)
            {
                problem = $"'{dialled}' is an extension and this source has no extension prefix configured";
                return null;
            }

            e164 = plan.ExtensionPrefix + number;
        }
        else
        {
            e164 = National(StripAccessCode(number));
        }

        if (e164.Length == 0)
        {
            // Only an international prefix ("00", "011"): nothing is left once it is taken off.
            problem = $"'{dialled}' has no digits after its international prefix";
            return null;
        }

        var national = e164.StartsWith(plan.CountryCode, StringComparison.Ordinal) ? e164.Length - plan.CountryCode.Length : e164.Length;
        if (e164.Length > MaxE164Digits)
        {
            problem = $"'{dialled}' is longer than 15 digits in E.164 ({e164})";
            return null;
        }

        if (e164[0] == '0' || national < plan.MinNationalDigits)
        {
            problem = $"'{dialled}' is too short or not a valid E.164 number ({e164})";
            return null;
        }

        problem = null;
        return e164;
    }

    private string StripAccessCode(string number)
    {
        foreach (var code in _access)
        {
            if (number.Length > code.Length + Math.Max(plan.ExtensionDigits, 0) && number.StartsWith(code, StringComparison.Ordinal))
            {
                return number[code.Length..];
            }
        }

        return number;
    }

    private string National(string number)
    {
        foreach (var prefix in _international)
        {
            if (number.StartsWith(prefix, StringComparison.Ordinal))
            {
                return number[prefix.Length..];
            }
        }

        if (plan.TrunkPrefix.Length > 0 && number.StartsWith(plan.TrunkPrefix, StringComparison.Ordinal))
        {
            return plan.CountryCode + number[plan.TrunkPrefix.Length..];
        }

        // Platforms often log E.164 without its '+' (447700900123). With a trunk prefix in the plan a
        // national number always carries it, so a bare number that starts with the country code and
        // is long enough is already international.
        if (plan.BareCountryCodeIsE164 && plan.TrunkPrefix.Length > 0 && number.StartsWith(plan.CountryCode, StringComparison.Ordinal)
            && number.Length - plan.CountryCode.Length >= plan.MinNationalDigits)
        {
            return number;
        }

        return plan.CountryCode + number;
    }

    /// <summary>"sip:+4420...@host;user=phone" and "&lt;sip:...&gt;" become "+4420...".</summary>
    private static string UserPart(string? dialled)
    {
        var text = (dialled ?? "").Trim().Trim('"').Trim();
        if (text.StartsWith('<') && text.EndsWith('>'))
        {
            text = text[1..^1];
        }

        if (text.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) || text.StartsWith("sips:", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("tel:", StringComparison.OrdinalIgnoreCase))
        {
            text = text[(text.IndexOf(':', StringComparison.Ordinal) + 1)..];
        }

        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            text = text[..at];
        }

        var semi = text.IndexOf(';', StringComparison.Ordinal);
        return semi >= 0 ? text[..semi].Trim() : text.Trim();
    }
}
