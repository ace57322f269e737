using NodaTime;

namespace Billing.Core.Usage;

/// <summary>
/// A normalised, validated usage record: numbers in E.164 (digits, no '+'), time in UTC,
/// billable quantity by service. Its identity is (source, <see cref="RecordKey"/>).
/// </summary>
public sealed record UsageRecord(
    string RecordKey,
    ServiceType Service,
    string Msisdn,
    string? Destination,
    Instant Start,
    long DurationSeconds,
    long VolumeBytes,
    string? CellId);
