using System.Buffers.Binary;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AnyRecon.Ros.Bags;

/// <summary>
/// Opens .db3 files without ever writing next to them, and turns sqlite errors into <see cref="BagFormatException"/>s.
/// A database whose -wal file holds data is copied (with its WAL) to a temporary folder first, because reading a WAL
/// needs a -shm file that sqlite would otherwise create beside the original; every other file opens as an immutable URI.
/// </summary>
internal static class SqliteFile
{
    private const int HeaderSize = 100;
    private static readonly byte[] s_magic = "SQLite format 3\0"u8.ToArray();

    /// <summary>Opens <paramref name="path"/> read-only. <paramref name="tempCopyDirectory"/> is set when a WAL forced a copy; delete it after closing.</summary>
    public static SqliteConnection OpenReadOnly(string path, out string? tempCopyDirectory)
    {
        tempCopyDirectory = null;
        var header = ReadHeader(path);
        string openPath = path;
        bool immutable = true;
        string wal = path + "-wal";
        if (header.IsWal && File.Exists(wal) && new FileInfo(wal).Length > 0)
        {
            tempCopyDirectory = Path.Combine(Path.GetTempPath(), "anyrecon-db3-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(tempCopyDirectory);
            openPath = Path.Combine(tempCopyDirectory, Path.GetFileName(path));
            File.Copy(path, openPath);
            File.Copy(wal, openPath + "-wal");
            immutable = false;
        }
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = immutable ? ToImmutableUri(openPath) : openPath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        };
        var connection = new SqliteConnection(builder.ConnectionString);
        try
        {
            connection.Open();
            // Readers walk the timestamp index front to back; a small page cache is enough and keeps many open split files cheap.
            Execute(connection, "PRAGMA cache_size=-1024;");
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            if (tempCopyDirectory is not null) TryDeleteDirectory(tempCopyDirectory);
            throw Wrap(path, e);
        }
        return connection;
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>sqlite URIs treat '?', '#' and '%' specially; everything else passes through.</summary>
    private static string ToImmutableUri(string path)
    {
        string full = Path.GetFullPath(path).Replace("%", "%25").Replace("?", "%3f").Replace("#", "%23");
        return "file:" + full + "?immutable=1";
    }

    public readonly record struct Header(int PageSize, long DeclaredPages, bool DeclaredPagesValid, bool IsWal);

    /// <summary>Checks the 100-byte header up front so a non-database fails with offset 0 instead of a vague sqlite message.</summary>
    public static Header ReadHeader(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length == 0) throw new BagFormatException(path, 0, "file is empty (0 bytes), not an sqlite3 database");
        Span<byte> header = stackalloc byte[HeaderSize];
        int read = stream.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false);
        if (read < HeaderSize)
            throw new BagFormatException(path, read, $"file is {read} bytes, shorter than the {HeaderSize}-byte sqlite3 header");
        if (!header[..s_magic.Length].SequenceEqual(s_magic))
            throw new BagFormatException(path, 0, "not an sqlite3 database (header magic 'SQLite format 3' missing)");
        int pageSize = BinaryPrimitives.ReadUInt16BigEndian(header[16..]);
        if (pageSize == 1) pageSize = 65536;
        if (pageSize < 512 || (pageSize & (pageSize - 1)) != 0)
            throw new BagFormatException(path, 16, $"sqlite3 header declares an invalid page size {pageSize}");
        uint changeCounter = BinaryPrimitives.ReadUInt32BigEndian(header[24..]);
        uint pages = BinaryPrimitives.ReadUInt32BigEndian(header[28..]);
        uint validFor = BinaryPrimitives.ReadUInt32BigEndian(header[92..]);
        bool isWal = header[18] == 2 || header[19] == 2;
        return new Header(pageSize, pages, pages != 0 && changeCounter == validFor, isWal);
    }

    /// <summary>Where a truncated file ends, when its header declares more pages than it holds; else -1.</summary>
    public static long FindTruncation(string path)
    {
        try
        {
            var header = ReadHeader(path);
            long length = new FileInfo(path).Length;
            if (header.DeclaredPagesValid && !header.IsWal && length < header.DeclaredPages * header.PageSize) return length;
            if (length % header.PageSize != 0) return length - length % header.PageSize;
        }
        catch (Exception e) when (e is IOException or BagFormatException or UnauthorizedAccessException)
        {
            // The header problem is reported elsewhere; here we only look for an offset.
        }
        return -1;
    }

    public static BagFormatException Wrap(string path, SqliteException e)
    {
        long offset = e.SqliteErrorCode == raw.SQLITE_NOTADB ? 0 : FindTruncation(path);
        string where = offset > 0 ? " (the file ends early: its header declares more pages than it holds)" : "";
        return new BagFormatException(path, offset, $"sqlite3 error {e.SqliteErrorCode}: {e.Message}{where}", e);
    }

    public static BagFormatException Error(string path, sqlite3 db, int rc, string what)
    {
        string message = raw.sqlite3_errmsg(db).utf8_to_string() ?? raw.sqlite3_errstr(rc).utf8_to_string() ?? "unknown error";
        int primary = rc & 0xFF;
        long offset = primary == raw.SQLITE_NOTADB ? 0 : FindTruncation(path);
        string where = offset > 0 ? " (the file ends early: its header declares more pages than it holds)" : "";
        return new BagFormatException(path, offset, $"sqlite3 error {rc} while {what}: {message}{where}");
    }

    public static void TryDeleteDirectory(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary copy we could not remove is left for the OS temp cleaner; it must not mask the real outcome.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
