using Billing.Core.Documents;
using Billing.Core.Usage;
using Billing.Documents;
using NodaTime;

namespace Billing.Core.Tests.Documents;

/// <summary>An annex record whose number called is kept inside a document's one text of numbers says and draws the same as one with a string of its own.</summary>
public class AnnexRecordTests
{
    private static readonly LocalDateTime At = new(2026, 11, 3, 10, 15, 7);

    private static AnnexRecord Own(string? destination, decimal amount = 0.10m) => new("48600100200", At, ServiceType.Voice, destination, 61, amount, false);

    private static AnnexRecord Shared(string text, int from, int length, decimal amount = 0.10m) =>
        new("48600100200", At, ServiceType.Voice, text, from, length, 61, amount, false);

    [Fact]
    public void A_number_kept_inside_a_longer_text_reads_as_its_part_of_it()
    {
        var text = "4822100000" + "482210000" + "017";

        Assert.Equal("4822100000", Shared(text, 0, 10).Destination);
        Assert.Equal("482210000", Shared(text, 10, 9).Destination);
        Assert.Equal("017", Shared(text, 19, 3).Destination);
        Assert.Equal("", Shared(text, 22, 0).Destination);
        Assert.Same(text, Shared(text, 0, text.Length).Destination);
        Assert.Null(new AnnexRecord("48600100200", At, ServiceType.Data, null, 5, 7, 1_048_576, 0.01m, false).Destination);
    }

    [Fact]
    public void Records_are_equal_when_what_they_say_is_wherever_their_number_is_kept()
    {
        var text = "xx4822100000yy";

        Assert.Equal(Own("4822100000"), Shared(text, 2, 10));
        Assert.True(Own("4822100000") == Shared(text, 2, 10));
        Assert.Equal(Own("4822100000").GetHashCode(), Shared(text, 2, 10).GetHashCode());
        Assert.NotEqual(Own("4822100000"), Shared(text, 2, 9));
        Assert.NotEqual(Own("4822100000"), Shared(text, 2, 10, amount: 0.11m));
        Assert.NotEqual(Own(null), Own(""));
        Assert.Equal(Own(null), Own(null));
        Assert.Contains("Destination = 4822100000", Shared(text, 2, 10).ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1, 2)]
    [InlineData(3, 2)]
    [InlineData(0, 5)]
    [InlineData(5, 0)]
    public void A_part_outside_its_text_is_refused(int from, int length) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Shared("4822", from, length));

    [Fact]
    public void An_invoice_whose_records_share_one_text_of_numbers_draws_the_same_bytes()
    {
        var document = SampleDocuments.Invoice(annex: 60);
        var text = string.Concat(document.Annex.Select(a => a.Destination ?? ""));
        var from = 0;
        var shared = document.Annex.Select(a =>
        {
            if (a.Destination is not { } called)
            {
                return a;
            }

            var r = new AnnexRecord(a.Msisdn, a.Start, a.Service, text, from, called.Length, a.Quantity, a.Amount, a.Late);
            from += called.Length;
            return r;
        }).ToList();

        Assert.Equal(document.Annex, shared);
        Assert.Equal(SampleDocuments.Renderer.Render(document), SampleDocuments.Renderer.Render(document with { Annex = shared }));
    }
}
