using Billing.Cli.Portal;
using Billing.Storage.Invoicing;
using Billing.Storage.Portal;
using Npgsql;
using NodaTime;

namespace Billing.Integration.Tests.Portal;

/// <summary>What the portal reads, straight from the stores on the portal's billed database (see <see cref="PortalWorld"/>).</summary>
[Collection(SharedPortalWorld.Name)]
public sealed class PortalStoreTests(PortalWorld fx)
{
    private IReadOnlyList<string?> Numbers(InvoiceSearch search)
    {
        using var c = fx.World.Open();
        return [.. InvoiceStore.Search(c, search).Invoices.Select(i => i.Number)];
    }

    [Fact]
    public void Search_matches_the_numbers_start_the_exact_account_and_any_part_of_the_name_in_any_case()
    {
        Assert.Equal(["INV-2026-000003", "INV-2026-000002", "INV-2026-000001"], Numbers(new InvoiceSearch(Number: "INV-2026-")));
        Assert.Equal(["INV-2027-000001", "INV-2026-000001"], Numbers(new InvoiceSearch(Account: "B-1")));
        Assert.Empty(Numbers(new InvoiceSearch(Account: "B-")));
        Assert.Equal(["INV-2027-000001", "INV-2026-000001"], Numbers(new InvoiceSearch(Name: "zOË mü")));
        Assert.Equal(["INV-2027-000002", "INV-2026-000002"], Numbers(new InvoiceSearch(Name: "<script>")));
        // LIKE's wildcards are taken literally: no name has a '%' or an '_'.
        Assert.Empty(Numbers(new InvoiceSearch(Name: "%")));
        Assert.Empty(Numbers(new InvoiceSearch(Number: "INV_2026")));
    }

    [Fact]
    public void Search_by_period_takes_the_month_of_the_periods_last_day_and_by_run_that_runs_invoices()
    {
        Assert.Equal(["INV-2026-000003", "INV-2026-000002", "INV-2026-000001"], Numbers(new InvoiceSearch(Period: new YearMonth(2026, 11))));
        Assert.Equal(["INV-2027-000003", "INV-2027-000002", "INV-2027-000001"], Numbers(new InvoiceSearch(Period: new YearMonth(2026, 12))));
        Assert.Empty(Numbers(new InvoiceSearch(Period: new YearMonth(2027, 1))));
        Assert.Equal(["INV-2027-000003", "INV-2027-000002", "INV-2027-000001"], Numbers(new InvoiceSearch(RunId: 2)));
    }

    [Fact]
    public void Search_by_status_tells_paid_from_unpaid_by_what_is_allocated_36_00_of_36_00_is_paid_24_00_of_36_00_is_not()
    {
        Assert.Equal(["INV-2026-000001"], Numbers(new InvoiceSearch(Status: "paid")));
        Assert.Equal(5, Numbers(new InvoiceSearch(Status: "unpaid")).Count);
        Assert.Equal(6, Numbers(new InvoiceSearch(Status: "issued")).Count);
        Assert.Empty(Numbers(new InvoiceSearch(Status: "draft")));
        using var c = fx.World.Open();
        Assert.Throws<ArgumentException>(() => InvoiceStore.Search(c, new InvoiceSearch(Status: "open")));
    }

    [Fact]
    public void Search_sorts_by_total_36_36_first_and_pages_with_the_count_of_all_that_match()
    {
        using var c = fx.World.Open();

        var largest = InvoiceStore.Search(c, new InvoiceSearch(Sort: InvoiceSort.AmountDescending, Limit: 1));
        var smallest = InvoiceStore.Search(c, new InvoiceSearch(Sort: InvoiceSort.AmountAscending, Limit: 1));
        var second = InvoiceStore.Search(c, new InvoiceSearch(Sort: InvoiceSort.DateAscending, Offset: 2, Limit: 2));
        var beyond = InvoiceStore.Search(c, new InvoiceSearch(Offset: 6, Limit: 2));

        Assert.Equal(("INV-2026-000003", 36.36m, 6L), (largest.Invoices[0].Number, largest.Invoices[0].Total, largest.Matching));
        Assert.Equal(18.00m, smallest.Invoices[0].Total);
        Assert.Equal(["INV-2026-000003", "INV-2027-000001"], second.Invoices.Select(i => i.Number));
        Assert.Equal((0, 6L), (beyond.Invoices.Count, beyond.Matching));
    }

    [Fact]
    public void An_invoices_page_reads_the_payment_and_the_credit_note_put_against_it()
    {
        using var c = fx.World.Open();
        var paid = InvoiceStore.Read(c, "INV-2026-000001")!;
        var credited = InvoiceStore.Read(c, "INV-2026-000002")!;

        var payment = Assert.Single(ReceivablesStore.AllocationsTo(c, paid.Id));
        var note = Assert.Single(CreditNoteStore.OfInvoice(c, credited.Id));
        var noteAllocation = Assert.Single(ReceivablesStore.AllocationsTo(c, credited.Id));

        Assert.Equal(("payment", "PAY-1", 36.00m), (payment.Source, payment.SourceReference, payment.Amount));
        Assert.Equal(("Goodwill", -12.00m, "GBP"), (note.Reason, note.Total, note.Currency));
        Assert.Equal(("credit-note", note.Number, 12.00m), (noteAllocation.Source, noteAllocation.SourceReference, noteAllocation.Amount));
        Assert.Empty(CreditNoteStore.OfInvoice(c, paid.Id));
    }

    [Fact]
    public void A_user_is_added_once_with_a_hash_that_verifies_only_the_password_and_a_role_outside_the_two_is_refused_by_the_database()
    {
        using var c = fx.World.Open();
        var hash = PortalPasswords.Hash("store test passphrase");

        var added = PortalUserStore.Add(c, "store-test", "operations", hash, "tests");
        var again = PortalUserStore.Add(c, "store-test", "finance", PortalPasswords.Hash("another passphrase"), "tests");
        var user = PortalUserStore.Find(c, "store-test");
        var admin = Assert.Throws<PostgresException>(() => PortalUserStore.Add(c, "boss", "admin", hash, "tests"));
        var removed = PortalUserStore.Remove(c, "store-test");

        Assert.True(added);
        Assert.False(again);
        Assert.Equal(("operations", hash), (user!.Role, user.PasswordHash));
        Assert.DoesNotContain("store test passphrase", user.PasswordHash, StringComparison.Ordinal);
        Assert.True(PortalPasswords.Verify(user, "store test passphrase", out var rehash));
        Assert.Null(rehash);
        Assert.False(PortalPasswords.Verify(user, "store test passphrasE", out _));
        Assert.False(PortalPasswords.Verify(null, "store test passphrase", out _));
        Assert.Equal(PostgresErrorCodes.CheckViolation, admin.SqlState);
        Assert.True(removed);
        Assert.Null(PortalUserStore.Find(c, "store-test"));
    }
}
