using System.Globalization;
using Billing.Catalog;
using Billing.Catalog.Cgrates;
using Billing.Core.Catalog;
using Billing.Core.Rating;
using Billing.Core.Usage;
using NodaTime;
using NodaTime.Text;

namespace Billing.Core.Tests.Catalog;

/// <summary>
/// Golden tests: the semantics CGRateS' own rating tests assert, priced from tariff-plan CSV text
/// through the path `billing price --cgrates --subject` takes (CgratesImporter.Load, Rater,
/// RatingProfiles.Price). Each test names the CGRateS file and test its case comes from (repository
/// cgrates/cgrates); docs/cgrates-semantics.md maps every semantic to these tests.
/// </summary>
public class CgratesSemanticsTests
{
    /// <summary>The numbering plan CGRateS' test data is written in: Romanian national prefixes (0256, 0723), '+49'.</summary>
    private static readonly PrefixNumbering Romania = new("40", "0", ["00"]);

    /// <summary>
    /// The rating part of CGRateS' engine test data (engine/libtest.go: DestinationsCSVContent …
    /// RatingProfilesCSVContent, the data engine/calldesc_test.go prices), minus the rows for
    /// features outside rating (actions, accounts) and the one-off *asap timing.
    /// </summary>
    private static Dictionary<string, string> EngineTestData() => new()
    {
        ["Destinations.csv"] = """
            GERMANY,49
            GERMANY_O2,41
            GERMANY_PREMIUM,43
            ALL,49
            ALL,41
            ALL,43
            NAT,0256
            NAT,0257
            NAT,0723
            NAT,+49
            RET,0723
            RET,0724
            SPEC,0723045
            EU_LANDLINE,444
            """,
        ["Timings.csv"] = """
            WORKDAYS_00,*any,*any,*any,1;2;3;4;5,00:00:00
            WORKDAYS_18,*any,*any,*any,1;2;3;4;5,18:00:00
            WEEKENDS,*any,*any,*any,6;7,00:00:00
            """,
        ["Rates.csv"] = """
            R1,0,0.2,60s,1s,0s
            R2,0,0.1,60s,1s,0s
            R3,0,0.05,60s,1s,0s
            R4,1,1,1s,1s,0s
            R5,0,0.5,1s,1s,0s
            LANDLINE_OFFPEAK,0,1,1s,60s,0s
            LANDLINE_OFFPEAK,0,1,1s,1s,60s
            MX,0,1,1s,1s,0s
            DY,0.15,0.05,60s,1s,0s
            CF,1.12,0,1s,1s,0s
            """,
        ["DestinationRates.csv"] = """
            RT_STANDARD,GERMANY,R1,*middle,4,0,
            RT_STANDARD,GERMANY_O2,R2,*middle,4,0,
            RT_STANDARD,GERMANY_PREMIUM,R2,*middle,4,0,
            RT_STD_WEEKEND,GERMANY,R2,*middle,4,0,
            RT_STD_WEEKEND,GERMANY_O2,R3,*middle,4,0,
            P1,NAT,R4,*middle,4,0,
            P2,NAT,R5,*middle,4,0,
            T1,NAT,LANDLINE_OFFPEAK,*middle,4,0,
            MX_FREE,RET,MX,*middle,4,10,*free
            MX_DISC,RET,MX,*middle,4,10,*disconnect
            RT_DY,RET,DY,*up,2,0,
            RT_DY,EU_LANDLINE,CF,*middle,4,0,
            DATA_RATE,*any,LANDLINE_OFFPEAK,*middle,4,0,
            """,
        ["RatingPlans.csv"] = """
            STANDARD,RT_STANDARD,WORKDAYS_00,10
            STANDARD,RT_STD_WEEKEND,WORKDAYS_18,10
            STANDARD,RT_STD_WEEKEND,WEEKENDS,10
            EVENING,P1,WORKDAYS_00,10
            EVENING,P2,WORKDAYS_18,10
            EVENING,P2,WEEKENDS,10
            TDRT,T1,WORKDAYS_00,10
            RP_MX,MX_DISC,WORKDAYS_00,10
            RP_MX,MX_FREE,WORKDAYS_18,10
            DY_PLAN,RT_DY,*any,10
            RP_DATA,DATA_RATE,*any,10
            """,
        ["RatingProfiles.csv"] = """
            vdf,0,rif,2012-01-01T00:00:00Z,EVENING,
            vdf,0,*any,2012-02-28T00:00:00Z,EVENING,
            test,0,trp,2013-10-01T00:00:00Z,TDRT,rif
            cgrates.org,call,max,2013-03-23T00:00:00Z,RP_MX,
            cgrates.org,call,dy,2015-02-28T00:00:00Z,DY_PLAN,
            cgrates.org,data,rif,2013-01-06T00:00:00Z,RP_DATA,
            """,
    };

