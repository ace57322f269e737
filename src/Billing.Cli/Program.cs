using System.CommandLine;
using System.CommandLine.Invocation;
using Billing.Cli.Commands;
using Billing.Storage;
using Serilog;

namespace Billing.Cli;

/// <summary>
/// The `billing` command: the global options, one line per command group (each builds its own
/// tree), and how a failure becomes an exit code — by the exception's type, never by its words.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var parse = Root().Parse(args);
        return parse.Action is ParseErrorAction ? ParseError(parse, Console.Error) : parse.Invoke();
    }

    public static RootCommand Root()
    {
        var db = new Option<string?>("--db") { Description = "PostgreSQL connection string (else BILLING_DB, else a private embedded cluster under .billing/)", Recursive = true };
        var config = new Option<string?>("--config") { Description = "Configuration file (else BILLING_CONFIG, else ./billing.json if present, else the defaults)", Recursive = true };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log progress to the console (stderr)", Recursive = true };
        var json = new Option<bool>("--json") { Description = "Machine-readable JSON on stdout", Recursive = true };
        var root = new RootCommand("""
            billing — batch CDR mediation and bill-run engine.
            Reads CDR files dropped by switches and PBXs, normalises them into PostgreSQL exactly once,
            and keeps every bad row in suspense with a reason. Start with: billing demo
            """)
        {
            db, config, verbose, json,
        };
        var cli = new Cli((p, server, action) => Guarded(new GlobalOptions(p.GetValue(db), p.GetValue(config), p.GetValue(verbose), p.GetValue(json)), server, action));

        root.Subcommands.Add(DemoCommand.Build(cli));
        root.Subcommands.Add(IngestCommand.Build(cli));
        root.Subcommands.Add(FileCommands.Build(cli));
        root.Subcommands.Add(SuspenseCommands.Build(cli));
        root.Subcommands.Add(DbCommands.Build(cli));
        root.Subcommands.Add(AccountCommands.Build(cli));
        root.Subcommands.Add(CatalogCommands.Build(cli));
        root.Subcommands.Add(PriceCommand.Build(cli));
        root.Subcommands.Add(RateCommand.Build(cli));
        root.Subcommands.Add(RerateCommand.Build(cli));
        root.Subcommands.Add(TopUpCommand.Build(cli));
        root.Subcommands.Add(TopUpImportCommands.Build(cli));
        root.Subcommands.Add(WalletCommands.Build(cli));
        root.Subcommands.Add(BundleCommands.Build(cli));
        root.Subcommands.Add(NotificationCommands.Build(cli));
        root.Subcommands.Add(BillRunCommands.Build(cli));
        root.Subcommands.Add(InvoiceCommands.Build(cli));
        root.Subcommands.Add(CreditNoteCommands.Build(cli));
        root.Subcommands.Add(PaymentCommands.Build(cli));
        root.Subcommands.Add(ChargeCommands.Build(cli));
        root.Subcommands.Add(ReconcileCommands.Build(cli));
        root.Subcommands.Add(DunningCommands.Build(cli));
        root.Subcommands.Add(AgingCommands.Build(cli));
        root.Subcommands.Add(ConfigCommand.Build(cli));
        root.Subcommands.Add(UserCommands.Build(cli));
        root.Subcommands.Add(ServeCommand.Build(cli));
        root.Subcommands.Add(ScheduleCommands.Build(cli));
        root.Subcommands.Add(BenchCommand.Build(cli));
        return root;
    }

    /// <summary>A command line that does not parse (an unknown option, a value out of range): each problem on one line, exit 2.</summary>
    public static int ParseError(ParseResult parse, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(error);
        var names = new List<string>();
        for (var c = parse.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, c.Command is RootCommand ? "billing" : c.Command.Name);
        }

        foreach (var e in parse.Errors)
        {
            error.WriteLine($"{string.Join(' ', names)}: {e.Message}");
        }

        return 2;
    }

    private static int Guarded(GlobalOptions g, bool server, Func<GlobalOptions, int> action)
    {
        try
        {
            var config = BillingConfig.Load(g.ConfigPath);
            Runtime.ConfigureLogging(g.Verbose, server, config.StateDirectory, config.Logging.UnmaskMsisdns);
            return action(g);
        }
        catch (UserErrorException e)
        {
            Console.Error.WriteLine($"billing: {e.Message}");
            return 2;
        }
        catch (DatabaseUnavailableException e)
        {
            Console.Error.WriteLine($"billing: {e.Message}");
            return 2;
        }
        finally
        {
            Log.CloseAndFlush();
        }
    }
}
