using Billing.Cli.Portal;
using Billing.Integration.Tests.Infrastructure;
using Billing.Storage.Portal;

namespace Billing.Integration.Tests.EndToEnd;

/// <summary>`billing users add | list | remove` through the real executable: the password comes from standard input or BILLING_PASSWORD, and only its hash is kept.</summary>
public sealed class UserCommandTests(DatabaseFixture fx) : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly TempDir _work = new();

    public void Dispose() => _work.Dispose();

    private PortalUser? Stored(string name)
    {
        using var c = fx.Db.Open();
        return PortalUserStore.Find(c, name);
    }

    [Fact]
    public void A_password_from_standard_input_or_the_environment_is_stored_only_as_a_hash_that_verifies_it()
    {
        var piped = BillingProcess.RunWithInput("piped passphrase 1\nignored second line\n", _work.Path, "users", "add", "piper", "--role", "finance", "--db", fx.ConnectionString);
        var fromEnvironment = BillingProcess.Run(TimeSpan.FromMinutes(1), new Dictionary<string, string> { ["BILLING_PASSWORD"] = "environment passphrase" }, _work.Path,
            "users", "add", "envy", "--role", "operations", "--db", fx.ConnectionString);
        var list = BillingProcess.Run(_work.Path, "users", "list", "--db", fx.ConnectionString);

        Assert.True(piped.Exit == 0, piped.Err);
        Assert.True(fromEnvironment.Exit == 0, fromEnvironment.Err);
        Assert.DoesNotContain("passphrase", piped.Out + piped.Err + fromEnvironment.Out + fromEnvironment.Err + list.Out, StringComparison.Ordinal);
        var piper = Stored("piper")!;
        var envy = Stored("envy")!;
        Assert.Equal(("finance", "operations"), (piper.Role, envy.Role));
        Assert.True(PortalPasswords.Verify(piper, "piped passphrase 1", out _));
        Assert.True(PortalPasswords.Verify(envy, "environment passphrase", out _));
        Assert.Contains("piper", list.Out, StringComparison.Ordinal);
        Assert.Contains("never", list.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_password_a_taken_name_a_bad_name_or_an_unknown_role_adds_nobody_and_exits_2()
    {
        BillingProcess.RunWithInput("first passphrase\n", _work.Path, "users", "add", "taken", "--role", "finance", "--db", fx.ConnectionString);

        var tooShort = BillingProcess.RunWithInput("nine char\n", _work.Path, "users", "add", "shorty", "--role", "finance", "--db", fx.ConnectionString);
        var taken = BillingProcess.RunWithInput("second passphrase\n", _work.Path, "users", "add", "taken", "--role", "operations", "--db", fx.ConnectionString);
        var badName = BillingProcess.RunWithInput("a good passphrase\n", _work.Path, "users", "add", "no spaces", "--role", "finance", "--db", fx.ConnectionString);
        var role = BillingProcess.RunWithInput("a good passphrase\n", _work.Path, "users", "add", "boss", "--role", "admin", "--db", fx.ConnectionString);
        var noInput = BillingProcess.RunWithInput("", _work.Path, "users", "add", "silent", "--role", "finance", "--db", fx.ConnectionString);

        Assert.Equal((2, 2, 2, 2, 2), (tooShort.Exit, taken.Exit, badName.Exit, role.Exit, noInput.Exit));
        Assert.Contains("at least 10 characters (this one has 9)", tooShort.Err, StringComparison.Ordinal);
        Assert.Contains("A user 'taken' exists already", taken.Err, StringComparison.Ordinal);
        Assert.Contains("No password", noInput.Err, StringComparison.Ordinal);
        Assert.True(PortalPasswords.Verify(Stored("taken"), "first passphrase", out _));
        Assert.Equal("finance", Stored("taken")!.Role);
        Assert.Null(Stored("shorty"));
        Assert.Null(Stored("boss"));
    }
}
