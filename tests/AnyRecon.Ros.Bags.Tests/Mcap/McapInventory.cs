using System.Globalization;
using System.Text.RegularExpressions;

namespace AnyRecon.Ros.Bags.Tests.Mcap;

/// <summary>
/// The MCAP entries of a fixture suite's INVENTORY.txt (machine-made by the fixture author, independent of our reader):
/// per file the header, the time range, schemas and channels with message counts.
/// </summary>
internal sealed partial record McapInventory(
    string Profile,
    string Library,
    long StartTime,
    long EndTime,
    int MetadataCount,
    int AttachmentCount,
    IReadOnlyList<McapInventory.Schema> Schemas,
    IReadOnlyList<McapInventory.Channel> Channels)
{
    public sealed record Schema(int Id, string Name, string Encoding, int Bytes);

    public sealed record Channel(int Id, string Topic, string MessageEncoding, int SchemaId, int Count, string[] MetadataKeys);

    /// <summary>Finds the entry of <paramref name="mcapPath"/> in the INVENTORY.txt at <paramref name="suiteRoot"/>.</summary>
    public static McapInventory For(string suiteRoot, string mcapPath)
    {
        string relativeDir = Path.GetRelativePath(suiteRoot, Path.GetDirectoryName(mcapPath)!).Replace('\\', '/');
        string fileName = Path.GetFileName(mcapPath);
        string[] lines = File.ReadAllLines(Path.Combine(suiteRoot, "INVENTORY.txt"));
        int section = Array.FindIndex(lines, l => l.TrimEnd() == "## " + relativeDir);
        if (section < 0) throw new InvalidOperationException($"INVENTORY.txt has no section '## {relativeDir}'");
        int start = Array.FindIndex(lines, section + 1, l => l.StartsWith("  " + fileName + " (", StringComparison.Ordinal));
        if (start < 0) throw new InvalidOperationException($"INVENTORY.txt section {relativeDir} does not list {fileName}");

        string profile = "", library = "";
        long t0 = 0, t1 = 0;
        int metadata = 0, attachments = 0;
        var schemas = new List<Schema>();
        var channels = new List<Channel>();
        for (int i = start + 1; i < lines.Length && lines[i].StartsWith("    ", StringComparison.Ordinal); i++)
        {
            string line = lines[i].Trim();
            if (HeaderLine().Match(line) is { Success: true } h)
            {
                (profile, library) = (h.Groups[1].Value, h.Groups[2].Value);
                attachments = Int(h.Groups[3]);
                metadata = Int(h.Groups[4]);
                t0 = long.Parse(h.Groups[5].Value, CultureInfo.InvariantCulture);
                t1 = long.Parse(h.Groups[6].Value, CultureInfo.InvariantCulture);
            }
            else if (SchemaLine().Match(line) is { Success: true } s)
                schemas.Add(new Schema(Int(s.Groups[1]), s.Groups[2].Value, s.Groups[3].Value, Int(s.Groups[4])));
            else if (ChannelLine().Match(line) is { Success: true } c)
                channels.Add(new Channel(Int(c.Groups[1]), c.Groups[2].Value, c.Groups[3].Value, Int(c.Groups[4]), Int(c.Groups[5]),
                    QuotedWord().Matches(c.Groups[6].Value).Select(m => m.Groups[1].Value).ToArray()));
            else
                throw new InvalidOperationException("unexpected INVENTORY.txt line: " + line);
        }
        return new McapInventory(profile, library, t0, t1, metadata, attachments, schemas, channels);
    }

    private static int Int(Group g) => int.Parse(g.Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^profile/library=\('([^']*)', '([^']*)'\) chunks=\{.*\} attachments=(\d+) metadata=(\d+) t=\[(\d+),(\d+)\]$")]
    private static partial Regex HeaderLine();

    [GeneratedRegex(@"^schema (\d+): (\S+) enc=(\S*) \((\d+)B\)$")]
    private static partial Regex SchemaLine();

    [GeneratedRegex(@"^chan (\d+): (\S+) msgenc=(\S+) schema=(\d+) n=(\d+) meta_keys=\[(.*)\]$")]
    private static partial Regex ChannelLine();

    [GeneratedRegex(@"'([^']*)'")]
    private static partial Regex QuotedWord();
}
