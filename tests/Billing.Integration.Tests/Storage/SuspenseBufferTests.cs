using Billing.Core.Mediation;
using Billing.Integration.Tests.Infrastructure;
using Billing.Storage;

namespace Billing.Integration.Tests.Storage;

public sealed class SuspenseBufferTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private string SpillFolder => _tmp.File("spill");

    [Fact]
    public void The_10001st_suspended_row_spills_to_a_file_that_has_no_name_while_open_and_all_10001_come_back_in_order()
    {
        using var buffer = new SuspenseBuffer(SpillFolder);
        for (var line = 1; line <= SuspenseBuffer.InMemoryLimit + 1; line++)
        {
            buffer.Add(new SuspendedRecord(line, $"raw {line}", "bad-number", "detail"));
        }

        var rows = buffer.Rows().ToList();

        Assert.Equal(10_001, buffer.Count);
        Assert.Equal(Enumerable.Range(1, 10_001).Select(i => (long)i), rows.Select(r => r.LineNumber));
        Assert.Equal(new SuspendedRecord(10_001, "raw 10001", "bad-number", "detail"), rows[^1]);
        Assert.True(Directory.Exists(SpillFolder));
        Assert.Empty(Directory.EnumerateFileSystemEntries(SpillFolder));
    }

    [Fact]
    public void Rows_of_64_KiB_spill_once_those_in_memory_hold_16_MiB_so_128_of_200_stay_in_memory_and_all_200_come_back_in_order()
    {
        using var buffer = new SuspenseBuffer(SpillFolder);
        var raw = new string('x', 65_536); // 128 KiB as .NET holds it
        for (var line = 1; line <= 200; line++)
        {
            buffer.Add(new SuspendedRecord(line, raw, "record-too-long", ""));
        }

        var rows = buffer.Rows().ToList();

        Assert.Equal((200L, 128), (buffer.Count, buffer.InMemoryRows));
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), rows.Select(r => r.LineNumber));
        Assert.All(rows, r => Assert.Equal(raw, r.RawLine));
    }

    [Fact]
    public void A_sweep_deletes_the_spill_files_left_in_the_folder_and_nothing_else()
    {
        Directory.CreateDirectory(SpillFolder);
        File.WriteAllText(Path.Combine(SpillFolder, "suspense-123-abc.spill"), "left by a crash");
        File.WriteAllText(Path.Combine(SpillFolder, "suspense-456-def.spill"), "left by a crash");
        File.WriteAllText(Path.Combine(SpillFolder, "notes.txt"), "someone else's");

        var swept = SuspenseBuffer.Sweep(SpillFolder);

        Assert.Equal(2, swept);
        Assert.Equal(["notes.txt"], Directory.EnumerateFiles(SpillFolder).Select(Path.GetFileName));
        Assert.Equal(0, SuspenseBuffer.Sweep(_tmp.File("never-made")));
    }
}
