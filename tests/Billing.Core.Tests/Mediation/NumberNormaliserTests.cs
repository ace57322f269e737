using Billing.Mediation;

namespace Billing.Core.Tests.Mediation;

public class NumberNormaliserTests
{
    private static readonly NumberingPlan Uk = new();

    private static readonly NumberingPlan Nanp = new()
    {
        CountryCode = "1",
        TrunkPrefix = "1",
        InternationalPrefixes = ["011"],
        MinNationalDigits = 10,
    };

    private static readonly NumberingPlan Pbx = new()
    {
        AccessCodes = ["9"],
        ExtensionDigits = 4,
        ExtensionPrefix = "4420794",
    };

    private static string? Normalise(NumberingPlan plan, string? dialled, out string? problem) =>
        new NumberNormaliser(plan).Normalise(dialled, out problem);

    private static void AssertNumber(NumberingPlan plan, string dialled, string expected)
    {
        var e164 = Normalise(plan, dialled, out var problem);
        Assert.Null(problem);
        Assert.Equal(expected, e164);
    }

    private static string AssertProblem(NumberingPlan plan, string? dialled)
    {
        var e164 = Normalise(plan, dialled, out var problem);
        Assert.Null(e164);
        Assert.NotNull(problem);
        return problem;
    }

    [Theory]
    [InlineData("+442079460123", "442079460123")]
    [InlineData("+447700900123", "447700900123")]
    [InlineData("+33123456789", "33123456789")]
    [InlineData("+12125550123", "12125550123")]
    public void Normalise_KeepsDigits_WhenNumberStartsWithPlus(string dialled, string expected) =>
        AssertNumber(Uk, dialled, expected);

    [Theory]
    [InlineData("447700900123", "447700900123")]
    [InlineData("442079460123", "442079460123")]
    [InlineData("44123456", "44123456")]      // country code + exactly MinNationalDigits (6)
    [InlineData("4412345", "444412345")]      // one digit short: read as a national number
    public void Normalise_KeepsE164WithoutPlus_WhenBareNumberStartsWithCountryCode(string dialled, string expected) =>
        AssertNumber(Uk, dialled, expected);

    [Fact]
    public void Normalise_PrefixesCountryCode_WhenBareCountryCodeRuleIsOff() =>
        AssertNumber(Uk with { BareCountryCodeIsE164 = false }, "447700900123", "44447700900123");

    [Theory]
    [InlineData("00442079460123", "442079460123")]
    [InlineData("0033123456789", "33123456789")]
    [InlineData("0012125550123", "12125550123")]
    public void Normalise_StripsInternationalPrefix_WhenUkPlan(string dialled, string expected) =>
        AssertNumber(Uk, dialled, expected);

    [Theory]
    [InlineData("02079460123", "442079460123")]
    [InlineData("07700900123", "447700900123")]
    [InlineData("01632960983", "441632960983")]
    public void Normalise_StripsTrunkPrefix_WhenNationalNumber(string dialled, string expected) =>
        AssertNumber(Uk, dialled, expected);

    [Fact]
    public void Normalise_PrependsCountryCode_WhenNumberHasNoPrefix() =>
        AssertNumber(Uk, "2079460123", "442079460123");

    [Theory]
    [InlineData("12125550123", "12125550123")]
    [InlineData("2125550123", "12125550123")]
    [InlineData("011442079460123", "442079460123")]
    [InlineData("01133123456789", "33123456789")]
    [InlineData("+1 (212) 555-0123", "12125550123")]
    public void Normalise_ResolvesTrunkAndInternationalPrefixes_WhenNanpPlan(string dialled, string expected) =>
        AssertNumber(Nanp, dialled, expected);

    [Fact]
    public void Normalise_ReportsProblem_WhenNanpNumberIsShorterThanTenNationalDigits() =>
        AssertProblem(Nanp, "212555012");

    [Theory]
    [InlineData("902079460123", "442079460123")]
    [InlineData("907700900123", "447700900123")]
    [InlineData("900442079460123", "442079460123")]
    [InlineData("9+442079460123", null)]
    public void Normalise_StripsAccessCode_WhenNumberIsLongerThanAnExtension(string dialled, string? expected)
    {
        var e164 = Normalise(Pbx, dialled, out _);
        Assert.Equal(expected, e164);
    }

    [Theory]
    [InlineData("1001", "44207941001")]
    [InlineData("9123", "44207949123")]
    [InlineData("42", "442079442")]
    public void Normalise_ExpandsExtensionWithPrefix_WhenNumberIsExtensionLength(string dialled, string expected) =>
        AssertNumber(Pbx, dialled, expected);

