using AnyRecon.Ros.Tests;
using AnyRecon.Ros.Transport;
using Xunit;

namespace AnyRecon.Ros.Node.Tests;

/// <summary>config/anyrecon.yaml is the parameter table's defaults, and a node reads it back to the same options.</summary>
public sealed class NodeParametersTests
{
    [Fact]
    public void ConfigFileListsEveryParameterWithItsDefault()
    {
        string path = Path.Combine(Fixtures.RepoRoot, "config", "anyrecon.yaml");
        Assert.Equal(NodeParameters.DefaultParameterFile(), File.ReadAllText(path));
        var values = ParameterFile.Load(path, NodeOptions.DefaultNodeName, "/").ToDictionary(p => p.Name, p => p.Value);
        foreach (var parameter in NodeParameters.All) Assert.True(values.ContainsKey(parameter.Name), $"{parameter.Name} is missing from config/anyrecon.yaml");
        foreach (var (suffix, _) in NodeParameters.CameraParameters) Assert.True(values.ContainsKey($"camera.{suffix}"), $"camera.{suffix} is missing");
        Assert.True(values.ContainsKey(NodeParameters.CamerasParameter));
    }

    [Fact]
    public void DeclaringFromTheConfigFileGivesTheDefaultOptions()
    {
        string path = Path.Combine(Fixtures.RepoRoot, "config", "anyrecon.yaml");
        using var context = new RosContext(new RosContextOptions { DomainId = 230, CycloneConfiguration = CycloneConfiguration.Build(DiscoveryRange.Off, null) });
        using var node = new RosNode(context, NodeOptions.DefaultNodeName, RosArguments.Parse(["--ros-args", "--params-file", path, "-p", "voxel_size_m:=0.05", "-p", "cameras:=[front, back]", "-p", "back.depth_transport:=compressedDepth"]));
        var options = NodeParameters.Declare(node);
        var defaults = new NodeOptions();
        foreach (var parameter in NodeParameters.All.Where(p => p.Name != "voxel_size_m"))
            Assert.Equal(parameter.Get(defaults), parameter.Get(options));
        Assert.Equal(0.05, options.Mapping.Voxels.VoxelSizeMeters);
        Assert.Equal(["front", "back"], options.Cameras.Select(c => c.Name));
        Assert.Equal("/back/depth/image_rect_raw", options.Cameras[1].DepthTopic);
        Assert.Equal(ImageTransport.CompressedDepth, options.Cameras[1].DepthTransport);
        Assert.DoesNotContain(node.WarnUndeclaredParameters(), n => !n.StartsWith("camera.", StringComparison.Ordinal));
    }
}
