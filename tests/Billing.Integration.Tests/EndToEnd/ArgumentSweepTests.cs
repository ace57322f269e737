using System.Collections.Concurrent;
using System.CommandLine.Invocation;
using Billing.Integration.Tests.Infrastructure;

namespace Billing.Integration.Tests.EndToEnd;

/// <summary>
/// Issue 11, "Every argument checked, no stack trace": a value out of its range, on any command, is
/// refused with one line on stderr that names the option as the user typed it, and exit 2 — before a
/// database starts.
/// </summary>
public sealed class ArgumentSweepTests : IDisposable
{
    private const string Msisdn = "07700900103";

    private readonly TempDir _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public void Every_command_refuses_out_of_range_values_with_one_line_naming_the_option_and_exit_2_before_the_database_starts()
    {
        var dir = _work.Path;

        // Refused by the parser: checked in this process, as `billing` parses (Program.Root, Program.ParseError).
        (string[] Args, string Names)[] parsed =
        [
            (["ingest", "--settle", "-5"], "--settle '-5'"),
            (["ingest", "--settle", "86401"], "--settle '86401'"),
            (["files", "list", "--limit", "-5"], "--limit '-5'"),
            (["files", "list", "--limit", "0"], "--limit '0'"),
            (["files", "list", "--limit", "many"], "--limit 'many'"),
            (["catalog", "load", dir, "--effective", "9999-12-31T23:59:59Z"], "--effective '9999-12-31T23:59:59Z'"),
            (["catalog", "import-cgrates", dir, "--effective", "1969-12-31"], "--effective '1969-12-31'"),
            (["catalog", "show", "--version", "0"], "--version '0'"),
            (["rate", "--range", "-1"], "--range '-1'"),
            (["rate", "--range", "0"], "--range '0'"),
            (["rate", "--range", "10000001"], "--range '10000001'"),
            (["rerate", "--from", "last-week", "--to", "2026-01-01"], "--from 'last-week'"),
            (["rerate", "--from", "2026-01-01", "--to", "3000-01-01"], "--to '3000-01-01'"),
            (["topup", Msisdn, "10.00", "--at", "yesterday"], "--at 'yesterday'"),
            (["topup", Msisdn, "10,00"], "AMOUNT '10,00'"),
            (["wallets", "show", Msisdn, "--limit", "-1"], "--limit '-1'"),
            (["wallets", "adjust", Msisdn, "1e3", "--reason", "typo"], "AMOUNT '1e3'"),
            (["wallets", "adjust", Msisdn, "1.00", "--reason", " "], "--reason must not be blank"),
            (["bundles", "buy", Msisdn, "pp_minutes_100", "--at", "9999-12-31T23:59:59Z"], "--at '9999-12-31T23:59:59Z'"),
            (["suspense", "write-off", "--reason", "bad-number", "--note", ""], "--note must not be blank"),
            (["suspense", "write-off", "--reason", "bad-number", "--note", "   "], "--note must not be blank"),
            (["notifications", "list", "--limit", "0"], "--limit '0'"),
            (["notifications", "retry", "0"], "ID '0'"),
            (["bill-run", "list", "--limit", "-3"], "--limit '-3'"),
            (["serve", "--workers", "0"], "--workers '0'"),
            (["serve", "--workers", "101"], "--workers '101'"),
            (["bench", "ingest", "--rows", "0"], "--rows '0'"),
            (["bench", "ingest", "--files", "0"], "--files '0'"),
            (["bench", "ingest", "--workers", "65"], "--workers '65'"),
            (["bench", "rate", "--subscribers", "0"], "--subscribers '0'"),
            (["bench", "rate", "--prefixes", "2"], "--prefixes '2'"),
            (["bench", "rate", "--prepaid-share", "1.5"], "--prepaid-share '1.5'"),
            (["bench", "rate", "--top-up", "0"], "--top-up '0'"),
            (["bench", "rate", "--repeat", "0"], "--repeat '0'"),
            (["bench", "engine", "--rows", "-1"], "--rows '-1'"),
            (["bench", "engine", "--prefixes", "1000001"], "--prefixes '1000001'"),
            (["bench", "engine", "--repeat", "101"], "--repeat '101'"),
            (["bench", "bill-run", "--accounts", "0"], "--accounts '0'"),
            (["bench", "bill-run", "--records", "100001"], "--records '100001'"),
            (["bench", "bill-run", "--batch-size", "0"], "--batch-size '0'"),
            (["bench", "bill-run", "--workers", "65"], "--workers '65'"),
            (["bench", "pdf", "--repeat", "0"], "--repeat '0'"),
            (["invoices", "list", "--limit", "0"], "--limit '0'"),
            (["dunning", "--as-of", "2026-13-01"], "--as-of '2026-13-01'"),
            (["dunning", "--as-of", "3000-01-01"], "--as-of '3000-01-01'"),
            (["dunning", "history", "--limit", "0"], "--limit '0'"),
            (["dunning", "runs", "--limit", "-1"], "--limit '-1'"),
            (["dunning", "pause", "A-1", "--until", "next-friday"], "--until 'next-friday'"),
            (["dunning", "hold", "INV-2026-000001", "--reason", " "], "--reason must not be blank"),
        ];

        // The bounds themselves parse: the checks refuse what is out of range, not what is on its edge.
        string[][] accepted =
        [
            ["ingest", "--settle", "0"], ["ingest", "--settle", "86400"], ["files", "list", "--limit", "1"], ["rate", "--range", "1"],
            ["rate", "--range", "10000000"], ["rerate", "--from", "1970-01-01", "--to", "2999-12-31T23:59:59Z"], ["topup", Msisdn, "-5"],
            ["serve", "--workers", "100"], ["bench", "rate", "--prepaid-share", "1", "--top-up", "0.01", "--prefixes", "3"], ["notifications", "retry", "1"],
            ["dunning", "--as-of", "1970-01-01"], ["dunning", "pause", "A-1", "--until", "2999-12-31"],
        ];

        // Refused by the command before it starts a database, or by a database that cannot be reached: a real `billing` process each.
        (string[] Args, string Names)[] run =
        [
            (["files", "list", "--limit", "-5"], "--limit '-5'"),
            (["rate", "--range", "-1"], "--range '-1'"),
            (["price", "--catalog", RatingData.TemplateCatalog, "--plan", "uk_prepaid", "--service", "voice", "--destination", "07700900123", "--start", "2026-11-02T18:59:30Z", "--usage", "9223372036854775807"], "--usage '9223372036854775807'"),
            (["price", "--catalog", RatingData.TemplateCatalog, "--plan", "uk_prepaid", "--service", "voice", "--destination", "07700900123", "--start", "9999-12-31T23:59:59Z", "--usage", "60"], "--start '9999-12-31T23:59:59Z'"),
            (["topup", Msisdn, "79228162514264337593543950335"], "AMOUNT '79228162514264337593543950335' is above the ceiling of 1000"),
            (["topup", Msisdn, "1000000000000000"], "AMOUNT '1000000000000000' is above the ceiling of 1000"),
            (["topup", Msisdn, "-5"], "AMOUNT '-5' must be positive"),
            (["wallets", "adjust", Msisdn, "-79228162514264337593543950335", "--reason", "typo"], "AMOUNT '-79228162514264337593543950335' is above the ceiling of 1000"),
            (["rerate", "--from", "2026-02-01", "--to", "2026-01-01"], "--to must be after --from"),
            (["bill-run", "0001-01-01"], "DATE '0001-01-01' is out of range"),
            (["files", "list", "--db", "Host=127.0.0.1;Port=1;Database=none;Timeout=5"], "Cannot reach the database (PostgreSQL from --db)"),
        ];

        var problems = new ConcurrentBag<string>();
        var root = Billing.Cli.Program.Root();
        foreach (var (args, names) in parsed)
        {
            var parse = root.Parse(args);
            using var stderr = new StringWriter();
            var exit = parse.Action is ParseErrorAction ? Billing.Cli.Program.ParseError(parse, stderr) : -1;
            Check(problems, "in process", args, exit, stderr.ToString(), names);
        }

        foreach (var args in accepted)
        {
            if (root.Parse(args).Errors is { Count: > 0 } errors)
            {
                problems.Add($"billing {string.Join(' ', args)} was refused: {errors[0].Message}");
            }
        }

        Parallel.ForEach(run, new ParallelOptions { MaxDegreeOfParallelism = 4 }, c =>
        {
            var (exit, _, stderr) = BillingProcess.Run(TimeSpan.FromMinutes(1), dir, c.Args);
            Check(problems, "process", c.Args, exit, stderr, c.Names);
        });

        Assert.Empty(problems);
        Assert.False(Directory.Exists(Path.Combine(dir, ".billing", "postgres")), "a refused command started the embedded PostgreSQL");
    }