    [Fact]
    public void Normalise_KeepsAccessCode_WhenRemainderWouldBeOnlyAnExtension()
    {
        // "9" + a 4-digit extension is 5 digits: not stripped, so it is read as a short national number.
        var problem = AssertProblem(Pbx, "91001");
        Assert.Contains("4491001", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalise_ReportsProblem_WhenExtensionAndNoPrefixConfigured()
    {
        var plan = Pbx with { ExtensionPrefix = "" };
        var problem = AssertProblem(plan, "1001");
        Assert.Contains("extension", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sip:+442079460123@10.0.0.1;user=phone", "442079460123")]
    [InlineData("<sip:+442079460123@10.0.0.1>", "442079460123")]
    [InlineData("SIP:02079460123@gw.example.net", "442079460123")]
    [InlineData("sips:+447700900123@example.net", "447700900123")]
    [InlineData("tel:+44-20-7946-0123", "442079460123")]
    [InlineData("tel:+442079460123;phone-context=example.net", "442079460123")]
    [InlineData("\"+442079460123\"", "442079460123")]
    public void Normalise_ReducesUriToUserPart_WhenSipOrTelUri(string dialled, string expected) =>
        AssertNumber(Uk, dialled, expected);

    [Theory]
    [InlineData("<sip:1001@pbx>", "44207941001")]
    [InlineData("sip:1001@10.1.1.1;transport=udp", "44207941001")]
    [InlineData("sip:902079460123@pbx", "442079460123")]
    public void Normalise_ExpandsExtension_WhenSipUriOnPbx(string dialled, string expected) =>
        AssertNumber(Pbx, dialled, expected);

    [Theory]
    [InlineData("020 7946 0123", "442079460123")]
    [InlineData("020-7946-0123", "442079460123")]
    [InlineData("(020) 7946 0123", "442079460123")]
    [InlineData("+44.20.7946.0123", "442079460123")]
    [InlineData("  07700 900123  ", "447700900123")]
    public void Normalise_IgnoresSeparators_WhenNumberIsFormatted(string dialled, string expected) =>
        AssertNumber(Uk, dialled, expected);

    [Theory]
    [InlineData("+44 (0)20 7946 0018", "442079460018")]
    [InlineData("+44(0)2079460018", "442079460018")]
    [InlineData("0044 (0)20 7946 0018", "442079460018")]
    [InlineData("+33 (0)1 23 45 67 89", "33123456789")]
    [InlineData("(0)20 7946 0018", "442079460018")]
    public void A_trunk_prefix_written_in_brackets_after_the_country_code_is_not_dialled(string dialled, string expected) =>
        AssertNumber(Uk, dialled, expected);

    [Theory]
    [InlineData("07700ABC123")]
    [InlineData("anonymous")]
    [InlineData("sip:alice@example.net")]
    [InlineData("+44*2079460123")]
    [InlineData("0207946#0123")]
    public void Normalise_ReportsProblem_WhenNumberHasOtherCharacters(string dialled)
    {
        var problem = AssertProblem(Uk, dialled);
        Assert.Contains("is not a telephone number", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("uk", "00")]
    [InlineData("uk", "0 0")]
    [InlineData("nanp", "011")]
    [InlineData("uk-access-9", "900")]
    public void A_number_that_is_only_an_international_prefix_is_reported_as_having_no_digits_after_it(string plan, string dialled)
    {
        var numbering = plan switch
        {
            "uk" => Uk,
            "nanp" => Nanp,
            _ => Uk with { AccessCodes = ["9"] },
        };

        var problem = AssertProblem(numbering, dialled);

        Assert.Equal($"'{dialled}' has no digits after its international prefix", problem);
    }

    [Theory]
    [InlineData("+442079460123456", "442079460123456")]
    [InlineData("00442079460123456", "442079460123456")]
    public void Normalise_Accepts_WhenNumberHasExactlyFifteenDigits(string dialled, string expected) =>
        AssertNumber(Uk, dialled, expected);

    [Theory]
    [InlineData("+4420794601234567")]
    [InlineData("004420794601234567")]
    [InlineData("0207946012345678")]
    public void Normalise_ReportsProblem_WhenNumberIsLongerThanFifteenDigits(string dialled)
    {
        var problem = AssertProblem(Uk, dialled);
        Assert.Contains("longer than 15 digits", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("+44123456", "44123456")]
    [InlineData("0123456", "44123456")]
    public void Normalise_Accepts_WhenNationalNumberHasMinimumDigits(string dialled, string expected) =>
        AssertNumber(Uk, dialled, expected);

    [Theory]
    [InlineData("+4412345")]
    [InlineData("012345")]
    [InlineData("999")]
    [InlineData("000123456")]
    public void Normalise_ReportsProblem_WhenNumberIsTooShortOrInvalid(string dialled)
    {
        var problem = AssertProblem(Uk, dialled);
        Assert.Contains("too short or not a valid E.164 number", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "empty number")]
    [InlineData("", "empty number")]
    [InlineData("   ", "empty number")]
    [InlineData("+", "has no digits")]
    [InlineData("--", "has no digits")]
    public void Normalise_ReportsProblem_WhenNumberIsEmpty(string? dialled, string expected)
    {
        var problem = AssertProblem(Uk, dialled);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("999", "999")]
    [InlineData("112", "112")]
    [InlineData("9999", "999")]
    [InlineData("9112", "112")]
    [InlineData(" 9 999 ", "999")]
    [InlineData("<sip:999@pbx>", "999")]
    public void An_emergency_number_dialled_alone_or_after_the_access_code_is_a_service_number(string dialled, string expected) =>
        Assert.Equal(expected, new NumberNormaliser(Pbx).ServiceNumber(dialled));

    [Theory]
    [InlineData("+999")]
    [InlineData("01999")]
    [InlineData("2001")]
    [InlineData("99999")]
    [InlineData("")]
    [InlineData(null)]
    public void Other_numbers_are_not_service_numbers(string? dialled) =>
        Assert.Null(new NumberNormaliser(Pbx).ServiceNumber(dialled));

    [Fact]
    public void A_plan_names_its_own_service_numbers() =>
        Assert.Equal((null, "911"), (new NumberNormaliser(Nanp with { ServiceNumbers = ["911"] }).ServiceNumber("999"), new NumberNormaliser(Nanp with { ServiceNumbers = ["911"] }).ServiceNumber("911")));
}