    private static TariffCatalog Import(Dictionary<string, string> files)
    {
        var result = CgratesImporter.Load(files, new CgratesImportOptions { Version = "golden", Numbering = Romania });
        Assert.Empty(result.Errors);
        return result.Catalog!;
    }

    /// <summary>A tariff plan from the text of its six files (Timings.csv empty unless given).</summary>
    private static TariffCatalog Plan(string destinations, string rates, string destinationRates, string ratingPlans, string ratingProfiles, string timings = "") => Import(new Dictionary<string, string>
    {
        ["Destinations.csv"] = destinations,
        ["Timings.csv"] = timings,
        ["Rates.csv"] = rates,
        ["DestinationRates.csv"] = destinationRates,
        ["RatingPlans.csv"] = ratingPlans,
        ["RatingProfiles.csv"] = ratingProfiles,
    });

    /// <summary>Subject 1001 on plan RP (DestinationRates DR at any time) pricing DST_DE, prefix 49.</summary>
    private static TariffCatalog Germany(string rates, string destinationRates) =>
        Plan("DST_DE,49\n", rates, destinationRates, "RP,DR,*any,10\n", "cgrates.org,call,1001,2014-01-01T00:00:00Z,RP,\n");

    /// <summary>Prices a call of <paramref name="seconds"/> to <paramref name="number"/> (data: <paramref name="seconds"/> units, no number) as `billing price --cgrates --subject` does.</summary>
    private static (string? Plan, RatingOutcome Outcome) Price(TariffCatalog catalog, string tenant, string category, string subject, string? number, string start, long seconds)
    {
        var request = new RatingRequest(number is null ? ServiceType.Data : ServiceType.Voice, number, InstantPattern.General.Parse(start).Value, seconds);
        return RatingProfiles.Price(catalog, new Rater(catalog), tenant, category, subject, request);
    }

    private static RatedCharge Rated(TariffCatalog catalog, string tenant, string category, string subject, string? number, string start, long seconds)
    {
        var (_, outcome) = Price(catalog, tenant, category, subject, number, start, seconds);
        Assert.True(outcome.IsRated, outcome.FailureDetail);
        return outcome.Charge!;
    }

    private static decimal Dec(string text) => decimal.Parse(text, CultureInfo.InvariantCulture);

    // ---- *disconnect versus *free max cost -------------------------------------------------------

    /// <summary>
    /// engine/calldesc_test.go TestGetCostWithMaxCost (cost 1800, not capped) and
    /// TestMaxSessionTimeWithMaxCost (the session may last 10 s): subject max, 0723123113, Monday
    /// 2015-03-23 06:00 for 30 minutes, RP_MX's MX_DISC (1 a second, MaxCost 10 *disconnect).
    /// </summary>
    [Fact]
    public void A_disconnect_max_cost_does_not_cap_the_1800_of_a_30_minute_call_and_reports_the_cut_at_10_seconds()
    {
        var charge = Rated(Import(EngineTestData()), "cgrates.org", "call", "max", "40723123113", "2015-03-23T06:00:00Z", 1800);

        Assert.Equal((1800m, false, 10L), (charge.Amount, charge.Capped, charge.DisconnectAt));
        Assert.Equal("MX_DISC/MX", Assert.Single(charge.Parts).RateId);
    }

