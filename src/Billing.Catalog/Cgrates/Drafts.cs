using Billing.Core.Catalog;

namespace Billing.Catalog.Cgrates;

/// <summary>One row of Rates.csv: a slot of a rate from its GroupIntervalStart on (its connect fee counts only at 0).</summary>
internal sealed record Slot(decimal ConnectFee, RateStep Step, long Line);

/// <summary>One row of DestinationRates.csv, as the rate it became ("{Id}/{RatesTag}") for a destination.</summary>
internal sealed record DestinationRate(string DestinationId, string RateId, long Line);

/// <summary>One row of RatingPlans.csv: a set of destination rates priced while a timing holds, at a weight.</summary>
internal sealed record PlanRow(string DestinationRatesId, string TimingTag, decimal Weight, long Line);
