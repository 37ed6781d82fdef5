using System.Text.Json;
using AnyRecon.Ros.Tests;
using AnyRecon.Ros.Transport;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace AnyRecon.Ros.Node.Tests.Package;

/// <summary>
/// launch/*.py and config/anyrecon.rviz, checked without ROS 2: launch_probe.py evaluates a launch file against stub
/// launch/launch_ros modules (share directory = the repository, which has the same launch/ and config/ layout) and
/// reports the nodes and processes it would start, which must match the node's parameters and topics.
/// </summary>
public sealed class LaunchFilesTests
{
    private static readonly string s_repo = Fixtures.RepoRoot;
    private static readonly string s_probe = Path.Combine(s_repo, "tests", "AnyRecon.Ros.Node.Tests", "Package", "launch_probe.py");

    /// <summary>The topics the node publishes that a viewer shows (MapperNode/LiveOutputs, default node name).</summary>
    private static readonly string[] s_viewableTopics =
        [.. new[] { "points", "map_updates/points", "completed/image", "cache/frustums" }.Select(t => $"/{NodeOptions.DefaultNodeName}/{t}")];

    [Fact]
    public async Task EveryLaunchFile_Compiles()
    {
        string[] files = Directory.GetFiles(Path.Combine(s_repo, "launch"), "*.py");
        Assert.Contains(files, f => f.EndsWith("node.launch.py", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("replay.launch.py", StringComparison.Ordinal));
        using var temp = new TempDirectory();
        foreach (string file in files)
        {
            // PYTHONPYCACHEPREFIX keeps the .pyc out of launch/.
            (await ToolProcess.RunAsync(ToolProcess.Require(ToolProcess.Python), ["-m", "py_compile", file],
                environment: new Dictionary<string, string> { ["PYTHONPYCACHEPREFIX"] = temp.Path })).Succeeded();
        }
    }

    [Fact]
    public async Task NodeLaunch_Defaults_RunTheNodeWithTheConfigFile()
    {
        using var report = await ProbeAsync("node.launch.py");
        var node = Assert.Single(Nodes(report, "anyrecon"));
        Assert.Equal("anyrecon", node.GetProperty("executable").GetString());
        Assert.Equal("anyrecon", node.GetProperty("name").GetString());
        Assert.Equal("", node.GetProperty("namespace").GetString());
        Assert.Equal("node", node.GetProperty("arguments")[0].GetString());

        var files = ParameterFiles(node);
        Assert.Equal([Path.Combine(s_repo, "config", "anyrecon.yaml")], files);
        Assert.True(File.Exists(files[0]));
        var overrides = ParameterOverrides(node);
        AssertNodeParameters(overrides.Keys);
        Assert.False(overrides["use_sim_time"].GetBoolean());
        Assert.False(overrides.ContainsKey("map_directory"), "an empty map_directory must keep the params file value");

        // The remappings rename the default camera's inputs, and by default rename them to themselves.
        string[] cameraTopics = DefaultCameraTopics();
        Assert.Equal(cameraTopics, Remappings(node).Select(r => r.From));
        Assert.Equal(cameraTopics, Remappings(node).Select(r => r.To));
    }

    [Fact]
    public async Task NodeLaunch_Arguments_ReachNamespaceParametersAndRemappings()
    {
        using var report = await ProbeAsync("node.launch.py", "namespace:=robot1", "use_sim_time:=true", "map_directory:=/data/map",
            "color_topic:=/rs/color/image_raw", "depth_topic:=/rs/depth/image_rect_raw", "camera_info_topic:=/rs/color/camera_info",
            "params_file:=/etc/anyrecon/site.yaml");
        var node = Assert.Single(Nodes(report, "anyrecon"));
        Assert.Equal("robot1", node.GetProperty("namespace").GetString());
        Assert.Equal(["/etc/anyrecon/site.yaml"], ParameterFiles(node));
        var overrides = ParameterOverrides(node);
        AssertNodeParameters(overrides.Keys);
        Assert.True(overrides["use_sim_time"].GetBoolean());
        Assert.Equal("/data/map", overrides["map_directory"].GetString());
        Assert.Equal(
            [(DefaultCameraTopics()[0], "/rs/color/image_raw"), (DefaultCameraTopics()[1], "/rs/depth/image_rect_raw"), (DefaultCameraTopics()[2], "/rs/color/camera_info")],
            Remappings(node));
    }

    [Fact]
    public async Task NodeLaunch_CommandLineAsLaunchRosBuildsIt_ConfiguresTheNode()
    {
        using var report = await ProbeAsync("node.launch.py", "namespace:=robot1", "use_sim_time:=true", "map_directory:=/data/map",
            "color_topic:=/rs/color/image_raw");
        var node = Assert.Single(Nodes(report, "anyrecon"));
        using var temp = new TempDirectory();

        // launch_ros runs `anyrecon <arguments> --ros-args -r __node:=NAME -r __ns:=/NS --params-file F ... -r from:=to`,
        // writing each parameter dict to a file keyed by the node's full name.
        string[] arguments = [.. node.GetProperty("arguments").EnumerateArray().Select(a => a.GetString()!)];
        var rosArgs = new List<string> { "--ros-args", "-r", "__node:=" + node.GetProperty("name").GetString(), "-r", "__ns:=/" + node.GetProperty("namespace").GetString() };
        foreach (var (entry, i) in node.GetProperty("parameters").EnumerateArray().Select((p, i) => (p, i)))
        {
            string file = entry.TryGetProperty("file", out var path) ? path.GetString()! : temp.Combine($"params_{i}.yaml");
            if (!entry.TryGetProperty("file", out _))
                File.WriteAllText(file, "/robot1/anyrecon:\n  ros__parameters:\n" +
                    string.Concat(entry.EnumerateObject().Select(p => $"    {p.Name}: {p.Value.GetRawText()}\n")));
            rosArgs.AddRange(["--params-file", file]);
        }
        foreach (var (from, to) in Remappings(node)) rosArgs.AddRange(["-r", $"{from}:={to}"]);
        Assert.Equal("node", arguments[0]);

        using var context = new RosContext(new RosContextOptions { DomainId = 231, CycloneConfiguration = CycloneConfiguration.Build(DiscoveryRange.Off, null) });
        using var rosNode = new RosNode(context, NodeOptions.DefaultNodeName, RosArguments.Parse([.. arguments[1..], .. rosArgs]));
        var options = NodeParameters.Declare(rosNode);
        Assert.Equal("/robot1/anyrecon", rosNode.FullyQualifiedName);
        Assert.True(rosNode.Clock.UseSimTime);
        Assert.Equal("/data/map", options.MapDirectory);
        Assert.Equal(new NodeOptions().Mapping.Voxels.VoxelSizeMeters, options.Mapping.Voxels.VoxelSizeMeters);
        Assert.Equal("/rs/color/image_raw", rosNode.ResolveName(Assert.Single(options.Cameras).ColorTopic));
        Assert.Equal(DefaultCameraTopics()[1], rosNode.ResolveName(options.Cameras[0].DepthTopic));
    }

    [Fact]
    public async Task ReplayLaunch_PlaysTheBagWithClock_NodeOnSimTime_Rviz()
    {
        using var report = await ProbeAsync("replay.launch.py", "bag:=/bags/office", "rate:=0.5");
        var play = Assert.Single(report.RootElement.GetProperty("processes").EnumerateArray());
        string[] cmd = [.. play.GetProperty("cmd").EnumerateArray().Select(c => c.GetString()!)];
        Assert.Equal(["ros2", "bag", "play", "/bags/office"], cmd[..4]);
        Assert.Contains("--clock", cmd);
        Assert.Equal("0.5", cmd[Array.IndexOf(cmd, "--rate") + 1]);

        var node = Assert.Single(Nodes(report, "anyrecon"));
        Assert.Equal("anyrecon", node.GetProperty("executable").GetString());
        Assert.Equal("node", node.GetProperty("arguments")[0].GetString());
        var overrides = ParameterOverrides(node);
        AssertNodeParameters(overrides.Keys);
        Assert.True(overrides["use_sim_time"].GetBoolean(), "the node must follow the bag's /clock");
        Assert.All(ParameterFiles(node), f => Assert.True(File.Exists(f), f));

        var rviz = Assert.Single(Nodes(report, "rviz2"));
        Assert.True(rviz.GetProperty("enabled").GetBoolean());
        string[] rvizArgs = [.. rviz.GetProperty("arguments").EnumerateArray().Select(a => a.GetString()!)];
        string rvizConfig = rvizArgs[Array.IndexOf(rvizArgs, "-d") + 1];
        Assert.Equal(Path.Combine(s_repo, "config", "anyrecon.rviz"), rvizConfig);
        Assert.True(File.Exists(rvizConfig));
    }

    [Fact]
    public async Task ReplayLaunch_RvizFalse_LeavesRvizOut_AndBagIsRequired()
    {
        using var report = await ProbeAsync("replay.launch.py", "bag:=/bags/office", "rviz:=false");
        Assert.False(Assert.Single(Nodes(report, "rviz2")).GetProperty("enabled").GetBoolean());
        Assert.True(Assert.Single(Nodes(report, "anyrecon")).GetProperty("enabled").GetBoolean());

        var withoutBag = await RunProbeAsync("replay.launch.py");
        Assert.NotEqual(0, withoutBag.ExitCode);
        Assert.Contains("'bag'", withoutBag.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void RvizConfig_ShowsTheNodesTopics_InTheMapFrame()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(s_repo, "config", "anyrecon.rviz"))) yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        Assert.True(root.Children.ContainsKey("Panels"));
        Assert.True(root.Children.ContainsKey("Window Geometry"));
        var manager = (YamlMappingNode)root["Visualization Manager"];
        Assert.Equal("", Scalar(manager["Class"]));
        Assert.Equal("map", Scalar(((YamlMappingNode)manager["Global Options"])["Fixed Frame"]));

        var displays = ((YamlSequenceNode)manager["Displays"]).Children.Cast<YamlMappingNode>().ToList();
        var byTopic = displays.Where(d => d.Children.ContainsKey("Topic"))
            .ToDictionary(d => Scalar(((YamlMappingNode)d["Topic"])["Value"]));
        Assert.Equal(s_viewableTopics.Order(StringComparer.Ordinal), byTopic.Keys.Order(StringComparer.Ordinal));
        Assert.Contains(displays, d => Scalar(d["Class"]) == "rviz_default_plugins/Grid");
        Assert.Contains(displays, d => Scalar(d["Class"]) == "rviz_default_plugins/TF");

        var points = byTopic["/anyrecon/points"];
        Assert.Equal("rviz_default_plugins/PointCloud2", Scalar(points["Class"]));
        Assert.Equal("RGB8", Scalar(points["Color Transformer"]));
        Assert.Equal("Points", Scalar(points["Style"]));
        Assert.InRange(double.Parse(Scalar(points["Size (Pixels)"]), System.Globalization.CultureInfo.InvariantCulture), 2, 3);
        Assert.Equal("true", Scalar(points["Enabled"]));
        // ~/points and ~/cache/frustums are latched: a volatile subscriber would miss the last message.
        Assert.Equal("Transient Local", Scalar(((YamlMappingNode)points["Topic"])["Durability Policy"]));
        Assert.Equal("Transient Local", Scalar(((YamlMappingNode)byTopic["/anyrecon/cache/frustums"]["Topic"])["Durability Policy"]));
        Assert.Equal("rviz_default_plugins/MarkerArray", Scalar(byTopic["/anyrecon/cache/frustums"]["Class"]));
        Assert.Equal("rviz_default_plugins/Image", Scalar(byTopic["/anyrecon/completed/image"]["Class"]));
        Assert.Equal("false", Scalar(byTopic["/anyrecon/map_updates/points"]["Enabled"]));
    }