    /// <summary>
    /// engine/calldesc_test.go TestGetCostWithMaxCostFree (cost 10) and
    /// TestMaxSessionTimeWithMaxCostFree (the whole 30 minutes allowed): the same call at 19:00,
    /// under MX_FREE (MaxCost 10 *free).
    /// </summary>
    [Fact]
    public void A_free_max_cost_caps_the_same_30_minute_call_at_10_and_never_cuts_it()
    {
        var charge = Rated(Import(EngineTestData()), "cgrates.org", "call", "max", "40723123113", "2015-03-23T19:00:00Z", 1800);

        Assert.Equal((10m, true, (long?)null, 1800m), (charge.Amount, charge.Capped, charge.DisconnectAt, charge.RawCost));
        Assert.Equal("MX_FREE/MX", Assert.Single(charge.Parts).RateId);
    }

    /// <summary>
    /// engine/account.go debitCreditBalance / balances.go debitMoney (the dry-run debit behind
    /// TestMaxSessionTimeWithMaxCost): the cut comes before the first increment begun with the cost
    /// so far at or above MaxCost, so a call that ends as its cost reaches MaxCost is not cut.
    /// </summary>
    [Theory]
    [InlineData(9, "9", null)]
    [InlineData(10, "10", null)] // ten increments cost 10: no eleventh to cut
    [InlineData(11, "11", 10L)] // the eleventh begins with 10 spent
    public void A_disconnect_max_cost_reports_a_cut_only_when_an_increment_begins_at_or_above_it(long seconds, string amount, long? cutAt)
    {
        var charge = Rated(Import(EngineTestData()), "cgrates.org", "call", "max", "40723123113", "2015-03-23T06:00:00Z", seconds);

        Assert.Equal((Dec(amount), cutAt), (charge.Amount, charge.DisconnectAt));
    }

    /// <summary>
    /// engine/calldesc.go CallDescriptor.GetCost: a *free MaxCost replaces the cost before the
    /// global rounding (utils.Round), so a MaxCost finer than RoundingDecimals is rounded too.
    /// 0.01 a second, MaxCost 0.625 *free, *up to 2 decimals: 70 s (0.70) is capped to 0.625 and
    /// rounded up to 0.63; 62 s (0.62) is under the cap and stays 0.62.
    /// </summary>
    [Theory]
    [InlineData(70, "0.63", true)]
    [InlineData(62, "0.62", false)]
    public void A_free_max_cost_is_applied_before_rounding_as_CGRateS_does(long seconds, string amount, bool capped)
    {
        var catalog = Germany("RT_1CNT_PER_SEC,0,0.01,1s,1s,0s\n", "DR,DST_DE,RT_1CNT_PER_SEC,*up,2,0.625,*free\n");

        var charge = Rated(catalog, "cgrates.org", "call", "1001", "4930123456", "2015-03-02T09:00:00Z", seconds);

        Assert.Equal((Dec(amount), capped), (charge.Amount, charge.Capped));
    }

    // ---- RatesFallbackSubject chains ------------------------------------------------------------

