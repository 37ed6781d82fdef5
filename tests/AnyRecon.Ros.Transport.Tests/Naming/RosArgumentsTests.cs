using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Transport.Tests.Naming;

/// <summary>Command lines and parameter files as ROS 2 documents them (design article "ROS command line arguments", rcl's remap and YAML tests).</summary>
public sealed class RosArgumentsTests
{
    [Fact]
    public void Parse_SectionsRemapsParamsAndProgramArguments()
    {
        var args = RosArguments.Parse(["replay", "--ros-args", "-r", "__ns:=/robot1", "-r", "image:=/camera/image", "-p", "voxel_size_m:=0.02",
            "--params-file", "a.yaml", "--", "--out", "x", "--ros-args", "--remap", "anyrecon:__node:=mapper", "--param", "tags:=[a, b]", "--log-level", "debug"]);
        Assert.Equal(["replay", "--out", "x"], args.Unparsed);
        Assert.Equal([new RemapRule(null, "__ns", "/robot1"), new RemapRule(null, "image", "/camera/image"), new RemapRule("anyrecon", "__node", "mapper")], args.Remaps);
        Assert.Equal(["a.yaml"], args.ParameterFiles);
        Assert.Equal(0.02, args.Parameters[0].Value.Value);
        Assert.Equal(new[] { "a", "b" }, (string[])args.Parameters[1].Value.Value);
        Assert.Equal(["debug"], args.LogLevels);
        Assert.Equal(("mapper", "/robot1"), args.ResolveNode("anyrecon", "/"));
        // A rule for another node leaves this one alone.
        Assert.Equal(("other", "/robot1"), args.ResolveNode("other", "/"));
    }

    [Theory]
    [InlineData("--ros-args", "--bogus")]
    [InlineData("--ros-args", "-r")]
    [InlineData("--ros-args", "-p", "novalue")]
    [InlineData("--ros-args", "-r", "from_only")]
    public void Parse_BadRosArguments_ClearError(params string[] argv) =>
        Assert.Throws<ArgumentException>(() => RosArguments.Parse(argv));

    [Fact]
    public void ResolveTopic_RulesMatchExpandedNames_FirstWins()
    {
        var args = RosArguments.Parse(["--ros-args", "-r", "~/points:=/map/points", "-r", "chatter:=talk", "-r", "chatter:=never", "-r", "other_node:image:=/x"]);
        Assert.Equal("/map/points", args.ResolveTopic("~/points", "anyrecon", "/"));
        // The rule's "from" is expanded in the node's namespace, like the name it is compared with.
        Assert.Equal("/ns/talk", args.ResolveTopic("chatter", "anyrecon", "/ns"));
        Assert.Equal("/ns/talk", args.ResolveTopic("/ns/chatter", "anyrecon", "/ns"));
        Assert.Equal("/chatter", args.ResolveTopic("/chatter", "anyrecon", "/ns"));
        Assert.Equal("/image", args.ResolveTopic("image", "anyrecon", "/"));
        Assert.Equal("/x", args.ResolveTopic("image", "other_node", "/"));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("False", false)]
    [InlineData("42", 42L)]
    [InlineData("-7", -7L)]
    [InlineData("0.5", 0.5)]
    [InlineData("1e3", 1000.0)]
    [InlineData("hello", "hello")]
    [InlineData("'42'", "42")]
    public void ParameterValue_Scalars_TypedAsRos(string text, object expected) =>
        Assert.Equal(expected, ParameterValue.Parse(text, "p").Value);

    [Fact]
    public void ParameterValue_Arrays_OneTypeEach()
    {
        Assert.Equal(new[] { 1L, 2L }, (long[])ParameterValue.Parse("[1, 2]", "p").Value);
        Assert.Equal(new[] { 1.0, 2.5 }, (double[])ParameterValue.Parse("[1, 2.5]", "p").Value);
        Assert.Equal(new[] { true, false }, (bool[])ParameterValue.Parse("[true, false]", "p").Value);
        Assert.Throws<ArgumentException>(() => ParameterValue.Parse("[1, a]", "p"));
        Assert.Throws<ArgumentException>(() => ParameterValue.Parse("[]", "p"));
    }

    [Fact]
    public void ParameterFile_WildcardsNamespacesNestingAndPrecedence()
    {
        using var temp = new TempDirectory();
        string file = temp.Combine("params.yaml");
        File.WriteAllText(file, """
            /**:
              ros__parameters:
                use_sim_time: true
                voxel_size_m: 0.05
            /robot1/anyrecon:
              ros__parameters:
                voxel_size_m: 0.02
                topics:
                  depth: /camera/depth
            robot1:
              "*":
                ros__parameters:
                  queue: 4
            other:
              ros__parameters:
                voxel_size_m: 0.5
            """);
        var args = RosArguments.Parse(["--ros-args", "--params-file", file, "-p", "queue:=8"]);
        var values = ParameterFile.Effective(args, "anyrecon", "/robot1");
        Assert.Equal(true, values["use_sim_time"].Value);
        Assert.Equal(0.02, values["voxel_size_m"].Value);
        Assert.Equal("/camera/depth", values["topics.depth"].Value);
        // The command line wins over the file's "*" entry.
        Assert.Equal(8L, values["queue"].Value);
        // A node in the root namespace gets only the wildcard entries.
        var root = ParameterFile.Load(file, "anyrecon", "/").ToDictionary(p => p.Name, p => p.Value.Value);
        Assert.Equal(0.05, root["voxel_size_m"]);
        Assert.False(root.ContainsKey("queue"));
        Assert.Equal(0.5, ParameterFile.Load(file, "other", "/").Last(p => p.Name == "voxel_size_m").Value.Value);
    }

    [Fact]
    public void ParameterFile_Malformed_ErrorNamesFile()
    {
        using var temp = new TempDirectory();
        string file = temp.Combine("bad.yaml");
        File.WriteAllText(file, "/**:\n  ros__parameters: [1, 2]\n");
        Assert.Contains(file, Assert.Throws<InvalidDataException>(() => ParameterFile.Load(file, "n", "/")).Message);
    }
}
