using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Messages;
using AnyRecon.Ros.Messages.Dynamic;

namespace AnyRecon.Ros.Cli.Bag;

/// <summary><c>anyrecon bag info | echo | convert | demo</c>: <c>ros2 bag</c> in spirit, on any rosbag2 (sqlite3 or MCAP).</summary>
internal static class BagCommands
{
    public static Command Build(CommandContext context)
    {
        var bag = new Command("bag", "Inspect, print and convert rosbag2 bags (sqlite3 and MCAP)");
        bag.Subcommands.Add(Info(context));
        bag.Subcommands.Add(Echo(context));
        bag.Subcommands.Add(Convert(context));
        bag.Subcommands.Add(Demo(context));
        bag.Subcommands.Add(BagPlayCommand.Build(context));
        bag.Subcommands.Add(BagRecordCommand.Build(context));
        return bag;
    }

    private static Argument<string> BagPath(string name = "path") =>
        new(name) { Description = "Bag directory (with or without metadata.yaml) or a single .db3/.mcap file" };

    private static Command Info(CommandContext context)
    {
        var path = BagPath();
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text" };
        var command = new Command("info", "Storage, files, duration, message counts and topics of a bag (like ros2 bag info)") { path, json };
        command.SetAction(parse => context.Guard(() =>
        {
            using var reader = BagReader.Open(parse.GetValue(path)!);
            var report = BagInfoReport.From(reader);
            if (parse.GetValue(json)) context.Out.WriteLine(report.ToJson());
            else context.Out.Write(report.ToText());
            return 0;
        }));
        return command;
    }

    private static Command Echo(CommandContext context)
    {
        var path = BagPath();
        var topic = new Option<string>("--topic") { Description = "Topic to print", Required = true };
        var limit = new Option<int?>("--limit") { Description = "Stop after this many messages" };
        var json = new Option<bool>("--json") { Description = "One JSON object per line, with the ROS field names" };
        var command = new Command("echo", "Decode and print a topic's messages (types we do not ship decode from the bag's definitions)") { path, topic, limit, json };
        command.SetAction(parse => context.Guard(() =>
        {
            string topicName = parse.GetValue(topic)!;
            int? max = parse.GetValue(limit);
            if (max is < 0) throw new ArgumentException("--limit must be 0 or more");
            using var reader = BagReader.Open(parse.GetValue(path)!);
            var meta = reader.Topics.FirstOrDefault(t => t.Name == topicName)
                ?? throw new ArgumentException($"topic '{topicName}' is not in the bag (topics: {string.Join(", ", reader.Topics.Select(t => t.Name))})");
            reader.RequireSerializationFormat("cdr", [topicName]);
            var decoder = DecoderFor(reader, meta);
            var formatter = new MessageTextFormatter();
            int printed = 0;
            bool asJson = parse.GetValue(json);
            foreach (var message in reader.ReadMessages(new MessageFilter { Topics = [topicName] }))
            {
                if (max is int m && printed >= m) break;
                var decoded = decoder.Decode(message.Data.Span);
                if (asJson) context.Out.WriteLine(DynamicMessageJson.ToJson(decoded));
                else
                {
                    context.Out.WriteLine($"--- {topicName} @ {FormatTime(message.TimestampNs)} ({meta.Type})");
                    context.Out.Write(formatter.Format(decoded));
                }
                printed++;
            }
            return 0;
        }));
        return command;
    }

    /// <summary>A decoder for a bag topic: the bag's own definition when it fits the bytes, else the shipped one.</summary>
    internal static TopicMessageDecoder DecoderFor(BagReader reader, TopicMetadata topic) =>
        new(topic.Type, reader.MessageDefinitions.Select(d => (d.TopicType, d.Encoding, d.Text)));

    private static Command Convert(CommandContext context)
    {
        var input = BagPath("input");
        var output = new Argument<string>("output") { Description = "Directory of the new bag (must not exist)" };
        var storage = new Option<string>("--storage") { Description = "mcap (default) or sqlite3", DefaultValueFactory = _ => "mcap" };
        storage.AcceptOnlyFromAmong("mcap", "sqlite3");
        var compression = new Option<string?>("--compression") { Description = "zstd or none. Default: zstd chunks for mcap (as rosbag2), none for sqlite3; zstd on sqlite3 compresses each message" };
        compression.AcceptOnlyFromAmong("zstd", "none");
        var command = new Command("convert", "Rewrite a bag in another storage or compression (ros2 bag convert in spirit)") { input, output, storage, compression };
        command.SetAction(parse => context.Guard(() =>
        {
            var result = BagConverter.Convert(parse.GetValue(input)!, parse.GetValue(output)!, parse.GetValue(storage)!, parse.GetValue(compression) switch { "zstd" => true, "none" => false, _ => (bool?)null });
            context.Out.WriteLine($"wrote {result.MessageCount} messages on {result.TopicCount} topics to {parse.GetValue(output)} ({parse.GetValue(storage)})");
            return 0;
        }));
        return command;
    }

    private static Command Demo(CommandContext context)
    {
        var output = new Argument<string>("output") { Description = "Directory of the new bag (must not exist)" };
        var storage = new Option<string>("--storage") { Description = "mcap (default) or sqlite3", DefaultValueFactory = _ => "mcap" };
        storage.AcceptOnlyFromAmong("mcap", "sqlite3");
        var command = new Command("demo", "Write a small deterministic RGB-D recording (TF, camera info, color, depth, points) to try the tools on") { output, storage };
        command.SetAction(parse => context.Guard(() =>
        {
            long n = BagConverter.WriteDemo(parse.GetValue(output)!, parse.GetValue(storage)!);
            context.Out.WriteLine($"wrote {n} messages to {parse.GetValue(output)}");
            return 0;
        }));
        return command;
    }

    internal static string FormatTime(long ns)
    {
        var utc = DateTimeOffset.FromUnixTimeMilliseconds(Math.DivRem(ns, 1_000_000, out _)).UtcDateTime;
        return $"{utc.ToString("MMM dd yyyy HH:mm:ss", CultureInfo.InvariantCulture)}.{ns % 1_000_000_000:D9} ({ns / 1_000_000_000}.{ns % 1_000_000_000:D9})";
    }

    internal static JsonSerializerOptions JsonOptions { get; } = new() { WriteIndented = false };
}