    /// <summary>
    /// One tariff plan for subject resolution and destination choice, 0.60 a minute per second
    /// unless said. Fallbacks: a chain A → B → C → D where each subject's plan prices one
    /// destination, a loop L1 ⇄ L2, a subject whose first fallback has no profile (GHOST), and a plan
    /// (RP_WEEKDAY) that prices DST_T on weekdays only while its fallback ALWAYS prices it always
    /// (1.20). Activations: subject 1001 on RP_OLD from 2014-01-01 and RP_NEW (1.20) from 2015-01-01.
    /// The "*any" subject on RP_ANY from 2010 prices DST_ANY, and DST_DE at 6.00. Weights: subject
    /// 1002 on RP_W, pricing DST_X at weight 10, DST_Y (sharing prefix 4982 with DST_X) at weight 20
    /// (1.20) and "*any" at weight 30 (6.00).
    /// </summary>
    private static TariffCatalog Subjects() => Plan(
        timings: "WEEKDAYS,*any,*any,*any,1;2;3;4;5,00:00:00\n",
        destinations: "DST_A,4971\nDST_B,4972\nDST_C,4973\nDST_D,4974\nDST_ANY,4975\nDST_T,4976\nDST_DE,49\nDST_X,4982\nDST_Y,4982\nDST_X,4981\n",
        rates: "RT_60,0,0.60,60s,1s,0s\nRT_120,0,1.20,60s,1s,0s\nRT_600,0,6.00,60s,1s,0s\n",
        destinationRates: """
            DR_A,DST_A,RT_60,*up,4,0,
            DR_B,DST_B,RT_60,*up,4,0,
            DR_C,DST_C,RT_60,*up,4,0,
            DR_D,DST_D,RT_60,*up,4,0,
            DR_ANY,DST_ANY,RT_60,*up,4,0,
            DR_ANY,DST_DE,RT_600,*up,4,0,
            DR_T,DST_T,RT_60,*up,4,0,
            DR_T_ALWAYS,DST_T,RT_120,*up,4,0,
            DR_OLD,DST_DE,RT_60,*up,4,0,
            DR_NEW,DST_DE,RT_120,*up,4,0,
            DR_X,DST_X,RT_60,*up,4,0,
            DR_Y,DST_Y,RT_120,*up,4,0,
            DR_W_ANY,*any,RT_600,*up,4,0,
            """,
        ratingPlans: """
            RP_A,DR_A,*any,10
            RP_B,DR_B,*any,10
            RP_C,DR_C,*any,10
            RP_D,DR_D,*any,10
            RP_ANY,DR_ANY,*any,10
            RP_WEEKDAY,DR_T,WEEKDAYS,10
            RP_ALWAYS,DR_T_ALWAYS,*any,10
            RP_OLD,DR_OLD,*any,10
            RP_NEW,DR_NEW,*any,10
            RP_W,DR_X,*any,10
            RP_W,DR_Y,*any,20
            RP_W,DR_W_ANY,*any,30
            """,
        ratingProfiles: """
            cgrates.org,call,A,2014-01-01T00:00:00Z,RP_A,B
            cgrates.org,call,B,2014-01-01T00:00:00Z,RP_B,C
            cgrates.org,call,C,2014-01-01T00:00:00Z,RP_C,D
            cgrates.org,call,D,2014-01-01T00:00:00Z,RP_D,
            cgrates.org,call,*any,2010-01-01T00:00:00Z,RP_ANY,
            cgrates.org,call,L1,2014-01-01T00:00:00Z,RP_A,L2
            cgrates.org,call,L2,2014-01-01T00:00:00Z,RP_B,L1
            cgrates.org,call,G,2014-01-01T00:00:00Z,RP_A,GHOST;C
            cgrates.org,call,W,2014-01-01T00:00:00Z,RP_WEEKDAY,ALWAYS
            cgrates.org,call,ALWAYS,2014-01-01T00:00:00Z,RP_ALWAYS,
            cgrates.org,call,1001,2015-01-01T00:00:00Z,RP_NEW,
            cgrates.org,call,1001,2014-01-01T00:00:00Z,RP_OLD,
            cgrates.org,call,1002,2014-01-01T00:00:00Z,RP_W,
            """);

    /// <summary>
    /// engine/calldesc.go getRatingPlansForPrefix: a subject whose plan has no rate for the
    /// destination hands the call to its RatesFallbackSubject, recursively, to at most
    /// RECURSION_MAX_DEPTH = 3 subjects (the subject, its fallback, and that one's); the test data's
    /// chains fallback1 → fallback2 → rif and trp → rif;danb (engine/libtest.go) are of this kind.
    /// A 61 s call at 0.60 a minute per second costs 0.61.
    /// </summary>
    [Theory]
    [InlineData("A", "4971123", "RP_A")]
    [InlineData("A", "4972123", "RP_B")] // A → B
    [InlineData("A", "4973123", "RP_C")] // A → B → C: the third subject, the deepest CGRateS goes
    [InlineData("L1", "4972123", "RP_B")] // L1 → L2
    [InlineData("G", "4973123", "RP_C")] // GHOST has no profile: skipped, C tried next
    public void A_fallback_chain_prices_the_call_by_the_first_plan_with_a_rate_for_the_destination(string subject, string number, string plan)
    {
        var (priced, outcome) = Price(Subjects(), "cgrates.org", "call", subject, number, "2015-03-02T09:00:00Z", 61);

        Assert.Equal((plan, 0.61m), (priced, outcome.Charge?.Amount));
    }

