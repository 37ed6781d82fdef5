using System.Security;
using System.Text;

namespace AnyRecon.Ros.Transport;

/// <summary>How far discovery reaches (Jazzy's ROS_AUTOMATIC_DISCOVERY_RANGE; Humble's ROS_LOCALHOST_ONLY=1 is Localhost).</summary>
public enum DiscoveryRange { Subnet, Localhost, Off }

/// <summary>
/// The Cyclone configuration a node starts its domain with, as rmw_cyclonedds composes it: discovery range and static
/// peers from the ROS environment first, then our large-message defaults (socket buffers) unless the user set
/// <c>CYCLONEDDS_URI</c>, which is appended last so it overrides everything before it.
/// </summary>
public static class CycloneConfiguration
{
    /// <summary>Socket receive buffer we ask for: a 16 MB best-effort sample must fit while the reader catches up.
    /// The kernel caps it at net.core.rmem_max (see the README for the sysctl).</summary>
    public const string ReceiveBuffer = "32MB";

    public static DiscoveryRange RangeFromEnvironment()
    {
        string? range = Environment.GetEnvironmentVariable("ROS_AUTOMATIC_DISCOVERY_RANGE");
        if (!string.IsNullOrEmpty(range))
        {
            return range.Trim().ToUpperInvariant() switch
            {
                "LOCALHOST" => DiscoveryRange.Localhost,
                "OFF" => DiscoveryRange.Off,
                "SUBNET" or "SYSTEM_DEFAULT" => DiscoveryRange.Subnet,
                _ => throw new ArgumentException($"ROS_AUTOMATIC_DISCOVERY_RANGE='{range}' is not one of SUBNET, LOCALHOST, OFF, SYSTEM_DEFAULT"),
            };
        }
        return Environment.GetEnvironmentVariable("ROS_LOCALHOST_ONLY") == "1" ? DiscoveryRange.Localhost : DiscoveryRange.Subnet;
    }

    /// <summary>ROS_STATIC_PEERS: semicolon-separated hosts or addresses.</summary>
    public static IReadOnlyList<string> StaticPeersFromEnvironment() =>
        (Environment.GetEnvironmentVariable("ROS_STATIC_PEERS") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>ROS_DOMAIN_ID (unset or empty: 0; rcl accepts 0..232 for UDP port arithmetic).</summary>
    public static uint DomainIdFromEnvironment()
    {
        string? text = Environment.GetEnvironmentVariable("ROS_DOMAIN_ID");
        if (string.IsNullOrWhiteSpace(text)) return 0;
        if (!uint.TryParse(text.Trim(), out var id) || id > 232) throw new ArgumentException($"ROS_DOMAIN_ID='{text}' is not a domain id (0..232)");
        return id;
    }

    /// <summary>The configuration for this process's environment.</summary>
    public static string FromEnvironment() =>
        Build(RangeFromEnvironment(), Environment.GetEnvironmentVariable("CYCLONEDDS_URI"), StaticPeersFromEnvironment());

    public static string Build(DiscoveryRange range, string? userUri, IReadOnlyList<string>? staticPeers = null)
    {
        staticPeers ??= [];
        var xml = new StringBuilder("<CycloneDDS><Domain id=\"any\">");
        // On loopback (MTU 64 KiB) datagrams up to 64 KB are never IP-fragmented: large fragments cut a 16 MB sample
        // from 12,000 packets to 270. On a real network Cyclone's defaults (1,344-byte fragments) stay.
        if (range == DiscoveryRange.Localhost)
            xml.Append("<General><Interfaces><NetworkInterface address=\"127.0.0.1\"/></Interfaces><AllowMulticast>false</AllowMulticast>")
                .Append("<MaxMessageSize>65500B</MaxMessageSize><FragmentSize>62000B</FragmentSize></General>");
        else if (range == DiscoveryRange.Off)
            xml.Append("<General><AllowMulticast>false</AllowMulticast></General>");
        if (range == DiscoveryRange.Off)
        {
            // No automatic discovery at all: a tag only this process carries keeps every other participant out, and
            // static peers are ignored (as rmw does for OFF).
            xml.Append("<Discovery><ParticipantIndex>none</ParticipantIndex><Tag>ros_discovery_off_")
                .Append(Environment.ProcessId).Append("</Tag></Discovery>");
        }
        else if (range == DiscoveryRange.Localhost || staticPeers.Count > 0)
        {
            // Without multicast, participants find each other by unicast to the well-known ports of the first participant indices.
            xml.Append("<Discovery><ParticipantIndex>auto</ParticipantIndex><MaxAutoParticipantIndex>32</MaxAutoParticipantIndex><Peers>");
            if (range == DiscoveryRange.Localhost) xml.Append("<Peer address=\"127.0.0.1\"/>");
            foreach (var peer in staticPeers) xml.Append("<Peer address=\"").Append(SecurityElement.Escape(peer)).Append("\"/>");
            xml.Append("</Peers></Discovery>");
        }
        if (string.IsNullOrWhiteSpace(userUri))
            xml.Append("<Internal><SocketReceiveBufferSize min=\"default\" max=\"").Append(ReceiveBuffer).Append("\"/></Internal>");
        xml.Append("</Domain></CycloneDDS>");
        return string.IsNullOrWhiteSpace(userUri) ? xml.ToString() : xml + "," + userUri;
    }
}
