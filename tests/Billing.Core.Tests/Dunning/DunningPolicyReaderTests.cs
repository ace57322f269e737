using Billing.Catalog;
using Billing.Catalog.Native;
using Billing.Core.Dunning;

namespace Billing.Core.Tests.Dunning;

public sealed class DunningPolicyReaderTests
{
    private static readonly string Template = Path.Combine(RepositoryRoot.Find(), "templates", "catalog");

    private static CatalogLoadResult WithDunning(string dunningCsv)
    {
        var files = CatalogSource.ReadFiles(Template).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        files[NativeCatalogReader.DunningFile] = dunningCsv;
        return NativeCatalogReader.Load(files, "v");
    }

    [Fact]
    public void The_shipped_ladder_reminds_on_day_7_charges_5_00_with_a_second_reminder_on_day_14_writes_on_21_suspends_on_30_and_hands_over_on_60()
    {
        var policies = NativeCatalogReader.Load(Template, "v").Catalog!.Dunning;

        var ladder = policies.For("consumer")!;
        Assert.Equal("*", ladder.Segment);
        Assert.Equal(5.00m, ladder.MinimumOverdue);
        Assert.Equal(
            [("reminder", 7, DunningActionKind.Email), ("second-reminder", 14, DunningActionKind.Email), ("late-fee", 14, DunningActionKind.Fee),
             ("final-notice", 21, DunningActionKind.Letter), ("suspend", 30, DunningActionKind.Suspend), ("agency", 60, DunningActionKind.Agency)],
            ladder.Steps.Select(s => (s.Id, s.Days, s.Action)));
        var fee = ladder.Steps[2];
        Assert.Equal((5.00m, "zero"), (fee.Fee!.Fixed!.Value, fee.TaxCategory));
        Assert.Equal(["dunning-final-notice", "dunning-reminder", "dunning-second-reminder"], policies.Templates.Order(StringComparer.Ordinal));

        var business = policies.For("business")!;
        Assert.Equal(20.00m, business.MinimumOverdue);
        Assert.Equal((0.02m, 50.00m), (business.Steps[1].Fee!.Rate!.Value, business.Steps[1].Fee!.Cap!.Value));
    }

    [Fact]
    public void A_catalogue_without_dunning_csv_chases_nobody()
    {
        var files = CatalogSource.ReadFiles(Template).Where(f => f.Key != NativeCatalogReader.DunningFile).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);

        var result = NativeCatalogReader.Load(files, "v");

        Assert.Empty(result.Errors);
        Assert.Null(result.Catalog!.Dunning.For("consumer"));
    }

    [Fact]
    public void Every_error_of_dunning_csv_is_reported_with_its_line()
    {
        var result = WithDunning("""
            segment,step,days,action,amount,cap,template,minimum_overdue
            *,reminder,0,email,,,,5.00
            *,fee,14,fee,five,,,
            *,fee2,14,fee,5.00,10.00,,
            *,call,14,phone,,,,
            *,letter,21,letter,,,final,
            *,reminder2,7,email,,,,6.00
            *,suspend,30,suspend,5.00,,,
            *,suspend,31,suspend,,,,
            """);

        Assert.Equal(
        [
            "dunning.csv:2: days '0' must be a whole number of days past the due date, 1 to 3650",
            "dunning.csv:3: amount 'five' is not a fee: a fixed amount above 0 (5.00) or a percentage of the overdue amount (2%)",
            "dunning.csv:4: cap is only for a percentage fee (amount 2%)",
            "dunning.csv:5: action 'phone' is not one of email, letter, fee, suspend, agency",
            "dunning.csv:6: template 'final' must be a notification layout named dunning-… (lower-case letters, digits, '-'), e.g. dunning-reminder",
            "dunning.csv:7: segment '*' already has minimum_overdue 5.00 (line 2)",
            "dunning.csv:8: amount and cap are only for a fee step",
        ], result.Errors.Select(e => $"{e.File}:{e.Line}: {e.Message}"));
    }

    [Fact]
    public void A_step_repeated_in_its_segment_is_an_error_but_the_same_step_in_another_segment_is_not()
    {
        var result = WithDunning("""
            segment,step,days,action
            *,reminder,7,email
            business,reminder,14,email
            *,reminder,8,email
            """);

        Assert.Equal(["dunning.csv:4: step 'reminder' of segment '*' is defined twice (first on line 2)"], result.Errors.Select(e => $"{e.File}:{e.Line}: {e.Message}"));
    }
}