    /// <summary>
    /// engine/calldesc.go getRatingPlansForPrefix (RECURSION_MAX_DEPTH = 3) and LoadRatingPlans
    /// ("*any" only when the subject itself is not found, else ErrUnauthorizedDestination): D is a
    /// fourth subject, never reached; a loop ends; a subject with a profile never falls to "*any".
    /// </summary>
    [Theory]
    [InlineData("A", "4974123", "Plan 'RP_A' prices no voice destination for '4974123' and has no \"*any\" entry. Fallback plans: RP_B (no-tariff), RP_C (no-tariff).")]
    [InlineData("L1", "4974123", "Plan 'RP_A' prices no voice destination for '4974123' and has no \"*any\" entry. Fallback plans: RP_B (no-tariff).")]
    [InlineData("A", "4975123", "Plan 'RP_A' prices no voice destination for '4975123' and has no \"*any\" entry. Fallback plans: RP_B (no-tariff), RP_C (no-tariff).")]
    public void A_fallback_chain_stops_at_three_subjects_ends_a_loop_and_never_falls_to_any_for_a_known_subject(string subject, string number, string detail)
    {
        var (priced, outcome) = Price(Subjects(), "cgrates.org", "call", subject, number, "2015-03-02T09:00:00Z", 61);

        Assert.Null(priced);
        Assert.Equal((HoldReasons.NoTariff, detail), (outcome.FailureReason, outcome.FailureDetail));
    }

    /// <summary>
    /// engine/calldesc_test.go TestSubjectNotFound: a subject with no rating profile is rated as
    /// "*any" (vdf's not_exiting priced by EVENING).
    /// </summary>
    [Fact]
    public void A_subject_without_a_rating_profile_is_priced_by_the_any_subject()
    {
        var (priced, outcome) = Price(Subjects(), "cgrates.org", "call", "9999", "4975123", "2015-03-02T09:00:00Z", 61);

        Assert.Equal(("RP_ANY", 0.61m), (priced, outcome.Charge?.Amount));
    }

    /// <summary>
    /// engine/calldesc.go getRatingPlansForPrefix falls back only when the plan has no rate
    /// intervals for the destination; a plan that prices it but whose timings miss the moment is
    /// the answer (CGRateS then fails the timespan). RP_WEEKDAY on Saturday 2015-03-07: no-timing,
    /// not RP_ALWAYS; on Monday RP_WEEKDAY prices it (0.61).
    /// </summary>
    [Fact]
    public void A_plan_that_prices_the_destination_but_not_the_moment_does_not_fall_back()
    {
        var catalog = Subjects();

        var (saturdayPlan, saturday) = Price(catalog, "cgrates.org", "call", "W", "4976123", "2015-03-07T09:00:00Z", 61);
        var (mondayPlan, monday) = Price(catalog, "cgrates.org", "call", "W", "4976123", "2015-03-02T09:00:00Z", 61);

        Assert.Equal(((string?)null, HoldReasons.NoTiming), (saturdayPlan, saturday.FailureReason));
        Assert.Equal(("RP_WEEKDAY", 0.61m), (mondayPlan, monday.Charge?.Amount));
    }

    // ---- ActivationTime -------------------------------------------------------------------------

    /// <summary>
    /// engine/ratingprofile.go RatingPlanActivations.GetActiveForCall (the latest ActivationTime at
    /// or before the call's start) and engine/libtest.go's rif:from:tm, on PREMIUM from 2012-01-01
    /// and STANDARD from 2012-02-28 (engine/calldesc_test.go TestGetCostRatingPlansAndRatingIntervals).
    /// Before the first activation the subject is known, so "*any" does not stand in
    /// (CallDescriptor.LoadRatingPlans): not priced. 60 s calls.
    /// </summary>
    [Theory]
    [InlineData("2014-06-01T12:00:00Z", "RP_OLD", "0.6")]
    [InlineData("2014-12-31T23:59:00Z", "RP_OLD", "0.6")]
    [InlineData("2015-01-01T00:00:00Z", "RP_NEW", "1.2")] // activated at that instant
    [InlineData("2016-01-01T00:00:00Z", "RP_NEW", "1.2")]
    public void The_rating_plan_is_the_one_activated_last_at_or_before_the_call(string start, string plan, string amount)
    {
        var (priced, outcome) = Price(Subjects(), "cgrates.org", "call", "1001", "4930123", start, 60);

        Assert.Equal((plan, Dec(amount)), (priced, outcome.Charge?.Amount));
    }

