using System.Diagnostics;
using System.Net.Sockets;
using Billing.Mediation;

namespace Billing.Core.Tests.Mediation;

public sealed class DropFolderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("drop-folder-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("Master-20261102.csv", "Master-20261102.csv")]
    [InlineData("évènement ünïcode.csv", "évènement ünïcode.csv")]
    [InlineData("evil\u001b[31mred.csv", @"evil\x1b[31mred.csv")]
    [InlineData("two\nlines.csv", @"two\x0alines.csv")]
    [InlineData("bell\u0007\r.csv", @"bell\x07\x0d.csv")]
    [InlineData("c1\u009b.csv", @"c1\x9b.csv")]
    [InlineData("\u202Evsc.exe", @"\u202evsc.exe")]
    [InlineData(@"back\slash", @"back\\slash")]
    public void A_file_name_is_printed_with_control_and_format_characters_escaped(string name, string printed) =>
        Assert.Equal(printed, DropFolder.Printable(name));

    [Fact]
    public void Entry_kinds_are_told_without_opening_or_following_the_entry()
    {
        var file = Path.Combine(_folder, "file.csv");
        File.WriteAllText(file, "x");
        Directory.CreateDirectory(Path.Combine(_folder, "dir"));
        File.CreateSymbolicLink(Path.Combine(_folder, "link-to-file"), file);
        File.CreateSymbolicLink(Path.Combine(_folder, "link-to-dir"), Path.Combine(_folder, "dir"));
        File.CreateSymbolicLink(Path.Combine(_folder, "dangling"), Path.Combine(_folder, "nowhere"));
        using (var mkfifo = Process.Start("mkfifo", [Path.Combine(_folder, "fifo")]))
        {
            mkfifo.WaitForExit();
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(_folder, "socket")));

        Assert.Equal(
            [
                ("dangling", EntryKind.SymbolicLink), ("dir", EntryKind.Directory), ("fifo", EntryKind.Fifo), ("file.csv", EntryKind.RegularFile),
                ("link-to-dir", EntryKind.SymbolicLink), ("link-to-file", EntryKind.SymbolicLink), ("socket", EntryKind.Socket),
            ],
            Directory.EnumerateFileSystemEntries(_folder).Order(StringComparer.Ordinal).Select(p => (Path.GetFileName(p), EntryKinds.Of(p))));
        Assert.Equal(EntryKind.CharacterDevice, EntryKinds.Of("/dev/null"));
        Assert.Null(EntryKinds.Of(Path.Combine(_folder, "nowhere")));
    }

    [Fact]
    public void A_file_named_like_an_earlier_archived_files_manifest_keeps_that_file_and_gets_a_manifest_of_its_own()
    {
        var drop = new DropFolder(_folder);
        Archive(drop, "canonical", "calls.manifest.json", "first drop's records", 7);

        var archived = Archive(drop, "canonical", "calls", "second drop's records", 8);

        var archive = Path.Combine(_folder, "archive", "canonical");
        Assert.Equal("first drop's records", File.ReadAllText(Path.Combine(archive, "calls.manifest.json")));
        Assert.Equal(Path.Combine(archive, "calls.8"), archived);
        Assert.Equal(("second drop's records", "#8"), (File.ReadAllText(archived), File.ReadAllText(archived + ".manifest.json")));
    }

    [Fact]
    public void A_file_named_like_an_earlier_archived_files_numbered_name_keeps_that_file()
    {
        var drop = new DropFolder(_folder);
        Archive(drop, "asterisk", "Master.csv.9", "rotated copy", 3);
        Archive(drop, "asterisk", "Master.csv", "first Master.csv", 4);

        var archived = Archive(drop, "asterisk", "Master.csv", "second Master.csv", 9);

        var kept = Path.Combine(_folder, "archive", "asterisk", "Master.csv.9");
        Assert.Equal(("rotated copy", "#3"), (File.ReadAllText(kept), File.ReadAllText(kept + ".manifest.json")));
        Assert.Equal(("second Master.csv", "#9"), (File.ReadAllText(archived), File.ReadAllText(archived + ".manifest.json")));
    }

    /// <summary>Drops a file into incoming/ and archives it with "#id" as its manifest; returns where it went.</summary>
    private static string Archive(DropFolder drop, string source, string name, string content, long id)
    {
        Directory.CreateDirectory(drop.Incoming(source));
        File.WriteAllText(drop.IncomingFile(source, name), content);
        return drop.Archive(source, name, id, $"#{id}")!;
    }

    [Fact]
    public void A_missing_drop_folder_is_a_problem_and_is_not_created_unless_asked()
    {
        var drop = new DropFolder(Path.Combine(_folder, "drop"));

        Assert.StartsWith($"the drop folder {drop.Root} does not exist", drop.Problem(create: false), StringComparison.Ordinal);
        Assert.False(Directory.Exists(drop.Root));
        Assert.Null(drop.Problem(create: true));
        Assert.True(Directory.Exists(Path.Combine(drop.Root, "incoming")));
    }

    [Fact]
    public void A_file_or_a_device_given_as_drop_folder_is_a_problem_even_with_create()
    {
        var file = Path.Combine(_folder, "file");
        File.WriteAllText(file, "x");

        Assert.Equal($"the drop folder {file} is a regular file, not a folder", new DropFolder(file).Problem(create: true));
        Assert.Equal("the drop folder /dev/null is a character device, not a folder", new DropFolder("/dev/null").Problem(create: true));
    }
}
