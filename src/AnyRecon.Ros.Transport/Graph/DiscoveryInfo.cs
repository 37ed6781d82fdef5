using System.Text;
using AnyRecon.Ros.Messages.Cdr;

namespace AnyRecon.Ros.Transport;

/// <summary>The ROS 2 distribution whose wire details we follow (Gid size on ros_discovery_info).</summary>
public enum RosDistro { Humble, Jazzy }

/// <summary>A node as <c>ros2 node list</c>/<c>ros2 node info</c> see it: namespace, name and its endpoints' gids.</summary>
public sealed record NodeEntities(string Namespace, string Name, IReadOnlyList<byte[]> ReaderGids, IReadOnlyList<byte[]> WriterGids);

/// <summary>
/// Graph presence for ROS 2 tools: the <c>ros_discovery_info</c> sample (rmw_dds_common/ParticipantEntitiesInfo: the
/// participant's gid and each node's namespace, name, reader gids and writer gids) and the USER_DATA strings
/// rmw_cyclonedds puts on participants (<c>enclave=/;</c>) and endpoints (<c>typehash=RIHS01_…;</c>). A Gid is the
/// 16-byte DDS GUID, padded with zeros to 24 bytes on Humble (<c>char[24]</c>) and not on Jazzy (<c>char[16]</c>).
/// </summary>
public static class DiscoveryInfo
{
    /// <summary>The DDS topic (no rt/ prefix) and type ros2cli reads.</summary>
    public const string Topic = "ros_discovery_info";

    public const string DdsTypeName = "rmw_dds_common::msg::dds_::ParticipantEntitiesInfo_";

    public const int GuidSize = 16;

    private static readonly byte[] s_zeros = new byte[8];

    /// <summary><c>ROS_DISTRO</c> = humble picks Humble's layout; anything else (or unset) Jazzy's.</summary>
    public static RosDistro DistroFromEnvironment() =>
        string.Equals(Environment.GetEnvironmentVariable("ROS_DISTRO"), "humble", StringComparison.OrdinalIgnoreCase) ? RosDistro.Humble : RosDistro.Jazzy;

    public static int GidSize(RosDistro distro) => distro == RosDistro.Humble ? 24 : 16;

    public static byte[] Encode(ReadOnlySpan<byte> participantGuid, IReadOnlyList<NodeEntities> nodes, RosDistro distro)
    {
        if (participantGuid.Length != GuidSize) throw new ArgumentException($"a DDS GUID has {GuidSize} bytes, got {participantGuid.Length}", nameof(participantGuid));
        int gid = GidSize(distro);
        int size = 4 + gid + 4;
        foreach (var node in nodes)
        {
            if (node.Namespace.Length > 256 || node.Name.Length > 256) throw new ArgumentException($"node '{node.Namespace}/{node.Name}': names are bounded to 256 characters");
            size += 8 + Encoding.UTF8.GetByteCount(node.Namespace) + 1 + 8 + Encoding.UTF8.GetByteCount(node.Name) + 1 + 8 + (node.ReaderGids.Count + node.WriterGids.Count) * gid + 8;
        }
        var buffer = new byte[size];
        var writer = new CdrWriter(buffer);
        WriteGid(ref writer, participantGuid, gid);
        writer.WriteSequenceLength(nodes.Count);
        foreach (var node in nodes)
        {
            writer.WriteString(node.Namespace);
            writer.WriteString(node.Name);
            writer.WriteSequenceLength(node.ReaderGids.Count);
            foreach (var g in node.ReaderGids) WriteGid(ref writer, g, gid);
            writer.WriteSequenceLength(node.WriterGids.Count);
            foreach (var g in node.WriterGids) WriteGid(ref writer, g, gid);
        }
        return buffer[..writer.Position];
    }

    public static (byte[] ParticipantGid, List<NodeEntities> Nodes) Decode(ReadOnlySpan<byte> cdr, RosDistro distro)
    {
        int gid = GidSize(distro);
        var reader = new CdrReader(cdr);
        var participant = ReadGid(ref reader, gid);
        int count = reader.ReadSequenceLength(8 + 8 + 8);
        var nodes = new List<NodeEntities>(count);
        for (int i = 0; i < count; i++)
        {
            string ns = reader.ReadString(256), name = reader.ReadString(256);
            var readers = new List<byte[]>();
            int n = reader.ReadSequenceLength(gid);
            for (int j = 0; j < n; j++) readers.Add(ReadGid(ref reader, gid));
            var writers = new List<byte[]>();
            n = reader.ReadSequenceLength(gid);
            for (int j = 0; j < n; j++) writers.Add(ReadGid(ref reader, gid));
            nodes.Add(new NodeEntities(ns, name, readers, writers));
        }
        return (participant, nodes);
    }

    /// <summary>USER_DATA of a ROS 2 participant.</summary>
    public static byte[] ParticipantUserData(string enclave = "/") => Encoding.ASCII.GetBytes($"enclave={enclave};");

    /// <summary>USER_DATA of a Jazzy endpoint: the REP 2011 hash of its type.</summary>
    public static byte[] EndpointUserData(string typeHash)
    {
        if (!typeHash.StartsWith("RIHS01_", StringComparison.Ordinal) || typeHash.Length != 7 + 64) throw new ArgumentException($"'{typeHash}' is not a RIHS01 type hash", nameof(typeHash));
        return Encoding.ASCII.GetBytes($"typehash={typeHash};");
    }

    private static void WriteGid(ref CdrWriter writer, ReadOnlySpan<byte> guid, int gid)
    {
        if (guid.Length is not (GuidSize or 24)) throw new ArgumentException($"a gid has {GuidSize} (or 24) bytes, got {guid.Length}");
        writer.WriteRaw(guid[..GuidSize]);
        writer.WriteRaw(s_zeros.AsSpan(0, gid - GuidSize));
    }

    private static byte[] ReadGid(ref CdrReader reader, int gid)
    {
        var bytes = new byte[gid];
        reader.ReadPrimitives<byte>(bytes);
        return bytes[..GuidSize];
    }
}