    private static void Check(ConcurrentBag<string> problems, string how, string[] args, int exit, string stderr, string names)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (exit != 2 || lines.Length != 1 || !lines[0].StartsWith("billing", StringComparison.Ordinal) || !lines[0].Contains(names, StringComparison.Ordinal))
        {
            problems.Add($"billing {string.Join(' ', args)} ({how}): exit {exit}, stderr:\n{stderr}");
        }
    }

    [Fact]
    public void A_connection_string_with_an_unknown_keyword_is_refused_in_one_line_naming_where_it_came_from_and_exit_2()
    {
        var (exit, _, stderr) = BillingProcess.Run(TimeSpan.FromMinutes(1), _work.Path, "files", "list", "--db", "Hots=127.0.0.1;Database=none");
        var (envExit, _, envStderr) = BillingProcess.Run(TimeSpan.FromMinutes(1), new Dictionary<string, string> { ["BILLING_DB"] = "Host=127.0.0.1;Prot=5432" }, _work.Path, "files", "list");

        Assert.Equal((2, "billing: the connection string from --db is not valid: keyword 'hots' is not supported"), (exit, stderr.TrimEnd()));
        Assert.Equal((2, "billing: the connection string from BILLING_DB is not valid: keyword 'prot' is not supported"), (envExit, envStderr.TrimEnd()));
        Assert.False(Directory.Exists(Path.Combine(_work.Path, ".billing", "postgres")), "a refused command started the embedded PostgreSQL");
    }
}
