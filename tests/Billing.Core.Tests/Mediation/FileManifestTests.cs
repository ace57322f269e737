using Billing.Core.Mediation;

namespace Billing.Core.Tests.Mediation;

public class FileManifestTests
{
    private static readonly Dictionary<string, long> TwoBadNumbers = new() { ["bad-number"] = 2 };
    private static readonly Dictionary<string, long> OneUnanswered = new() { ["unanswered"] = 1 };

    [Fact]
    public void A_manifest_of_10_read_holds_6_accepted_2_suspended_1_duplicate_and_1_filtered()
    {
        var m = new FileManifest(10, 6, 2, 1, 1, TwoBadNumbers, OneUnanswered);

        Assert.Equal((10L, 6L, 2L, 1L, 1L), (m.Read, m.Accepted, m.Suspended, m.Duplicates, m.Filtered));
        Assert.Equal(2, m.SuspendedByReason["bad-number"]);
        Assert.Equal(1, m.FilteredByReason["unanswered"]);
    }

    [Theory]
    [InlineData(11, 6, 2, 1, 1)] // one record unaccounted for
    [InlineData(9, 6, 2, 1, 1)]  // one record counted twice
    public void A_manifest_whose_read_is_not_the_sum_of_its_outcomes_is_refused(long read, long accepted, long suspended, long duplicates, long filtered)
    {
        var e = Assert.Throws<ArgumentException>(() => new FileManifest(read, accepted, suspended, duplicates, filtered, TwoBadNumbers, OneUnanswered));

        Assert.Contains("does not reconcile", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_with_a_negative_count_is_refused_even_when_the_sum_holds()
    {
        Assert.Throws<ArgumentException>(() => new FileManifest(1, 2, 0, -1, 0));
    }

    [Fact]
    public void Suspended_records_by_reason_must_add_up_to_the_suspended_count()
    {
        var e = Assert.Throws<ArgumentException>(() => new FileManifest(10, 5, 3, 1, 1, TwoBadNumbers, OneUnanswered));

        Assert.Contains("adds up to 2, not 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Filtered_records_without_their_reasons_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new FileManifest(10, 7, 2, 0, 1, TwoBadNumbers));
    }

    [Fact]
    public void With_4_of_6_accepted_records_stored_the_other_2_become_duplicates()
    {
        var beforeDedupe = new FileManifest(10, 6, 2, 0, 2, TwoBadNumbers, new Dictionary<string, long> { ["unanswered"] = 2 });

        var m = beforeDedupe.WithStored(4);

        Assert.Equal((10L, 4L, 2L, 2L, 2L), (m.Read, m.Accepted, m.Suspended, m.Duplicates, m.Filtered));
        Assert.Equal(beforeDedupe.SuspendedByReason, m.SuspendedByReason);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(7)]
    public void More_stored_records_than_accepted_ones_or_fewer_than_none_are_a_bug(long stored)
    {
        var m = new FileManifest(6, 6, 0, 0, 0);

        Assert.Throws<ArgumentOutOfRangeException>(() => m.WithStored(stored));
    }

    [Fact]
    public void A_tally_of_3_accepted_2_suspended_and_1_filtered_gives_a_manifest_of_6_read_in_reason_order()
    {
        var tally = new FileManifest.Tally();
        tally.Accept();
        tally.Suspend("bad-timestamp");
        tally.Accept();
        tally.Filter("unanswered");
        tally.Suspend("bad-number");
        tally.Accept();

        var m = tally.ToManifest();

        Assert.Equal((6L, 3L, 2L, 0L, 1L), (m.Read, m.Accepted, m.Suspended, m.Duplicates, m.Filtered));
        Assert.Equal(["bad-timestamp", "bad-number"], m.SuspendedByReason.Keys);
        Assert.Equal(2, tally.Suspended);
    }
}
