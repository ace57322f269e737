namespace Billing.Core.Mediation;

/// <summary>
/// A record of a CDR file that could not be mediated: where it is, its text as read (the evidence,
/// re-read when suspense is recycled), and why, as a stable reason code and a detail for people.
/// </summary>
public readonly record struct SuspendedRecord(long LineNumber, string RawLine, string Reason, string Detail);