    [Fact]
    public void A_call_before_a_known_subjects_first_activation_is_not_priced_and_not_handed_to_any()
    {
        var (priced, outcome) = Price(Subjects(), "cgrates.org", "call", "1001", "4930123", "2013-06-01T12:00:00Z", 60);

        Assert.Equal(((string?)null, HoldReasons.NoRatingProfile), (priced, outcome.FailureReason));
    }

    /// <summary>
    /// engine/calldesc_test.go TestGetCostRatingPlansAndRatingIntervals: CGRateS splits a call that
    /// crosses an activation and prices each side by its own plan. A charge here has one plan, so
    /// the call is priced whole by the plan active at its start (docs/cgrates-semantics.md lists
    /// this among what the model cannot express): 120 s from 23:59 on 2014-12-31 costs 1.20 under
    /// RP_OLD, where CGRateS would charge 0.60 + 1.20 = 1.80.
    /// </summary>
    [Fact]
    public void A_call_across_an_activation_is_priced_whole_by_the_plan_active_at_its_start()
    {
        var (priced, outcome) = Price(Subjects(), "cgrates.org", "call", "1001", "4930123", "2014-12-31T23:59:00Z", 120);

        Assert.Equal(("RP_OLD", 1.20m), (priced, outcome.Charge?.Amount));
    }

    // ---- *any destination and weights -----------------------------------------------------------

    /// <summary>
    /// engine/ratingprofile.go GetRatingPlansForPrefix: the longest prefix the plan prices wins;
    /// among destinations sharing it, the highest weight; "*any" only when no prefix matched,
    /// whatever its weight (engine/calldesc_test.go TestCDGetCostANY prices by a "*any" destination
    /// rate; TestUniquePrice skips SPEC 0723045, which EVENING does not price, for NAT 0723). 60 s calls.
    /// </summary>
    [Theory]
    [InlineData("4982123", "DST_Y", "4982", "1.2")] // shared prefix: weight 20 beats 10
    [InlineData("4981123", "DST_X", "4981", "0.6")] // a specific prefix beats "*any" at weight 30
    [InlineData("33123456", "*any", null, "6")] // no prefix: "*any"
    public void A_specific_prefix_beats_any_and_the_heavier_destination_wins_a_shared_prefix(string number, string destination, string? prefix, string amount)
    {
        var charge = Rated(Subjects(), "cgrates.org", "call", "1002", number, "2015-03-02T09:00:00Z", 60);

        Assert.Equal((destination, prefix, Dec(amount)), (charge.DestinationGroup, charge.MatchedPrefix, charge.Amount));
    }

    /// <summary>
    /// engine/calldesc_test.go TestUniquePrice: rif to 0723045326 from 22:50:00 to 23:50:21 on
    /// Wednesday 2012-02-08: SPEC (0723045) is not priced by EVENING, NAT (0723) is, at R5 (0.5 a
    /// second): 3621 s = 1810.5. TestMinutesCost: 110 s to 0723 = 55.
    /// </summary>
    [Theory]
    [InlineData("40723045326", 3621, "1810.5")]
    [InlineData("40723", 110, "55")]
    public void The_longest_prefix_the_plan_prices_wins_over_a_longer_one_it_does_not(string number, long seconds, string amount)
    {
        var charge = Rated(Import(EngineTestData()), "vdf", "0", "rif", number, "2012-02-08T22:50:00Z", seconds);

        Assert.Equal(("NAT", "40723", Dec(amount)), (charge.DestinationGroup, charge.MatchedPrefix, charge.Amount));
    }

    /// <summary>
    /// engine/calldesc_test.go TestCDGetCostANY (1 unit of data = 60) and TestCDDataGetCost (65
    /// units = 65): rif's data category on RP_DATA, whose only destination is "*any", at
    /// LANDLINE_OFFPEAK (1 a unit; the first 60 units as one increment, then per unit).
    /// </summary>
    [Theory]
    [InlineData(1, "60")]
    [InlineData(65, "65")]
    public void A_data_event_is_priced_by_the_any_destination_with_the_rates_steps(long units, string amount)
    {
        var charge = Rated(Import(EngineTestData()), "cgrates.org", "data", "rif", null, "2014-03-04T06:00:00Z", units);

        Assert.Equal((Dec(amount), (string?)null), (charge.Amount, charge.DestinationGroup));
    }

