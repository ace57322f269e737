using Billing.Core.Invoicing;
using Billing.Core.Usage;
using NodaTime;

namespace Billing.Core.Documents;

/// <summary>What a document is: an invoice, a credit note against one, or a dunning letter about one.</summary>
public enum DocumentKind
{
    Invoice,
    CreditNote,
    Letter,
}

public static class DocumentKinds
{
    /// <summary>The code stored with a rendered document: <c>invoice</c>, <c>credit-note</c> or <c>letter</c>.</summary>
    public static string Code(this DocumentKind kind) => kind switch
    {
        DocumentKind.Invoice => "invoice",
        DocumentKind.CreditNote => "credit-note",
        DocumentKind.Letter => "letter",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The kind of a stored code (<see cref="Code"/>); throws on an unknown one.</summary>
    public static DocumentKind Parse(string code) => code switch
    {
        "invoice" => DocumentKind.Invoice,
        "credit-note" => DocumentKind.CreditNote,
        "letter" => DocumentKind.Letter,
        _ => throw new InvalidDataException($"unknown document kind '{code}'"),
    };
}

/// <summary>The customer a document is addressed to, in the language its words and amounts are written in.</summary>
public sealed record DocumentCustomer(string AccountId, string Name, IReadOnlyList<string> AddressLines, string Language);

/// <summary>
/// The summary box: <see cref="CurrentCharges"/> is the subtotal before tax; <see cref="AmountDue"/> =
/// previous balance − payments and credits + total (negative: a credit carried forward).
/// </summary>
public sealed record DocumentSummary(decimal PreviousBalance, decimal PaymentsAndCredits, decimal CurrentCharges, decimal Tax, decimal Total, decimal AmountDue);

/// <summary>
/// One charge line as stored. <see cref="PeriodEnd"/> is exclusive. <see cref="Quantity"/> and
/// <see cref="AllowanceUsed"/> are seconds, events or bytes (usage), days (recurring).
/// </summary>
public sealed record DocumentLine(
    InvoiceLineKind Kind,
    string Description,
    string? Msisdn,
    ServiceType? Service,
    string? DestinationGroup,
    long? Quantity,
    long? AllowanceUsed,
    LocalDate PeriodStart,
    LocalDate PeriodEnd,
    string TaxCategory,
    decimal Amount);

/// <summary>One row of the tax table; <see cref="Rate"/> is a fraction (0.23 = 23 %).</summary>
public sealed record DocumentTax(string Name, decimal Rate, decimal Base, decimal Amount);

/// <summary>
/// A subscriber's outgoing service suspended by dunning during an invoice's period: since when, until
/// when if it was lifted by the invoice's issue date (null: still suspended then), and why.
/// </summary>
public sealed record DocumentSuspension(string Msisdn, LocalDate Since, LocalDate? Until, string Reason);

/// <summary>A payment or credit note counted in the summary's "payments and credits".</summary>
public sealed record DocumentPayment(LocalDate Date, string Reference, decimal Amount);

/// <summary>What one service cost on one local day of the period (the usage chart).</summary>
public readonly record struct DailySpend(LocalDate Day, ServiceType Service, decimal Amount);

/// <summary>
/// One rated usage record in the itemised annex: local start time, the number called (voice, SMS)
/// or empty (data), seconds / events / bytes, and the rated amount (6 decimals as stored).
/// The number called may be kept as a part of a longer text (<see cref="AnnexRecord(string, LocalDateTime, ServiceType, string, int, int, long, decimal, bool)"/>):
/// a document's records can share one string for all their numbers instead of one string each, as loaded documents
/// wait in memory to be drawn and each collection meanwhile goes over every object they hold. A value like any other:
/// two records are equal when what they say is, wherever their number is kept.
/// </summary>
public readonly struct AnnexRecord : IEquatable<AnnexRecord>
{
    /// <summary>The number called, or a text holding it at [<see cref="_from"/>, <see cref="_from"/> + <see cref="_length"/>); null for none.</summary>
    private readonly string? _text;
    private readonly int _from;
    private readonly int _length;

    public AnnexRecord(string Msisdn, LocalDateTime Start, ServiceType Service, string? Destination, long Quantity, decimal Amount, bool Late)
        : this(Msisdn, Start, Service, Destination, 0, Destination?.Length ?? 0, Quantity, Amount, Late)
    {
    }

    /// <summary>A record whose number called is <paramref name="length"/> characters of <paramref name="text"/> from <paramref name="from"/> (none when the text is null).</summary>
    public AnnexRecord(string Msisdn, LocalDateTime Start, ServiceType Service, string? text, int from, int length, long Quantity, decimal Amount, bool Late)
    {
        if (text is not null && (from < 0 || length < 0 || from > text.Length - length))
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"{from}+{length} is outside a text of {text.Length} characters");
        }

