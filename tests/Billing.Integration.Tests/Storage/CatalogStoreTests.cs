using Billing.Integration.Tests.Infrastructure;
using Billing.Storage;
using NodaTime;

namespace Billing.Integration.Tests.Storage;

/// <summary>Catalogue versions as stored: a later load with the same effective date wins, and only an unchanged one is no new version.</summary>
public sealed class CatalogStoreTests : IDisposable
{
    private static readonly Instant November = Instant.FromUtc(2026, 11, 1, 0, 0);
    private static readonly Dictionary<string, string> None = [];
    private readonly ScratchDatabase _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static (int Id, bool Created) Save(Npgsql.NpgsqlConnection c, string checksum, IReadOnlyDictionary<string, string>? options = null) =>
        CatalogStore.Save(c, "v-" + checksum, "native", checksum, November, new Dictionary<string, string> { ["rates.csv"] = checksum }, options ?? None, "tests");

    [Fact]
    public void Loading_the_first_catalogue_again_after_a_fix_with_the_same_date_puts_it_back_in_force_as_a_third_version()
    {
        using var c = _scratch.Db.Open();
        var original = Save(c, "aaaa");
        var fix = Save(c, "bbbb");

        var reverted = Save(c, "aaaa");

        Assert.Equal((true, true, true), (original.Created, fix.Created, reverted.Created));
        Assert.Equal(reverted.Id, CatalogStore.InForce(c, November)!.Id);
        Assert.Equal(("aaaa", 3), (CatalogStore.InForce(c, November)!.Checksum, CatalogStore.List(c).Count));
    }

    [Fact]
    public void The_same_files_imported_with_another_currency_are_a_new_version_and_the_same_files_and_options_again_are_not()
    {
        using var c = _scratch.Db.Open();
        var euro = Save(c, "cccc", new Dictionary<string, string> { ["currency"] = "EUR" });
        var dollar = Save(c, "cccc", new Dictionary<string, string> { ["currency"] = "USD" });
        var again = Save(c, "cccc", new Dictionary<string, string> { ["currency"] = "USD" });

        Assert.Equal((true, true, false, dollar.Id), (euro.Created, dollar.Created, again.Created, again.Id));
        Assert.Equal(dollar.Id, CatalogStore.InForce(c, November)!.Id);
        Assert.Equal("USD", CatalogStore.Content(c, dollar.Id).Options["currency"]);
    }
}
