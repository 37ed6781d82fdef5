namespace AnyRecon.Ros.Transport.Tests;

/// <summary>The DDS domain the transport tests use: its own id (so a robot's graph on domain 0 never sees them) over loopback.</summary>
internal static class DdsTestDomain
{
    public static uint Id { get; } = uint.TryParse(Environment.GetEnvironmentVariable("ANYRECON_TEST_DOMAIN_ID"), out var id) ? id : 77;

    public static string Configuration => CycloneConfiguration.Build(DiscoveryRange.Localhost, userUri: null);
}
