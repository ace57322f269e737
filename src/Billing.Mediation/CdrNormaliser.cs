using Billing.Core.Mediation;
using Billing.Core.Usage;
using NodaTime;

namespace Billing.Mediation;

/// <summary>The three things that can become of a record that a reader could read.</summary>
public enum OutcomeKind
{
    Accepted,
    Suspended,
    Filtered,
}

public readonly record struct MediationOutcome(OutcomeKind Kind, UsageRecord? Usage, string? Reason, string? Detail)
{
    public static MediationOutcome Accept(UsageRecord usage) => new(OutcomeKind.Accepted, usage, null, null);

    public static MediationOutcome Suspend(string reason, string detail) => new(OutcomeKind.Suspended, null, reason, detail);

    public static MediationOutcome Filter(string reason) => new(OutcomeKind.Filtered, null, reason, null);
}

/// <summary>
/// Validates a reader's <see cref="RawCdr"/> and normalises it into a <see cref="UsageRecord"/>,
/// or says why it goes to suspense or is filtered. Pure.
/// </summary>
/// <param name="source">The source the records come from.</param>
/// <param name="writtenAt">
/// When the file was written, or now if that is earlier (a record re-read from suspense: now): no
/// call in it can start later than this plus the source's clock-skew tolerance.
/// </param>
public sealed class CdrNormaliser(SourceOptions source, Instant writtenAt)
{
    /// <summary>Records before this are clock errors (epoch 0, unset PBX clocks), not usage.</summary>
    public static readonly Instant EarliestPlausible = Instant.FromUtc(2000, 1, 1, 0, 0);

    /// <summary>The most a configuration may allow a switch's clock to run ahead: a day.</summary>
    public const int MaxClockSkewSeconds = 86_400;

    /// <summary>
    /// The longest record key stored, in UTF-8 bytes: a key is half of <c>usage</c>'s primary key, and
    /// PostgreSQL cannot index a row of more than 2,704 bytes; real keys are well under 200.
    /// </summary>
    public const int MaxRecordKeyBytes = 1024;

    private readonly NumberNormaliser _numbers = new(source.Numbering);

    // Instant.MaxValue is 9999-12-31: a write time in its last day plus the tolerance would overflow,
    // and any start after the latest instant is in the future anyway.
    private readonly Instant _latestStart = writtenAt < Instant.MaxValue - Duration.FromDays(2)
        ? writtenAt + Duration.FromSeconds(Math.Clamp(source.ClockSkewSeconds, 0, MaxClockSkewSeconds))
        : Instant.MaxValue;

    public MediationOutcome Normalise(RawCdr cdr)
    {
        ArgumentNullException.ThrowIfNull(cdr);
        if (System.Text.Encoding.UTF8.GetByteCount(cdr.RecordKey) is var keyBytes and > MaxRecordKeyBytes)
        {
            return MediationOutcome.Suspend(SuspenseReasons.RecordKeyTooLong,
                $"the record key is {keyBytes:N0} bytes long, above the limit of {MaxRecordKeyBytes:N0}");
        }

        if (cdr.Start < EarliestPlausible)
        {
            return MediationOutcome.Suspend(SuspenseReasons.BadTimestamp, $"start {cdr.Start} is before {EarliestPlausible}");
        }

        // First of the time checks: nothing below may add a duration to a start in the year 9999.
        if (cdr.Start > _latestStart)
        {
            return MediationOutcome.Suspend(SuspenseReasons.FutureStart,
                $"start {cdr.Start} is in the future: later than {writtenAt} (the file's write time, or now if earlier) plus the {source.ClockSkewSeconds} s clock-skew tolerance");
        }

        if (cdr.End is { } end && end < cdr.Start)
        {
            return MediationOutcome.Suspend(SuspenseReasons.EndBeforeStart, $"end {end} is before start {cdr.Start}");
        }

        if (cdr.BillableSeconds < 0)
        {
            return MediationOutcome.Suspend(SuspenseReasons.NegativeDuration, $"billable duration {cdr.BillableSeconds} s is negative");
        }

        if (cdr.BillableSeconds > source.MaxDurationSeconds)
        {
            return MediationOutcome.Suspend(SuspenseReasons.AbsurdDuration,
                $"billable duration {cdr.BillableSeconds} s is above the limit of {source.MaxDurationSeconds} s");
        }

        if (cdr.VolumeBytes < 0 || cdr.VolumeBytes > source.MaxVolumeBytes)
        {
            return MediationOutcome.Suspend(SuspenseReasons.BadVolume, $"volume {cdr.VolumeBytes} bytes is out of range");
        }

        if (source.FilterUnanswered && cdr.Service == ServiceType.Voice)
        {
            if (!cdr.Answered)
            {
                return MediationOutcome.Filter(FilterReasons.Unanswered);
            }

            if (cdr.BillableSeconds == 0)
            {
                return MediationOutcome.Filter(FilterReasons.ZeroBillable);
            }
        }

        if (source.FilterUnanswered && cdr.Service == ServiceType.Data && cdr.VolumeBytes == 0)
        {
            return MediationOutcome.Filter(FilterReasons.ZeroVolume);
        }

        if (cdr.Service != ServiceType.Data && _numbers.ServiceNumber(cdr.Called) is not null)
        {
            // An emergency call is never charged, whatever the caller's number or plan: not read as an extension or priced.
            return MediationOutcome.Filter(FilterReasons.ServiceNumber);
        }

        var msisdn = _numbers.Normalise(cdr.Calling, out var callingProblem);
        if (msisdn is null)
        {
            return MediationOutcome.Suspend(SuspenseReasons.BadNumber, $"calling number: {callingProblem}");
        }

        string? destination = null;
        if (cdr.Service != ServiceType.Data)
        {
            destination = _numbers.Normalise(cdr.Called, out var calledProblem);
            if (destination is null)
            {
                return MediationOutcome.Suspend(SuspenseReasons.BadDestination, $"called number: {calledProblem}");
            }
        }

        return MediationOutcome.Accept(new UsageRecord(
            cdr.RecordKey,
            cdr.Service,
            msisdn,
            destination,
            cdr.Start,
            cdr.Service == ServiceType.Voice ? cdr.BillableSeconds : 0,
            cdr.Service == ServiceType.Data ? cdr.VolumeBytes : 0,
            cdr.CellId));
    }
}
