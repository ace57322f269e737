using Billing.Cli;
using Billing.Integration.Tests.Infrastructure;
using Billing.Mediation;

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
        Assert.Equal(CdrFormat.FreeSwitch, config.Mediation.Source("freeswitch")!.Format);
    }

    [Fact]
    public void Load_ListsEveryProblem_WhenTheFileIsWrong()
    {
        var path = _tmp.File("billing.json");
        File.WriteAllText(path, """
            { "mediation": { "sources": [
              { "name": "pbx", "format": "asterisk", "asteriskColumns": 19, "timeZone": "Mars/Olympus" },
              { "name": "pbx", "format": "cucm" },
              { "name": "../etc", "format": "canonical" } ] } }
            """);

        var e = Assert.Throws<UserErrorException>(() => BillingConfig.Load(path));

        Assert.Contains("asteriskColumns must be 16, 17, 18 or 21, not 19", e.Message, StringComparison.Ordinal);
        Assert.Contains("unknown IANA time zone 'Mars/Olympus'", e.Message, StringComparison.Ordinal);
        Assert.Contains("source 'pbx' is configured twice", e.Message, StringComparison.Ordinal);
        Assert.Contains("source name '../etc' must be", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_DescribesEveryCommand()
    {
        var (exit, stdout, _) = BillingProcess.Run(_tmp.Path, "--help");

        Assert.Equal(0, exit);
        foreach (var command in new[] { "demo", "ingest", "files", "suspense", "accounts", "catalog", "price", "rate", "rerate", "topup", "topups", "wallets", "db", "config", "serve", "bench" })
        {
            Assert.Contains(command, stdout, StringComparison.Ordinal);
        }

        var suspense = BillingProcess.Run(_tmp.Path, "suspense", "write-off", "--help");
        Assert.Contains("--note", suspense.Out, StringComparison.Ordinal);
        Assert.Contains("audit", suspense.Out, StringComparison.Ordinal);
    }
}
