namespace Billing.Core.Imports;

/// <summary>A line of an operator's import file (accounts, top-ups) that cannot be taken, and why.</summary>
public sealed record ImportError(long Line, string Message);
