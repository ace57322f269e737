using NodaTime;

namespace Billing.Core.Dunning;

/// <summary>One overdue invoice a letter lists: its number, dates, days past due and what it still owes.</summary>
public sealed record LetterInvoice(string Number, LocalDate IssueDate, LocalDate DueDate, int DaysPastDue, decimal Overdue);

/// <summary>
/// What a dunning letter says, recorded with its step (<c>dunning_actions.content</c>) so that it can
/// be rendered — now or again later — exactly as it was decided: to whom, about which invoice, how
/// much is overdue and since when, the account's other overdue invoices (<see cref="Invoices"/>, this
/// one included) and what the ladder does next (<see cref="NextAction"/>, an action code, on
/// <see cref="NextDate"/>; null: nothing further). Amounts are exact decimals in <see cref="Currency"/>.
/// </summary>
public sealed record DunningLetter(
    string AccountId,
    string Name,
    string BillingAddress,
    string Language,
    string Step,
    string Template,
    LocalDate AsOf,
    string Invoice,
    LocalDate IssueDate,
    LocalDate DueDate,
    int DaysPastDue,
    decimal InvoiceTotal,
    decimal Overdue,
    decimal AccountOverdue,
    string Currency,
    IReadOnlyList<LetterInvoice>? Invoices = null,
    string? NextAction = null,
    LocalDate? NextDate = null)
{
    /// <summary>The letter's number in the document store: one letter per (invoice, step), as its step is taken once.</summary>
    public static string NumberOf(string invoice, string step) => $"{invoice}.{step}";
}

/// <summary>One row of the hand-over file a collection agency receives: the debt of one invoice and whom it is owed by.</summary>
public sealed record AgencyHandOver(
    string AccountId,
    string Name,
    string BillingAddress,
    string? Email,
    string Invoice,
    LocalDate IssueDate,
    LocalDate DueDate,
    int DaysPastDue,
    decimal Overdue,
    string Currency,
    LocalDate HandedOverOn);
