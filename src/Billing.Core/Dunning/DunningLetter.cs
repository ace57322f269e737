using NodaTime;

namespace Billing.Core.Dunning;

/// <summary>
/// What a dunning letter says, recorded with its step (<c>dunning_actions.content</c>) so that it can
/// be rendered — now or again later — exactly as it was decided: to whom, about which invoice, how
/// much is overdue and since when. Amounts are exact decimals in <see cref="Currency"/>.
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
    string Currency);

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
