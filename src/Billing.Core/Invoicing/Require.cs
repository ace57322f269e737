namespace Billing.Core.Invoicing;

/// <summary>The checks the invoicing records' constructors share.</summary>
internal static class Require
{
    public static string Text(string value, string name) =>
        !string.IsNullOrWhiteSpace(value) ? value : throw new ArgumentException($"{name} is required", name);

    public static long NotNegative(long value, string name) =>
        value >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} is ≥ 0");

    public static decimal NotNegative(decimal value, string name) =>
        value >= 0m ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} is ≥ 0");

    public static NodaTime.LocalDate After(NodaTime.LocalDate to, NodaTime.LocalDate from, string name) =>
        to > from ? to : throw new ArgumentOutOfRangeException(name, to, $"{name} is after {from:uuuu-MM-dd} (periods are half-open [from, to))");
}