    private static string Scalar(YamlNode node) => ((YamlScalarNode)node).Value ?? "";

    /// <summary>color_topic, depth_topic and camera_info_topic of the default camera in config/anyrecon.yaml.</summary>
    private static string[] DefaultCameraTopics()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(s_repo, "config", "anyrecon.yaml"))) yaml.Load(reader);
        var parameters = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["/**"])["ros__parameters"];
        var camera = (YamlMappingNode)parameters[Scalar(((YamlSequenceNode)parameters[NodeParameters.CamerasParameter])[0])];
        return [Scalar(camera["color_topic"]), Scalar(camera["depth_topic"]), Scalar(camera["camera_info_topic"])];
    }

    /// <summary>Every name is one the node declares: the table's, use_sim_time, cameras, or CAMERA.SUFFIX.</summary>
    private static void AssertNodeParameters(IEnumerable<string> names)
    {
        var known = NodeParameters.All.Select(p => p.Name).Append("use_sim_time").Append(NodeParameters.CamerasParameter).ToHashSet();
        var suffixes = NodeParameters.CameraParameters.Select(c => c.Suffix).ToHashSet();
        foreach (string name in names)
        {
            int dot = name.IndexOf('.', StringComparison.Ordinal);
            bool valid = known.Contains(name) || (dot > 0 && suffixes.Contains(name[(dot + 1)..]));
            Assert.True(valid, $"the launch file sets '{name}', which is not a parameter of the node");
        }
    }

    private static IEnumerable<JsonElement> Nodes(JsonDocument report, string package) =>
        report.RootElement.GetProperty("nodes").EnumerateArray().Where(n => n.GetProperty("package").GetString() == package);

    private static string[] ParameterFiles(JsonElement node) =>
        [.. node.GetProperty("parameters").EnumerateArray().Where(p => p.TryGetProperty("file", out _)).Select(p => p.GetProperty("file").GetString()!)];

    /// <summary>The parameter dicts merged in order (later ones win, as launch_ros passes them).</summary>
    private static Dictionary<string, JsonElement> ParameterOverrides(JsonElement node)
    {
        var merged = new Dictionary<string, JsonElement>();
        foreach (var dict in node.GetProperty("parameters").EnumerateArray().Where(p => !p.TryGetProperty("file", out _)))
            foreach (var property in dict.EnumerateObject()) merged[property.Name] = property.Value.Clone();
        return merged;
    }

    private static (string From, string To)[] Remappings(JsonElement node) =>
        [.. node.GetProperty("remappings").EnumerateArray().Select(r => (r[0].GetString()!, r[1].GetString()!))];

    private static Task<ToolResult> RunProbeAsync(string launchFile, params string[] arguments) =>
        ToolProcess.RunAsync(ToolProcess.Require(ToolProcess.Python), [s_probe, "--share", s_repo, Path.Combine(s_repo, "launch", launchFile), .. arguments],
            environment: new Dictionary<string, string> { ["PYTHONDONTWRITEBYTECODE"] = "1" });

    private static async Task<JsonDocument> ProbeAsync(string launchFile, params string[] arguments) =>
        JsonDocument.Parse((await RunProbeAsync(launchFile, arguments)).Succeeded().Output);
}
