using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Billing.Cli.Portal;
using Billing.Storage.Portal;

namespace Billing.Cli.Commands;

/// <summary>
/// billing users add | list | remove: who may sign in to the finance portal (billing serve, /portal).
/// A password is never an argument (it would stay in the shell's history and in the process list):
/// it comes from BILLING_PASSWORD, else standard input.
/// </summary>
public static partial class UserCommands
{
    public const string PasswordVariable = "BILLING_PASSWORD";

    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var name = new Argument<string>("name") { Description = "The user's sign-in name: letters, digits and . _ @ - (up to 64, starting with a letter or digit)" };
        var role = new Option<string>("--role") { Description = "finance (views the portal and downloads PDFs) or operations (views the portal only)", Required = true };
        role.AcceptOnlyFromAmong([.. PortalUserStore.Roles]);
        var add = new Command("add", $"Add a portal user. The password is read from {PasswordVariable} if set, else from standard input (its first line; typed unechoed at a terminal), never from the command line; at least {PortalPasswords.MinimumLength} characters") { name, role };
        add.SetAction(p => cli.Run(p, g => Add(g, p.GetValue(name)!, p.GetValue(role)!, Environment.GetEnvironmentVariable(PasswordVariable), Console.In, Console.Out)));
        var list = new Command("list", "Portal users: name, role, when added and by whom, last sign-in");
        list.SetAction(p => cli.Run(p, g => List(g, Console.Out)));
        var removed = new Argument<string>("name") { Description = "The user to remove" };
        var remove = new Command("remove", "Remove a portal user: their open sessions end at their next request") { removed };
        remove.SetAction(p => cli.Run(p, g => Remove(g, p.GetValue(removed)!, Console.Out)));
        return new Command("users", "Who may sign in to the finance portal (billing serve, /portal) and with which role") { add, list, remove };
    }

    public static int Add(GlobalOptions g, string name, string role, string? fromEnvironment, TextReader input, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!ValidName().IsMatch(name))
        {
            throw new UserErrorException($"'{name}' cannot be a user name: letters, digits and . _ @ - only, up to 64, starting with a letter or digit.");
        }

        if (!PortalUserStore.Roles.Contains(role))
        {
            throw new UserErrorException($"--role must be {string.Join(" or ", PortalUserStore.Roles)}, not '{role}'.");
        }

        var password = fromEnvironment is { Length: > 0 } set ? set : ReadPassword(name, input);
        if (PortalPasswords.Problem(password) is { } problem)
        {
            throw new UserErrorException($"No user added: {problem}.");
        }

        var hash = PortalPasswords.Hash(password);
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        if (!PortalUserStore.Add(conn, name, role, hash, Environment.UserName))
        {
            throw new UserErrorException($"A user '{name}' exists already (`billing users remove {name}` first to replace it).");
        }

        output.WriteLine(g.Json
            ? JsonSerializer.Serialize(new { name, role }, BillingConfig.Json)
            : $"Added {role} user {name}: sign in at /portal/sign-in of `billing serve` (http://127.0.0.1:5080/portal by default).");
        return 0;
    }

    public static int List(GlobalOptions g, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var users = PortalUserStore.List(conn);
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(users.Select(u => new { name = u.Name, role = u.Role, createdAt = u.CreatedAt.ToString(), createdBy = u.CreatedBy, lastSignInAt = u.LastSignInAt?.ToString() }), BillingConfig.Json));
            return 0;
        }

        if (users.Count == 0)
        {
            output.WriteLine("No portal users yet: `billing users add NAME --role finance` (the password from BILLING_PASSWORD or standard input).");
            return 0;
        }

        var table = new TextTable("name", "role", "added", "by", "last sign-in");
        foreach (var u in users)
        {
            table.Add(u.Name, u.Role, Utc(u.CreatedAt), u.CreatedBy, u.LastSignInAt is { } at ? Utc(at) : "never");
        }

        output.Write(table.ToString());
        return 0;
    }

    public static int Remove(GlobalOptions g, string name, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        if (!PortalUserStore.Remove(conn, name))
        {
            throw new UserErrorException($"No user '{name}' (`billing users list`).");
        }

        output.WriteLine(g.Json ? JsonSerializer.Serialize(new { removed = name }, BillingConfig.Json) : $"Removed user {name}.");
        return 0;
    }

    /// <summary>The first line of standard input; at a terminal, typed twice without echo.</summary>
    private static string ReadPassword(string name, TextReader input)
    {
        if (!Console.IsInputRedirected && ReferenceEquals(input, Console.In))
        {
            var first = ReadHidden($"Password for {name}: ");
            var again = ReadHidden("Again: ");
            return first == again ? first : throw new UserErrorException("The two passwords differ: no user added.");
        }

        return input.ReadLine() ?? throw new UserErrorException($"No password: set {PasswordVariable} or give it on standard input (its first line).");
    }

    private static string ReadHidden(string prompt)
    {
        Console.Error.Write(prompt);
        var typed = new StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace)
            {
                typed.Length = Math.Max(0, typed.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                typed.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return typed.ToString();
    }

    private static string Utc(NodaTime.Instant at) => at.InUtc().ToString("uuuu-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")]
    private static partial Regex ValidName();
}
