using Billing.Cli;
using Billing.Integration.Tests.Infrastructure;
using Billing.Mediation;
using Billing.Notifications;

namespace Billing.Integration.Tests.EndToEnd;

public sealed class ConfigTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void Load_ReadsTheDocumentedExample()
    {
        var config = BillingConfig.Load(Path.Combine(Repo.Root, "docs", "billing.example.json"));

        Assert.Equal(["canonical", "cucm", "asterisk", "freeswitch"], config.Mediation.Sources.Select(s => s.Name));
        var asterisk = config.Mediation.Source("asterisk")!;
        Assert.Equal((CdrFormat.Asterisk, 18, "Europe/London"), (asterisk.Format, asterisk.AsteriskColumns, asterisk.TimeZone));
        Assert.Equal(["9"], config.Mediation.Source("cucm")!.Numbering.AccessCodes);
        Assert.Equal((CdrFormat.FreeSwitch, 300), (config.Mediation.Source("freeswitch")!.Format, config.Mediation.Source("freeswitch")!.ClockSkewSeconds));
        Assert.Equal((Path.Combine(".billing", "documents"), "default", true, 200), (config.Documents.Folder, config.Documents.Brand, config.Documents.Annex, config.Documents.ChunkSize));
        Assert.Equal(1000.00m, config.Prepaid.TopUpCeiling);
        Assert.Equal(Billing.Core.Rating.SuspendedUsage.Rate, config.Dunning.SuspendedUsageMode());
    }

    [Theory]
    [InlineData("hold", null)]
    [InlineData("rate", null)]
    [InlineData("charge", "dunning.suspendedUsage must be \"rate\" or \"hold\", not \"charge\"")]
    public void Load_TakesRateOrHoldForASuspendedSubscribersUsage_AndRefusesAnythingElse(string setting, string? problem)
    {
        var path = _tmp.File("billing.json");
        File.WriteAllText(path, $$"""{ "dunning": { "suspendedUsage": "{{setting}}" } }""");

        if (problem is null)
        {
            Assert.Equal(setting, Billing.Core.Rating.SuspendedUsageCodes.Code(BillingConfig.Load(path).Dunning.SuspendedUsageMode()));
        }
        else
        {
            Assert.Contains(problem, Assert.Throws<UserErrorException>(() => BillingConfig.Load(path)).Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("0", "prepaid.topUpCeiling must be more than 0 and at most 1000000000, not 0")]
    [InlineData("-10", "prepaid.topUpCeiling must be more than 0 and at most 1000000000, not -10")]
    [InlineData("1000000000.01", "prepaid.topUpCeiling must be more than 0 and at most 1000000000, not 1000000000.01")]
    public void Load_RefusesATopUpCeilingThatIsNotPositive_OrBeyondWhatAWalletHolds(string ceiling, string problem)
    {
        var path = _tmp.File("billing.json");
        File.WriteAllText(path, $$"""{ "prepaid": { "topUpCeiling": {{ceiling}} } }""");

        var e = Assert.Throws<UserErrorException>(() => BillingConfig.Load(path));

        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ListsEveryProblem_WhenTheFileIsWrong()
    {
        var path = _tmp.File("billing.json");
        File.WriteAllText(path, """
            { "mediation": { "sources": [
              { "name": "pbx", "format": "asterisk", "asteriskColumns": 19, "timeZone": "Mars/Olympus" },
              { "name": "pbx", "format": "cucm" },
              { "name": "../etc", "format": "canonical" },
              { "name": "ahead", "format": "canonical", "clockSkewSeconds": 86401 } ] } }
            """);

        var e = Assert.Throws<UserErrorException>(() => BillingConfig.Load(path));

        Assert.Contains("asteriskColumns must be 16, 17, 18 or 21, not 19", e.Message, StringComparison.Ordinal);
        Assert.Contains("unknown IANA time zone 'Mars/Olympus'", e.Message, StringComparison.Ordinal);
        Assert.Contains("source 'pbx' is configured twice", e.Message, StringComparison.Ordinal);
        Assert.Contains("source name '../etc' must be", e.Message, StringComparison.Ordinal);
        Assert.Contains("source 'ahead': clockSkewSeconds must be 0 to 86400, not 86401", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_DescribesEveryCommand()
    {
        var (exit, stdout, _) = BillingProcess.Run(_tmp.Path, "--help");

        Assert.Equal(0, exit);
        foreach (var command in new[] { "demo", "ingest", "files", "suspense", "accounts", "catalog", "price", "rate", "rerate", "topup", "topups", "wallets", "bundles", "notifications", "db", "config", "serve", "bench" })
        {
            Assert.Contains(command, stdout, StringComparison.Ordinal);
        }

        var suspense = BillingProcess.Run(_tmp.Path, "suspense", "write-off", "--help");
        Assert.Contains("--note", suspense.Out, StringComparison.Ordinal);
        Assert.Contains("audit", suspense.Out, StringComparison.Ordinal);

        var notifications = BillingProcess.Run(_tmp.Path, "notifications", "--help");
        foreach (var sub in new[] { "list", "send", "retry" })
        {
            Assert.Contains(sub, notifications.Out, StringComparison.Ordinal);
        }

        var list = BillingProcess.Run(_tmp.Path, "notifications", "list", "--help");
        foreach (var option in new[] { "--status", "--account", "--kind", "--limit", "--json" })
        {
            Assert.Contains(option, list.Out, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Load_ReadsTheDocumentedNotificationSettings()
    {
        var config = BillingConfig.Load(Path.Combine(Repo.Root, "docs", "billing.example.json"));

        var n = config.Notifications;
        Assert.Equal((NotificationChannelKind.File, ".billing/notifications", (string?)null, 8), (n.Channel, n.Folder, n.Templates, n.MaxAttempts));
        Assert.Equal(("smtp.example.com", 587, SmtpSecurity.StartTls, "billing", (string?)null, "Billing <billing@example.com>", 30),
            (n.Smtp.Host, n.Smtp.Port, n.Smtp.Security, n.Smtp.Username, n.Smtp.Password, n.Smtp.From, n.Smtp.TimeoutSeconds));
    }

    [Fact]
    public void Load_takes_the_threads_a_render_draws_on_from_documents_workers_and_refuses_none_or_too_many()
    {
        var path = _tmp.File("billing.json");
        File.WriteAllText(path, """{ "documents": { "workers": 0 } }""");
        Assert.Contains("documents.workers must be 1–256 (or null: one a core), not 0", Assert.Throws<UserErrorException>(() => BillingConfig.Load(path)).Message, StringComparison.Ordinal);
        File.WriteAllText(path, """{ "documents": { "workers": 257 } }""");
        Assert.Contains("documents.workers must be 1–256 (or null: one a core), not 257", Assert.Throws<UserErrorException>(() => BillingConfig.Load(path)).Message, StringComparison.Ordinal);

        File.WriteAllText(path, """{ "documents": { "workers": 3 } }""");
        Assert.Equal(3, BillingConfig.Load(path).Documents.WorkersInForce);
        File.WriteAllText(path, "{}");
        Assert.Equal(Environment.ProcessorCount, BillingConfig.Load(path).Documents.WorkersInForce);
    }

    [Fact]
    public void Load_refuses_a_bill_run_on_the_day_its_cycles_end_which_has_not_come_in_the_zones_west_of_the_run()
    {
        var path = _tmp.File("billing.json");
        File.WriteAllText(path, """{ "invoicing": { "daysAfterCycleEnd": 0 } }""");

        var e = Assert.Throws<UserErrorException>(() => BillingConfig.Load(path));

        Assert.Contains("invoicing.daysAfterCycleEnd must be 1–27 (a cycle has ended in every time zone only the day after its end date, UTC), not 0", e.Message, StringComparison.Ordinal);
        File.WriteAllText(path, """{ "invoicing": { "daysAfterCycleEnd": 1 } }""");
        Assert.Equal(1, BillingConfig.Load(path).Invoicing.DaysAfterCycleEnd);
    }

    [Fact]
    public void Load_RefusesAnSmtpChannelWithoutHostOrFrom_AndABadPort()
    {
        var path = _tmp.File("billing.json");
        File.WriteAllText(path, """{ "notifications": { "channel": "smtp", "smtp": { "port": 0, "security": "ssl" } } }""");

        var e = Assert.Throws<UserErrorException>(() => BillingConfig.Load(path));

        Assert.Contains("notifications.smtp.host is required when notifications.channel is \"smtp\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("notifications.smtp.from is required when notifications.channel is \"smtp\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("notifications.smtp.port must be 1–65535, not 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigShow_DoesNotPrintTheSmtpPassword()
    {
        File.WriteAllText(_tmp.File("billing.json"), """{ "notifications": { "smtp": { "username": "u", "password": "hunter2" } } }""");

        var (exit, stdout, stderr) = BillingProcess.Run(_tmp.Path, "config", "show");

        Assert.True(exit == 0, stderr);
        Assert.DoesNotContain("hunter2", stdout, StringComparison.Ordinal);
        Assert.Contains("\"password\": \"(set)\"", stdout, StringComparison.Ordinal);
        Assert.Contains("\"security\": \"none\"", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("ffectivePassword", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigShow_prints_neither_the_database_password_of_the_connection_string_nor_the_smtp_password_only_that_they_are_set()
    {
        File.WriteAllText(_tmp.File("billing.json"), """{ "notifications": { "smtp": { "username": "u", "password": "smtp-secret-41" } } }""");

        var (exit, stdout, stderr) = BillingProcess.Run(_tmp.Path, "config", "show", "--db", "Host=db.example;Username=billing;Password=db-secret-42;Database=billing");

        Assert.True(exit == 0, stderr);
        Assert.DoesNotContain("db-secret-42", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("smtp-secret-41", stdout, StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        var database = json.RootElement.GetProperty("database").GetString()!;
        Assert.Contains("Host=db.example", database, StringComparison.Ordinal);
        Assert.Contains("Password=(set)", database, StringComparison.Ordinal);
        Assert.Equal("(set)", json.RootElement.GetProperty("notifications").GetProperty("smtp").GetProperty("password").GetString());
    }

    [Fact]
    public void The_smtp_password_is_read_from_the_first_line_of_its_password_file_when_not_given_otherwise()
    {
        var file = _tmp.File("smtp-password");
        File.WriteAllText(file, "from-a-file-43\nsecond line ignored\n");
        var smtp = new SmtpOptions { Username = "u", PasswordFile = file };

        Assert.Equal("from-a-file-43", smtp.EffectivePassword());
        Assert.Equal("given", (smtp with { Password = "given" }).EffectivePassword());
    }

    [Fact]
    public void A_password_file_that_does_not_exist_is_a_configuration_problem()
    {
        var path = _tmp.File("billing.json");
        File.WriteAllText(path, """{ "notifications": { "smtp": { "passwordFile": "/nonexistent/smtp-password" } } }""");

        var e = Assert.Throws<UserErrorException>(() => BillingConfig.Load(path));

        Assert.Contains("notifications.smtp.passwordFile: no file /nonexistent/smtp-password", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_database_password_is_taken_from_the_first_line_of_BILLING_DB_PASSWORD_FILE_only_when_the_connection_string_has_none()
    {
        var file = _tmp.File("db-password");
        File.WriteAllText(file, "from-a-file-44\n");

        var added = new Npgsql.NpgsqlConnectionStringBuilder(Runtime.WithPasswordFile("Host=db.example;Username=billing", file));
        var kept = new Npgsql.NpgsqlConnectionStringBuilder(Runtime.WithPasswordFile("Host=db.example;Username=billing;Password=own", file));

        Assert.Equal(("db.example", "from-a-file-44"), (added.Host, added.Password));
        Assert.Equal("own", kept.Password);
        Assert.Equal("Host=db.example", Runtime.WithPasswordFile("Host=db.example", null));
        Assert.Throws<UserErrorException>(() => Runtime.WithPasswordFile("Host=db.example", _tmp.File("missing")));
    }
}