        this.Msisdn = Msisdn;
        this.Start = Start;
        this.Service = Service;
        (_text, _from, _length) = (text, from, text is null ? 0 : length);
        this.Quantity = Quantity;
        this.Amount = Amount;
        this.Late = Late;
    }

    public string Msisdn { get; }

    public LocalDateTime Start { get; }

    public ServiceType Service { get; }

    /// <summary>The number called, or null (data); a new string when it is kept inside a longer text.</summary>
    public string? Destination => _text is null ? null : _from == 0 && _length == _text.Length ? _text : _text.Substring(_from, _length);

    public long Quantity { get; }

    public decimal Amount { get; }

    public bool Late { get; }

    private ReadOnlySpan<char> DestinationSpan => _text.AsSpan(_from, _length);

    public bool Equals(AnnexRecord other) =>
        Msisdn == other.Msisdn && Start == other.Start && Service == other.Service && (_text is null) == (other._text is null)
        && DestinationSpan.SequenceEqual(other.DestinationSpan) && Quantity == other.Quantity && Amount == other.Amount && Late == other.Late;

    public override bool Equals(object? obj) => obj is AnnexRecord other && Equals(other);

    public override int GetHashCode() =>
        HashCode.Combine(Msisdn, Start, Service, string.GetHashCode(DestinationSpan, StringComparison.Ordinal), Quantity, Amount, Late);

    public static bool operator ==(AnnexRecord left, AnnexRecord right) => left.Equals(right);

    public static bool operator !=(AnnexRecord left, AnnexRecord right) => !left.Equals(right);

    public override string ToString() => $"AnnexRecord {{ Msisdn = {Msisdn}, Start = {Start}, Service = {Service}, Destination = {Destination}, Quantity = {Quantity}, Amount = {Amount}, Late = {Late} }}";
}

/// <summary>
/// A stored invoice or credit note with everything its PDF shows, as plain values: the document
/// layer draws it and knows no database. <see cref="PeriodEnd"/> is exclusive. <see cref="IssuedAt"/>
/// becomes the PDF's creation date, so a re-render gives the same bytes.
/// </summary>
public sealed record InvoiceDocument
{
    public required DocumentKind Kind { get; init; }

    public required string Number { get; init; }

    public required string Currency { get; init; }

    public required LocalDate IssueDate { get; init; }

    /// <summary>The invoice's due date; a credit note has none (its issue date is used).</summary>
    public required LocalDate DueDate { get; init; }

    public required LocalDate PeriodStart { get; init; }

    public required LocalDate PeriodEnd { get; init; }

    public required Instant IssuedAt { get; init; }

    public required DocumentCustomer Customer { get; init; }

    /// <summary>What the customer quotes when paying (the invoice number).</summary>
    public required string PaymentReference { get; init; }

    public required DocumentSummary Summary { get; init; }

    public IReadOnlyList<DocumentLine> Lines { get; init; } = [];

    public IReadOnlyList<DocumentTax> Taxes { get; init; } = [];

    public IReadOnlyList<DocumentPayment> Payments { get; init; } = [];

    public IReadOnlyList<DailySpend> DailySpend { get; init; } = [];

    /// <summary>Suspensions by dunning in the period (its usage is on the invoice or held, as dunning.suspendedUsage says).</summary>
    public IReadOnlyList<DocumentSuspension> Suspensions { get; init; } = [];

    /// <summary>The itemised annex, ordered by subscriber then time; empty when the annex is off.</summary>
    public IReadOnlyList<AnnexRecord> Annex { get; init; } = [];

    /// <summary>A credit note: the invoice it credits, and why.</summary>
    public string? CreditedInvoice { get; init; }

    public string? Reason { get; init; }
}
