using System.Globalization;
using System.Text.RegularExpressions;

namespace AnyRecon.Ros.Bags;

/// <summary>One storage file of a bag as the reader sees it.</summary>
internal sealed class BagFile(int index, string relativePath, string fullPath, string storageId)
{
    /// <summary>Split order (0 = first file).</summary>
    public int Index { get; } = index;

    /// <summary>As written in metadata.yaml (or the file name when derived).</summary>
    public string RelativePath { get; } = relativePath;

    public string FullPath { get; } = fullPath;

    public string StorageId { get; } = storageId;

    /// <summary>True for <c>*.zstd</c> files, which are decompressed to a temporary file before reading.</summary>
    public bool IsFileCompressed => FullPath.EndsWith(BagCompression.ZstdExtension, StringComparison.OrdinalIgnoreCase);

    /// <summary>Known message count and time range, filled by a probe or taken from metadata's files section.</summary>
    public (long Count, long Start, long End)? Range { get; set; }
}

/// <summary>Finds a bag's storage files: from metadata.yaml, from a directory listing (as <c>ros2 bag reindex</c>), or a single file.</summary>
internal static partial class BagFileSet
{
    // rosbag2 names split files <bag>_<index>.<ext>; FILE compression appends .zstd.
    [GeneratedRegex(@"^(?<prefix>.+)_(?<index>\d+)\.(?<ext>db3|mcap)(\.zstd)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SplitFileName();

    /// <summary>Resolves metadata's relative paths; rosbag2 before version 4 prefixed them with the bag folder's name.</summary>
    public static List<BagFile> FromMetadata(string bagDirectory, BagMetadata metadata, string metadataPath)
    {
        if (metadata.RelativeFilePaths.Count == 0)
            throw new BagFormatException(metadataPath, -1, "relative_file_paths is empty: the metadata names no storage file");
        var files = new List<BagFile>(metadata.RelativeFilePaths.Count);
        for (int i = 0; i < metadata.RelativeFilePaths.Count; i++)
        {
            string relative = metadata.RelativeFilePaths[i];
            string primary = Path.GetFullPath(Path.Combine(bagDirectory, relative));
            string? found = new[]
            {
                primary,
                Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(bagDirectory)) ?? bagDirectory, relative)),
                Path.GetFullPath(Path.Combine(bagDirectory, Path.GetFileName(relative))),
            }.FirstOrDefault(File.Exists);
            if (found is null)
                throw new BagFormatException(primary, -1, $"storage file {i} listed in {metadataPath} is missing");
            string storageId = StorageFactory.StorageIdForPath(found) ?? metadata.StorageIdentifier;
            files.Add(new BagFile(i, relative, found, storageId));
        }
        if (metadata.Files.Count == files.Count)
        {
            // files[] lists the same files in the same order (with the uncompressed name in FILE mode). Only compressed
            // files take their range from it, to spare a decompression; plain files are probed, which is cheap and exact.
            for (int i = 0; i < files.Count; i++)
            {
                var info = metadata.Files[i];
                if (files[i].IsFileCompressed)
                    files[i].Range = (info.MessageCount, info.StartingTimeNs, info.MessageCount == 0 ? info.StartingTimeNs : info.StartingTimeNs + info.DurationNs);
            }
        }
        return files;
    }

    public static List<BagFile> SingleFile(string path)
    {
        string full = Path.GetFullPath(path);
        string storageId = StorageFactory.StorageIdForPath(full)
            ?? throw new NotSupportedException($"{full}: unknown storage file extension (expected .db3, .mcap, optionally with .zstd)");
        return [new BagFile(0, Path.GetFileName(full), full, storageId)];
    }

    /// <summary>The split files of a folder without metadata.yaml, in split order.</summary>
    public static List<BagFile> FromDirectory(string directory)
    {
        var candidates = Directory.EnumerateFiles(directory)
            .Where(f => StorageFactory.StorageIdForPath(f) is not null)
            .Select(Path.GetFullPath)
            .ToList();
        if (candidates.Count == 0)
            throw new BagFormatException(directory, -1, "no metadata.yaml and no .db3 or .mcap storage file in the folder");
        var storages = candidates.Select(f => StorageFactory.StorageIdForPath(f)!).Distinct().ToList();
        if (storages.Count > 1)
            throw new BagFormatException(directory, -1,
                $"no metadata.yaml and the folder holds files of several storages ({string.Join(", ", storages)}); open one file instead");

        var indexed = new List<(string Prefix, long Index, string Path)>();
        foreach (string file in candidates)
        {
            var match = SplitFileName().Match(Path.GetFileName(file));
            if (match.Success && long.TryParse(match.Groups["index"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out long index))
                indexed.Add((match.Groups["prefix"].Value, index, file));
        }
        List<string> ordered;
        if (indexed.Count > 0)
        {
            var prefixes = indexed.Select(f => f.Prefix).Distinct(StringComparer.Ordinal).ToList();
            if (prefixes.Count > 1)
                throw new BagFormatException(directory, -1,
                    $"no metadata.yaml and split files of several bags ({string.Join(", ", prefixes)}); open one file instead");
            var duplicate = indexed.GroupBy(f => f.Index).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
                throw new BagFormatException(directory, -1, $"split index {duplicate.Key} appears twice ({string.Join(", ", duplicate.Select(d => Path.GetFileName(d.Path)))})");
            ordered = indexed.OrderBy(f => f.Index).Select(f => f.Path).ToList();
        }
        else if (candidates.Count == 1)
        {
            ordered = candidates;
        }
        else
        {
            throw new BagFormatException(directory, -1,
                "no metadata.yaml and several storage files without a split index (<name>_<n>.<ext>); open one file instead");
        }
        return ordered.Select((f, i) => new BagFile(i, Path.GetFileName(f), f, storages[0])).ToList();
    }
}
