using System.CommandLine;

namespace Billing.Cli;

/// <summary>
/// What a command group needs to build its command tree: <see cref="Run"/> runs a handler with the
/// global options (--db, --config, -v, --json), logging set up, and errors turned into exit codes.
/// A group is a static class with <c>public static Command Build(Cli cli)</c>: its options, its
/// subcommands and their actions in one place; handlers parse, call a job or store, print.
/// </summary>
public sealed class Cli(Func<ParseResult, bool, Func<GlobalOptions, int>, int> guarded)
{
    /// <summary>Runs a command's handler (not a server).</summary>
    public int Run(ParseResult parse, Func<GlobalOptions, int> handler) => guarded(parse, false, handler);

    /// <summary>Runs a long-lived server command (logs to the console).</summary>
    public int Serve(ParseResult parse, Func<GlobalOptions, int> handler) => guarded(parse, true, handler);
}
