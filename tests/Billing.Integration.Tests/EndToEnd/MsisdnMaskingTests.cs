using Billing.Cli;
using Billing.Integration.Tests.Infrastructure;
using Serilog;

namespace Billing.Integration.Tests.EndToEnd;

/// <summary>Subscriber numbers in log events: masked but for their last 3 digits, unless the configuration unmasks them.</summary>
public sealed class MsisdnMaskingTests
{
    [Theory]
    [InlineData("447700900123", "*********123")]
    [InlineData("+447700900123", "**********123")]
    [InlineData("call from 447700900123 to 12025550123", "call from *********123 to ********123")]
    [InlineData("1234567890", "*******890")]
    [InlineData("123456789", "123456789")]
    [InlineData("1234567890123456", "1234567890123456")]
    [InlineData("usage #20261129 of 2026", "usage #20261129 of 2026")]
    [InlineData("a1b2447700900123", "a1b2447700900123")]
    public void A_run_of_10_to_15_digits_keeps_its_last_3_and_shorter_or_longer_runs_or_digits_inside_words_stay(string text, string logged) =>
        Assert.Equal(logged, MsisdnMasking.Mask(text));

    [Fact]
    public void A_number_in_a_property_a_nested_one_or_the_log_context_is_masked_while_a_file_name_stays_whole()
    {
        var sink = new CapturingSink();
        using var log = new LoggerConfiguration().Enrich.FromLogContext().Enrich.With(new MsisdnMasking()).WriteTo.Sink(sink).CreateLogger();

        using (Serilog.Context.LogContext.PushProperty("Caller", "447700900123"))
        {
            log.Information("Held {Number} {@Usage} in {File}", 447700900124L, new { Called = "12025550199", Seconds = 90 }, "cdr_StandAloneCluster_01_202611020900_1001");
        }

        var e = Assert.Single(sink.Events);
        Assert.Equal("Held \"*********124\" { Called: \"********199\", Seconds: 90 } in \"cdr_StandAloneCluster_01_202611020900_1001\"", e.RenderMessage());
        Assert.Equal("\"*********123\"", e.Properties["Caller"].ToString());
    }
}
