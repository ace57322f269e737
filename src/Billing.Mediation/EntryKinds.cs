using System.Runtime.InteropServices;
using System.Text;

namespace Billing.Mediation;

/// <summary>What a name in the drop folder is, as lstat(2) sees it: the entry itself, never what a link points to.</summary>
public enum EntryKind
{
    RegularFile,
    Directory,
    SymbolicLink,
    Fifo,
    Socket,
    CharacterDevice,
    BlockDevice,
    Unknown,
}

/// <summary>
/// Tells the kind of a directory entry without opening it or following it. Opening a FIFO waits for a
/// writer, reading a link to /dev/zero never ends, and a link can lead out of the drop folder: only
/// regular files are read. .NET has no public API for an entry's file type, so on Unix this asks the
/// runtime's own lstat shim (libSystem.Native, the one <see cref="FileSystemInfo"/> uses), whose result
/// has the same layout on every architecture.
/// </summary>
public static class EntryKinds
{
    private const int TypeMask = 0xF000;

    /// <summary>The entry's kind, or null when there is no entry by that name (any more).</summary>
    public static EntryKind? Of(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!OperatingSystem.IsWindows())
        {
            try
            {
                var name = Encoding.UTF8.GetBytes(path + "\0");
                return NativeMethods.LStat(name, out var status) != 0 ? null : (status.Mode & TypeMask) switch
                {
                    0x8000 => EntryKind.RegularFile,
                    0x4000 => EntryKind.Directory,
                    0xA000 => EntryKind.SymbolicLink,
                    0x1000 => EntryKind.Fifo,
                    0xC000 => EntryKind.Socket,
                    0x2000 => EntryKind.CharacterDevice,
                    0x6000 => EntryKind.BlockDevice,
                    _ => EntryKind.Unknown,
                };
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // A runtime without the shim: what the public API can tell.
            }
        }

        var info = new FileInfo(path);
        return !info.Exists && !Directory.Exists(path) && info.LinkTarget is null ? null
            : info.LinkTarget is not null ? EntryKind.SymbolicLink
            : info.Attributes.HasFlag(FileAttributes.Directory) ? EntryKind.Directory
            : EntryKind.RegularFile;
    }

    /// <summary>Words for an operator: "a FIFO (named pipe)".</summary>
    public static string Describe(EntryKind kind) => kind switch
    {
        EntryKind.RegularFile => "a regular file",
        EntryKind.Directory => "a directory",
        EntryKind.SymbolicLink => "a symbolic link",
        EntryKind.Fifo => "a FIFO (named pipe)",
        EntryKind.Socket => "a socket",
        EntryKind.CharacterDevice => "a character device",
        EntryKind.BlockDevice => "a block device",
        _ => "not a regular file",
    };

    private static class NativeMethods
    {
        /// <summary>SystemNative_LStat's FileStatus (pal_io.h): fixed-size fields, the same on every architecture.</summary>
        [StructLayout(LayoutKind.Sequential)]
        public struct FileStatus
        {
            public int Flags;
            public int Mode;
            public uint Uid;
            public uint Gid;
            public long Size;
            public long ATime;
            public long ATimeNsec;
            public long MTime;
            public long MTimeNsec;
            public long CTime;
            public long CTimeNsec;
            public long BirthTime;
            public long BirthTimeNsec;
            public long Dev;
            public long RDev;
            public long Ino;
            public uint UserFlags;
        }

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int LStat(byte[] path, out FileStatus status);
    }
}
