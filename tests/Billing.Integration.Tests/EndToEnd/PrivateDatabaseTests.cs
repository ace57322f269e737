using Billing.Integration.Tests.Infrastructure;

namespace Billing.Integration.Tests.EndToEnd;

/// <summary>
/// The embedded cluster a <c>billing</c> command starts when given no database: reachable by its
/// owner only, and never left running by a command that was signalled or killed.
/// </summary>
public sealed class PrivateDatabaseTests
{
    [RootFact]
    public void A_second_local_user_cannot_connect_to_the_embedded_cluster_of_a_running_command_which_root_reaches_by_its_socket_only()
    {
        using var work = new TempDir();
        var probe = new EmbeddedClusterProbe(work.Path);
        try
        {
            using var command = BlockedCommand.Start(work.Path);
            using var intruder = OsUser.Create();
            var endpoints = probe.Endpoints();

            foreach (var (host, port) in endpoints)
            {
                var (exit, output) = intruder.Run("/", "psql", EmbeddedClusterProbe.PsqlArgs(host, port, "SELECT pg_read_file('PG_VERSION')"));
                Assert.True(exit != 0 && output.Contains("connection to server", StringComparison.Ordinal),
                    $"{intruder.Name} reached the server at {host}:{port} (exit {exit}): {output}");
            }

            // The owner's side of the same socket, and nothing on TCP: no address, no host rule.
            var (socketFolder, socketPort) = Assert.Single(endpoints);
            Assert.Equal((0, ""), OsUser.Exec("psql", EmbeddedClusterProbe.PsqlArgs(socketFolder, socketPort, "SHOW listen_addresses")));
            Assert.Equal((0, "0"), OsUser.Exec("psql", EmbeddedClusterProbe.PsqlArgs(socketFolder, socketPort, "SELECT count(*) FROM pg_hba_file_rules WHERE type <> 'local'")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(socketFolder));
        }
        finally
        {
            probe.StopLeftover();
        }
    }

    [Theory]
    [InlineData("TERM", 143)]
    [InlineData("INT", 130)]
    public void A_command_stopped_by_a_signal_stops_the_embedded_cluster_it_started_and_exits_128_plus_the_signal(string signal, int expectedExit)
    {
        using var work = new TempDir();
        var probe = new EmbeddedClusterProbe(work.Path);
        try
        {
            using var command = BlockedCommand.Start(work.Path);
            var server = probe.ReadyServer() ?? throw new InvalidOperationException("no embedded server running under " + probe.BaseDirectory);

            EmbeddedClusterProbe.Signal(command.Process, signal);

            Assert.Equal(expectedExit, command.WaitForExit());
            Assert.Contains($"SIG{signal}: stopping", command.Stderr, StringComparison.Ordinal);
            probe.WaitUntilStopped(server, $"the embedded server (pid {server}) to stop after SIG{signal}");
        }
        finally
        {
            probe.StopLeftover();
        }
    }

    /// <summary>
    /// The test above needs billing to see SIGINT, which a test run started in a script's background (`dotnet test … &amp;`)
    /// ignores and passes on ignored: billing then never ended, and the test failed after its 2 minutes.
    /// </summary>
    [Fact]
    public void A_process_the_tests_start_gets_SIGINT_at_its_default_even_when_the_test_run_ignores_it()
    {
        // sh's `trap '' INT` ignores SIGINT as a script's background job does, then execs what follows.
        static ulong IgnoredSignals(IReadOnlyList<string> launcher)
        {
            var (exit, output) = OsUser.Exec("sh", ["-c", "trap '' INT; exec \"$@\"", "sh", .. launcher, "grep", "^SigIgn:", "/proc/self/status"]);
            Assert.Equal(0, exit);
            return Convert.ToUInt64(output["SigIgn:".Length..].Trim(), 16);
        }

        const ulong SigInt = 1UL << (2 - 1);
        Assert.Equal(SigInt, IgnoredSignals([]) & SigInt);
        Assert.Equal(0UL, IgnoredSignals(BillingProcess.SignalsAsFromATerminal) & SigInt);
    }

    [Fact]
    public void After_a_command_is_killed_the_next_command_reuses_the_cluster_left_running_and_stops_it()
    {
        using var work = new TempDir();
        var probe = new EmbeddedClusterProbe(work.Path);
        try
        {
            int server;
            using (var command = BlockedCommand.Start(work.Path))
            {
                server = probe.ReadyServer() ?? throw new InvalidOperationException("no embedded server running under " + probe.BaseDirectory);
                EmbeddedClusterProbe.Signal(command.Process, "KILL");
                command.WaitForExit();
            }

            Assert.True(EmbeddedClusterProbe.IsAlive(server), "SIGKILL cannot be handled: the server outlives the command");

            var (exit, stdout, stderr) = BillingProcess.Run(work.Path, "db", "migrate");

            Assert.True(exit == 0, $"billing db migrate: exit {exit}\n{stdout}\n{stderr}");
            Assert.Contains("already running", stdout, StringComparison.Ordinal);
            probe.WaitUntilStopped(server, $"the orphaned server (pid {server}) to be stopped by the next command");
        }
        finally
        {
            probe.StopLeftover();
        }
    }

    [Fact]
    public async Task Serve_stopped_by_SIGTERM_stops_the_embedded_cluster_it_started()
    {
        using var work = new TempDir();
        var probe = new EmbeddedClusterProbe(work.Path);
        try
        {
            await using var serve = ServeProcess.Start(null, work.Path);
            using var http = serve.Client();
            await serve.WaitUntilHealthy(http);
            var server = probe.ReadyServer() ?? throw new InvalidOperationException("no embedded server running under " + probe.BaseDirectory + "\n" + serve.Output);

            EmbeddedClusterProbe.Signal(serve.Process, "TERM");

            await serve.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(serve.Process.ExitCode == 0, $"serve exit {serve.Process.ExitCode}\n{serve.Output}");
            probe.WaitUntilStopped(server, $"the embedded server (pid {server}) to stop after serve's SIGTERM\n{serve.Output}");
        }
        finally
        {
            probe.StopLeftover();
        }
    }

    [RootFact]
    public void A_normal_user_runs_the_embedded_cluster_as_themself_in_folders_only_they_can_enter()
    {
        using var work = new TempDir();
        using var user = OsUser.Create();
        var probe = new EmbeddedClusterProbe(work.Path);
        Assert.Equal(0, OsUser.Exec("chown", [user.Name, work.Path]).Exit);
        try
        {
            var (exit, output) = user.Run(work.Path, "env", "-u", "BILLING_DB", "-u", "BILLING_CONFIG", $"HOME={work.Path}",
                Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", BillingProcess.Dll, "db", "migrate");

            Assert.True(exit == 0, $"billing db migrate as {user.Name}: exit {exit}\n{output}");
            Assert.Contains("private: Unix socket only", output, StringComparison.Ordinal);
            var ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            Assert.Equal([ownerOnly, ownerOnly, ownerOnly],
                new[] { probe.BaseDirectory, Path.Combine(probe.BaseDirectory, "pg"), Path.Combine(probe.BaseDirectory, "run") }.Select(File.GetUnixFileMode));
            Assert.False(File.Exists(probe.PidFile), "the command stopped the server it started");
        }
        finally
        {
            probe.StopLeftover();
        }
    }
}