    // ---- GroupIntervalStart steps ---------------------------------------------------------------

    /// <summary>
    /// engine/calldesc_test.go TestGetCostRateGroups (132 s = 132) and TestGetCostTimespans (85 s =
    /// 85): trp to 0256 on Monday 2013-10-07, TDRT's LANDLINE_OFFPEAK (1 a second; the first 60 s
    /// in one increment of 60 s, from GroupIntervalStart 60s per second).
    /// </summary>
    [Theory]
    [InlineData(1, "60")] // the first step bills a whole 60 s increment
    [InlineData(60, "60")]
    [InlineData(61, "61")] // crossing into the second step, billed per second
    [InlineData(85, "85")]
    [InlineData(132, "132")]
    public void GroupIntervalStart_steps_bill_by_their_own_increment(long seconds, string amount)
    {
        var charge = Rated(Import(EngineTestData()), "test", "0", "trp", "40256123", "2013-10-07T14:50:00Z", seconds);

        Assert.Equal((Dec(amount), Math.Max(seconds, 60)), (charge.Amount, charge.BilledQuantity));
    }

    /// <summary>
    /// The same, with steps of their own price and unit (as data/tariffplans/tutorial's RT_40CNT:
    /// 0.40 a minute per 30 s, from 60s 0.20 a minute per 10 s): 30 s = 0.40 × 30/60; 61 s = 0.40 +
    /// 0.20 × 10/60; 125 s = 0.40 + 0.20 × 70/60, each rounded *up to 4 decimals.
    /// </summary>
    [Theory]
    [InlineData(30, "0.2")]
    [InlineData(61, "0.4334")] // 0.433333…
    [InlineData(125, "0.6334")] // 0.633333… rounded *up to 4 decimals
    public void A_step_from_GroupIntervalStart_has_its_own_price_unit_and_increment(long seconds, string amount)
    {
        var catalog = Germany("RT_40CNT,0,0.4,60s,30s,0s\nRT_40CNT,0,0.2,60s,10s,60s\n", "DR,DST_DE,RT_40CNT,*up,4,0,\n");

        var charge = Rated(catalog, "cgrates.org", "call", "1001", "4930123", "2015-03-02T09:00:00Z", seconds);

        Assert.Equal(Dec(amount), charge.Amount);
    }

    // ---- Rounding per method --------------------------------------------------------------------

    /// <summary>
    /// engine/calldesc_test.go TestGetCostRoundingIssue: dy to 0723123113 for 24 s, DY (0.15
    /// connect, 0.05 a minute per second) rounded *up to 2 decimals: 0.17, where float arithmetic
    /// risked 0.18.
    /// </summary>
    [Fact]
    public void Rounding_up_a_cost_that_is_already_exact_leaves_it_017()
    {
        var charge = Rated(Import(EngineTestData()), "cgrates.org", "call", "dy", "40723123113", "2015-10-26T13:29:27Z", 24);

        Assert.Equal((0.17m, 0.15m), (charge.Amount, charge.ConnectFee));
    }

    /// <summary>
    /// utils package tests TestRoundByMethodUp1 (12.49 → 12.5) and TestRoundByMethodUp2 (12.21 →
    /// 12.3) at one decimal, with *middle (half away from zero) and *down beside them: a rate of the
    /// given price a second, 1 s, each DestinationRates row rounding its own way.
    /// </summary>
    [Theory]
    [InlineData("12.49", "*up", "12.5")]
    [InlineData("12.21", "*up", "12.3")]
    [InlineData("12.49", "*middle", "12.5")]
    [InlineData("12.45", "*middle", "12.5")]
    [InlineData("12.44", "*middle", "12.4")]
    [InlineData("12.49", "*down", "12.4")]
    [InlineData("12.21", "*down", "12.2")]
    public void Each_rounding_method_rounds_the_cost_to_RoundingDecimals(string price, string method, string amount)
    {
        var catalog = Germany($"RT,0,{price},1s,1s,0s\n", $"DR,DST_DE,RT,{method},1,0,\n");

        var charge = Rated(catalog, "cgrates.org", "call", "1001", "4930123", "2015-03-02T09:00:00Z", 1);

        Assert.Equal(Dec(amount), charge.Amount);
    }

