using System.Text.Json;
using Billing.Core.Rating;
using Billing.Storage;
using Billing.Storage.Rating;
using NodaTime;

namespace Billing.Integration.Tests.Rating;

/// <summary>The stored explanation of a charge: compact JSON that customer care's tools read back.</summary>
public sealed class ExplanationTests
{
    [Fact]
    public void Explain_WritesFlagsAndEveryPart_AsValidJson()
    {
        var charge = new RatedCharge
        {
            Amount = 0.285m,
            Currency = "GBP",
            CatalogVersion = "v1",
            PlanId = "uk_postpaid_300",
            ConnectFee = 0.05m,
            RawCost = 0.285m,
            Capped = true,
            Parts =
            [
                new ChargePart(Instant.FromUtc(2026, 11, 2, 18, 59, 30), 0, 30, "peak", "mobile_peak", 0, 0, 0.075m),
                new ChargePart(Instant.FromUtc(2026, 11, 2, 19, 0, 0).PlusNanoseconds(500_000_000), 30, 120, "off\"peak", "mobile_offpeak", 1, 10, 0.16m),
            ],
        };

        var json = ChargeExplanation.Json(charge);

        Assert.Equal(
            """{"connectFee":0.05,"rawCost":0.285,"capped":true,"parts":[["2026-11-02T18:59:30Z",0,30,"peak","mobile_peak",0,0,0.075],["2026-11-02T19:00:00.5Z",30,120,"off\u0022peak","mobile_offpeak",1,10,0.16]]}""",
            json);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("off\"peak", doc.RootElement.GetProperty("parts")[1][3].GetString());
    }
}
