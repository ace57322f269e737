using Billing.Integration.Tests.Infrastructure;
using Billing.Storage;
using Dapper;
using Npgsql;

namespace Billing.Integration.Tests.Storage;

/// <summary>The embedded cluster's privacy where it is set up: the settings it starts with, whatever state it finds.</summary>
public sealed class EmbeddedPostgresTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [Fact]
    public void A_cluster_an_earlier_version_left_listening_on_TCP_with_trust_is_restarted_with_no_TCP_and_no_host_rule()
    {
        using var work = new TempDir();
        var probe = new EmbeddedClusterProbe(work.Path);
        var dir = probe.BaseDirectory;
        EmbeddedPostgres.Start(dir, throwaway: true).Stop(force: true);

        // What an earlier version did: TCP on loopback, trusted.
        var data = Path.Combine(dir, "pg");
        File.AppendAllText(Path.Combine(data, "pg_hba.conf"), "host all all 127.0.0.1/32 trust\n");
        var port = ServeProcess.FreePort();
        var (code, output) = AsServerUser(EmbeddedPostgres.FindBinaries(), "pg_ctl",
            ["-D", data, "-l", Path.Combine(dir, "run", "postgres.log"), "-s", "-w", "-o", $"-c listen_addresses=127.0.0.1 -p {port} -k {Path.Combine(dir, "run")}", "start"]);
        Assert.True(code == 0, output);
        try
        {
            using var pg = EmbeddedPostgres.Start(dir, throwaway: true);
            using var conn = new NpgsqlConnection(pg.ConnectionString("postgres"));
            conn.Open();

            Assert.Equal("", conn.ExecuteScalar<string>("SHOW listen_addresses"));
            Assert.Equal(0, conn.ExecuteScalar<long>("SELECT count(*) FROM pg_hba_file_rules WHERE type <> 'local'"));
            Assert.Throws<NpgsqlException>(() =>
            {
                using var tcp = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Timeout=5;Pooling=false");
                tcp.Open();
            });
            conn.Close();
            pg.Stop(force: true);
        }
        finally
        {
            probe.StopLeftover();
        }
    }

    [Fact]
    public void A_state_folder_too_deep_for_a_socket_path_gets_its_socket_in_a_private_temp_folder_removed_at_stop()
    {
        using var work = new TempDir();
        var dir = Path.Combine(work.Path, new string('d', 60), new string('e', 40), "postgres");
        string socketFolder;
        using (var pg = EmbeddedPostgres.Start(dir, throwaway: true))
        {
            socketFolder = pg.SocketDirectory;
            Assert.StartsWith(Path.GetTempPath(), socketFolder, StringComparison.Ordinal);
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(socketFolder));
            using var conn = new NpgsqlConnection(pg.ConnectionString("postgres"));
            conn.Open();
            Assert.Equal(1, conn.ExecuteScalar<int>("SELECT 1"));
        }

        Assert.False(Directory.Exists(socketFolder), $"{socketFolder} removed when the server stopped");
    }

    [Fact]
    public void A_second_process_using_the_cluster_keeps_it_running_when_the_one_that_started_it_lets_go()
    {
        using var work = new TempDir();
        var probe = new EmbeddedClusterProbe(work.Path);
        using var first = EmbeddedPostgres.Start(probe.BaseDirectory, throwaway: true);
        try
        {
            // The same base folder, used by a billing command in another process at the same time.
            using var command = BlockedCommand.Start(work.Path);
            var server = probe.ReadyServer() ?? throw new InvalidOperationException("no server");

            first.Stop();
            Assert.True(EmbeddedClusterProbe.IsAlive(server), "the server another process uses keeps running");

            EmbeddedClusterProbe.Signal(command.Process, "TERM");
            command.WaitForExit();
            probe.WaitUntilStopped(server, "the last user of the server to stop it");
        }
        finally
        {
            probe.StopLeftover();
        }
    }

    private static (int Code, string Output) AsServerUser(string bin, string tool, string[] args) =>
        Environment.IsPrivilegedProcess
            ? OsUser.Exec("runuser", ["-u", "postgres", "--", Path.Combine(bin, tool), .. args])
            : OsUser.Exec(Path.Combine(bin, tool), args);
}