    /// <summary>
    /// utils.Round (utils/coreutils.go): a RoundingMethod that is none of *up, *middle, *down — an empty column
    /// — falls to its default case and leaves the cost as it is, whatever RoundingDecimals says (empty reads as 0).
    /// 0.35 a minute for 60 s costs 0.35 and 1.2345 a minute 1.2345 — not 0 and 1 rounded to whole units.
    /// </summary>
    [Theory]
    [InlineData("0.35", "", "0.35")]
    [InlineData("1.2345", "", "1.2345")]
    [InlineData("1.2345", "2", "1.2345")]
    public void An_empty_RoundingMethod_leaves_the_cost_unrounded_as_CGRateS_does(string price, string decimals, string amount)
    {
        var catalog = Germany($"RT,0,{price},60s,60s,0s\n", $"DR,DST_DE,RT,,{decimals},0,\n");

        var charge = Rated(catalog, "cgrates.org", "call", "1001", "4930123", "2015-03-02T09:00:00Z", 60);

        Assert.Equal(Dec(amount), charge.Amount);
    }

    // ---- ConnectFee and timings within a call ---------------------------------------------------

    /// <summary>
    /// engine/calldesc_test.go TestGetCost: rif to 0256 from 17:30 to 18:30 on Thursday 2012-02-02:
    /// R4 (connect fee 1, 1 a second) until WORKDAYS_18 starts, then R5 (0.5 a second): 1 + 1800 +
    /// 900 = 2701, the connect fee once.
    /// </summary>
    [Fact]
    public void The_connect_fee_is_charged_once_from_the_rate_at_the_start_of_a_call_crossing_a_timing()
    {
        var charge = Rated(Import(EngineTestData()), "vdf", "0", "rif", "40256", "2012-02-02T17:30:00Z", 3600);

        Assert.Equal((2701m, 1m), (charge.Amount, charge.ConnectFee));
        Assert.Equal(["P1/R4", "P2/R5"], charge.Parts.Select(p => p.RateId));
    }

    /// <summary>
    /// engine/calldesc_test.go TestSpansMultipleRatingPlans: 23:50 Tuesday 2012-02-07 to 00:30
    /// Wednesday: R5 for 600 s, then R4 from midnight for 1800 s = 2100, no connect fee since R5,
    /// the rate at the start, has none. TestLessThanAMinute: 30 s at 23:50 = 15.
    /// </summary>
    [Theory]
    [InlineData("2012-02-07T23:50:00Z", 2400, "2100")]
    [InlineData("2012-02-08T23:50:00Z", 30, "15")]
    public void A_call_crossing_midnight_into_another_timing_takes_the_connect_fee_of_the_rate_it_started_on(string start, long seconds, string amount)
    {
        var charge = Rated(Import(EngineTestData()), "vdf", "0", "rif", "40257308200", start, seconds);

        Assert.Equal((Dec(amount), 0m), (charge.Amount, charge.ConnectFee));
    }

    /// <summary>
    /// engine/calldesc_test.go TestSubjectNotFound: a subject without a profile in tenant vdf is
    /// priced by vdf's "*any" (EVENING): 0257 for an hour from 17:30 on Friday 2013-02-01 = 2701.
    /// TestSubjectNotFoundCostNegativeOne: in a tenant with no "*any" for the category, not priced.
    /// </summary>
    [Fact]
    public void An_unknown_subject_takes_its_tenants_any_profile_and_none_where_there_is_none()
    {
        var catalog = Import(EngineTestData());

        var charge = Rated(catalog, "vdf", "0", "not_exiting", "4025740532", "2013-02-01T17:30:00Z", 3600);
        var (plan, outcome) = Price(catalog, "cgrates.org", "0", "not_exiting", "4025740532", "2013-02-01T17:30:00Z", 3600);

        Assert.Equal(2701m, charge.Amount);
        Assert.Equal(((string?)null, HoldReasons.NoRatingProfile), (plan, outcome.FailureReason));
    }
}
