using System.Security.Cryptography;
using Billing.Core.Documents;
using Billing.Documents;

namespace Billing.Core.Tests.Documents;

public sealed class DocumentFolderTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "billing-docfolder-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_written_invoice_is_readable_by_its_owner_only_and_replaces_the_old_file_whole()
    {
        var folder = new DocumentFolder(_root);

        folder.Write(DocumentKind.Invoice, "INV-2026-000001", [1, 2, 3]);
        var written = folder.Write(DocumentKind.Invoice, "INV-2026-000001", "%PDF-1.7"u8.ToArray());

        Assert.Equal(Path.Combine(_root, "invoices", "INV-2026-000001.pdf"), written.Path);
        Assert.Equal("%PDF-1.7"u8.ToArray(), File.ReadAllBytes(written.Path));
        Assert.Equal((8L, Convert.ToHexStringLower(SHA256.HashData("%PDF-1.7"u8.ToArray()))), (written.SizeBytes, written.Sha256));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(written.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(_root, "invoices")));
        Assert.Single(Directory.GetFiles(Path.Combine(_root, "invoices")));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_temporary_file_this_thread_left_when_its_rename_failed_is_replaced_whole_by_the_next_write_owner_only()
    {
        var folder = new DocumentFolder(_root);
        folder.Write(DocumentKind.Invoice, "INV-2026-000001", [1]);
        var path = folder.PathOf(DocumentKind.Invoice, "INV-2026-000002");
        // What a failed rename leaves: this thread's temporary name, longer than the next file and readable by anyone.
        var temp = DocumentFolder.TemporaryPath(path, Environment.ProcessId, Environment.CurrentManagedThreadId);
        File.WriteAllBytes(temp, new byte[100]);
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var written = folder.Write(DocumentKind.Invoice, "INV-2026-000002", "%PDF-1.7"u8.ToArray());

        Assert.Equal("%PDF-1.7"u8.ToArray(), File.ReadAllBytes(written.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(written.Path));
        Assert.False(File.Exists(temp));
    }

    [Fact]
    public void Writers_that_start_at_once_on_a_store_without_its_folders_all_write_their_files()
    {
        // Each writer's first open finds no folder; whichever makes it first, the others' opens fail with ENOENT, which .NET
        // reports as FileNotFound rather than DirectoryNotFound when the folder exists by the time it looks. Many fresh
        // stores, four writers each released together, so that the interleaving happens.
        const int Writers = 4;
        for (var store = 0; store < 100; store++)
        {
            var folder = new DocumentFolder(Path.Combine(_root, $"store-{store}"));
            using var start = new Barrier(Writers);
            var written = new string[Writers];
            Parallel.For(0, Writers, new ParallelOptions { MaxDegreeOfParallelism = Writers }, w =>
            {
                start.SignalAndWait();
                written[w] = folder.Write(DocumentKind.Invoice, $"INV-2026-{w + 1:000000}", [(byte)w]).Path;
            });

            Assert.All(written, (path, w) => Assert.Equal([(byte)w], File.ReadAllBytes(path)));
        }
    }

    [Fact]
    public void A_store_whose_folders_were_removed_after_its_first_file_makes_them_again_on_the_next_write()
    {
        var folder = new DocumentFolder(_root);
        folder.Write(DocumentKind.Invoice, "INV-2026-000001", [1, 2, 3]);
        Directory.Delete(_root, recursive: true);

        var written = folder.Write(DocumentKind.CreditNote, "CN-2026-000001", [4, 5]);

        Assert.Equal(Path.Combine(_root, "credit-notes", "CN-2026-000001.pdf"), written.Path);
        Assert.Equal([4, 5], File.ReadAllBytes(written.Path));
    }

    [Fact]
    public void A_temporary_file_left_by_a_writer_that_is_gone_is_swept_and_one_of_a_running_writer_stays()
    {
        var folder = new DocumentFolder(_root);
        folder.Write(DocumentKind.Invoice, "INV-2026-000001", [1, 2, 3]);
        var invoices = Path.Combine(_root, "invoices");
        var gone = DocumentFolder.TemporaryPath(Path.Combine(invoices, "INV-2026-000002.pdf"), 2147483646, 9); // above Linux's pid_max: no such process
        var goneBeforeHosts = Path.Combine(invoices, "INV-2026-000004.pdf.2147483646.9.tmp"); // the name without a host: this machine's
        var running = DocumentFolder.TemporaryPath(Path.Combine(invoices, "INV-2026-000003.pdf"), Environment.ProcessId, 9);
        File.WriteAllBytes(gone, [1]);
        File.WriteAllBytes(goneBeforeHosts, [1]);
        File.WriteAllBytes(running, [1]);

        Assert.Equal(2, folder.SweepTemporary());

        Assert.Equal(["INV-2026-000001.pdf", Path.GetFileName(running)], Directory.GetFiles(invoices).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_temporary_file_of_another_machine_sharing_the_store_stays_whatever_its_process_id_says_here()
    {
        var folder = new DocumentFolder(_root);
        folder.Write(DocumentKind.Invoice, "INV-2026-000001", [1, 2, 3]);
        var invoices = Path.Combine(_root, "invoices");
        // A writer on another machine at work now: its process id means nothing here (here no such process runs).
        var other = DocumentFolder.Host == "billing-2" ? "billing-3" : "billing-2";
        var elsewhere = Path.Combine(invoices, $"INV-2026-000002.pdf.{other}.2147483646.9.tmp");
        File.WriteAllBytes(elsewhere, [1]);

        Assert.Equal(0, folder.SweepTemporary());

        Assert.True(File.Exists(elsewhere));
    }

    [Fact]
    public void A_sweep_of_letters_only_leaves_the_invoices_folder_alone()
    {
        var folder = new DocumentFolder(_root);
        folder.Write(DocumentKind.Invoice, "INV-2026-000001", [1]);
        folder.Write(DocumentKind.Letter, "INV-2026-000001.final-notice", [2]);
        var invoice = DocumentFolder.TemporaryPath(folder.PathOf(DocumentKind.Invoice, "INV-2026-000002"), 2147483646, 9); // no such process
        var letter = DocumentFolder.TemporaryPath(folder.PathOf(DocumentKind.Letter, "INV-2026-000002.final-notice"), 2147483646, 9);
        File.WriteAllBytes(invoice, [1]);
        File.WriteAllBytes(letter, [1]);

        Assert.Equal(1, folder.SweepTemporary([DocumentKind.Letter]));

        Assert.Equal((true, false), (File.Exists(invoice), File.Exists(letter)));
    }
}
