using System.CommandLine;
using System.Text.Json;
using AnyRecon.Ros.Bags;
using AnyRecon.Ros.Cli.Replay;
using AnyRecon.Ros.Pipeline;

namespace AnyRecon.Ros.Cli.RgbdFolders;

/// <summary><c>anyrecon export</c> (bag → RGB-D folder) and <c>anyrecon import</c> (RGB-D folder, Redwood or TUM → bag).</summary>
internal static class RgbdFolderCommands
{
    public sealed record ExportSummary(int Frames, Dictionary<string, int> Rejected, double DepthScale, double DepthMax, long ClampedDepthPixels, string Output);

    public sealed record ImportSummary(string Format, int Frames, int Width, int Height, double DepthScale, string DepthEncoding, long Messages, string Output);

    public static Command BuildExport(CommandContext context)
    {
        var bag = new Argument<string>("bag") { Description = "Bag with depth, colour, CameraInfo and TF (or a pose topic)" };
        var output = new Option<string>("--out") { Description = "RGB-D folder to create (RGBD_FOLDER.md layout)", Required = true };
        var parameters = new Option<string?>("--params") { Description = "YAML parameter file, as for replay (topics, world frame, sync tolerance)" };
        var depthScale = new Option<double>("--depth-scale")
        {
            Description = "Depth PNG units per metre written to intrinsics.json (1000 = millimetres; TUM uses 5000). Depth past 65535 units is clamped to 65535 and counted",
            DefaultValueFactory = _ => RgbdFolderWriter.DefaultDepthScale,
        };
        var depthMax = new Option<double>("--depth-max") { Description = "depth_max in intrinsics.json, metres: readers ignore depth beyond it", DefaultValueFactory = _ => RgbdFolderWriter.DefaultDepthMaxMeters };
        var json = new Option<bool>("--json") { Description = "Print a JSON summary" };
        var command = new Command("export", "Write every synchronized colour+depth+pose frame of a bag as an RGB-D folder") { bag, output, parameters, depthScale, depthMax, json };
        command.SetAction(parse => context.Guard(() =>
        {
            var options = new MappingOptions();
            if (parse.GetValue(parameters) is string file) MappingParameters.Apply(options, file);
            double scale = parse.GetValue(depthScale), max = parse.GetValue(depthMax);
            if (!(scale > 0) || !double.IsFinite(scale)) throw new ArgumentException($"--depth-scale must be a positive number of units per metre, not {scale}");
            if (!(max > 0) || !double.IsFinite(max)) throw new ArgumentException($"--depth-max must be a positive number of metres, not {max}");
            var summary = Export(parse.GetValue(bag)!, parse.GetValue(output)!, options, scale, max);
            if (summary.ClampedDepthPixels > 0)
                context.Error.WriteLine($"warning: {summary.ClampedDepthPixels} depth pixels lie beyond {ushort.MaxValue / scale:0.###} m, the most 16 bits hold at depth scale {scale}; they were written as {ushort.MaxValue}");
            if (parse.GetValue(json)) context.Out.WriteLine(JsonSerializer.Serialize(summary, s_json));
            else
            {
                context.Out.WriteLine($"exported {summary.Frames} frames to {summary.Output} (depth scale {summary.DepthScale}, depth max {summary.DepthMax} m)");
                foreach (var (reason, count) in summary.Rejected) context.Out.WriteLine($"  not exported: {reason} ×{count}");
            }
            return 0;
        }));
        return command;
    }

    public static ExportSummary Export(string bagPath, string outputDirectory, MappingOptions options,
        double depthScale = RgbdFolderWriter.DefaultDepthScale, double depthMaxMeters = RgbdFolderWriter.DefaultDepthMaxMeters)
    {
        var rejected = new Dictionary<string, int>(StringComparer.Ordinal);
        void Reject(string reason) => rejected[reason] = rejected.GetValueOrDefault(reason) + 1;

        using var reader = BagReader.Open(bagPath);
        var topics = new HashSet<string> { options.DepthTopic, options.CameraInfoTopic, options.ColorTopic, "/tf", "/tf_static" };
        if (options.PoseTopic.Length > 0) topics.Add(options.PoseTopic);
        var missing = topics.Where(t => t is not ("/tf" or "/tf_static") && reader.Topics.All(b => b.Name != t)).ToArray();
        if (missing.Length > 0)
            throw new ArgumentException($"{bagPath} has no topic {string.Join(", ", missing)} (topics: {string.Join(", ", reader.Topics.Select(t => t.Name))}); set them with --params");
        var typeOf = reader.Topics.ToDictionary(t => t.Name, t => t.Type);

        using var assembler = new FrameAssembler(options, Reject);
        RgbdFolderWriter? writer = null;
        var frames = new List<RgbdFrame>();
        try
        {
            void WriteFrames()
            {
                foreach (var frame in frames)
                {
                    if (frame.Color is null) { Reject("no colour for the depth frame"); continue; }
                    writer ??= RgbdFolderWriter.Create(outputDirectory, frame.Intrinsics, depthScale, depthMaxMeters);
                    writer.Write(frame.StampNs, frame.Color, frame.Depth, frame.WorldFromCamera);
                }
                frames.Clear();
            }
            foreach (var message in reader.ReadMessages(new MessageFilter { Topics = topics }))
            {
                // The bag's buffer is reused by the next message; frames keep their own decoded copies.
                assembler.Add(new IngestMessage(message.Topic.Name, typeOf[message.Topic.Name], message.TimestampNs, message.Data.ToArray()), frames);
                WriteFrames();
            }
            assembler.Flush(frames);
            WriteFrames();
        }
        finally
        {
            writer?.Dispose();
        }
        if (writer is null)
            throw new InvalidDataException($"{bagPath}: no synchronized colour+depth+pose frame" +
                (rejected.Count > 0 ? " (" + string.Join("; ", rejected.Select(kv => $"{kv.Key} ×{kv.Value}")) + ")" : "") +
                (assembler.LastPoseError is string e ? $"; last pose lookup: {e}" : ""));
        if (assembler.SyncStatistics is { } sync)
        {
            foreach (var (reason, count) in SyncDrops(sync)) if (count > 0) rejected[reason] = (int)count;
        }
        string bagDirectory = Directory.Exists(bagPath) ? bagPath : Path.GetDirectoryName(Path.GetFullPath(bagPath))!;
        string gtMesh = Path.Combine(bagDirectory, "gt_mesh.ply");
        if (File.Exists(gtMesh)) File.Copy(gtMesh, Path.Combine(outputDirectory, "gt_mesh.ply"), overwrite: true);
        return new ExportSummary(writer.Count, rejected, depthScale, depthMaxMeters, writer.ClampedDepthPixels, outputDirectory);
    }

    /// <summary>Depth frames the synchronizer could not pair, by reason (export and replay report them).</summary>
    internal static IEnumerable<(string Reason, long Count)> SyncDrops(AnyRecon.Ros.Geometry.SynchronizerStatistics s) =>
    [
        ("depth without colour partner", s.DepthNoPartner),
        ("depth without pose", s.PoseUnavailable),
        ("depth queue overflow", s.DepthQueueOverflow),
        ("depth dropped on time reset", s.DepthDroppedOnReset),
        ("duplicate stamps", s.DuplicateStamps),
    ];

    public static Command BuildImport(CommandContext context)
    {
        var dir = new Argument<string>("rgbd_dir") { Description = "RGB-D folder (RGBD_FOLDER.md), Redwood or TUM dataset folder" };
        var output = new Option<string>("--out") { Description = "Bag directory to create (rosbag2 MCAP, the topics and TF synth writes)", Required = true };
        var format = new Option<string>("--format") { Description = "folder (RGBD_FOLDER.md), redwood (camera_primesense.json, color/, depth/, trajectory.log) or tum (rgb.txt/depth.txt/groundtruth.txt)", DefaultValueFactory = _ => "folder" };
        format.AcceptOnlyFromAmong("folder", "redwood", "tum");
        var fx = new Option<double?>("--fx") { Description = "Focal length x in pixels (tum: required, TUM ships no intrinsics)" };
        var fy = new Option<double?>("--fy") { Description = "Focal length y in pixels (tum)" };
        var cx = new Option<double?>("--cx") { Description = "Principal point x (tum)" };
        var cy = new Option<double?>("--cy") { Description = "Principal point y (tum)" };
        var depthScale = new Option<double>("--depth-scale") { Description = "tum: depth PNG units per metre", DefaultValueFactory = _ => TumFolder.TumDepthScale };
        var json = new Option<bool>("--json") { Description = "Print a JSON summary" };
        var command = new Command("import", "Convert an RGB-D folder (or a Redwood / TUM dataset) into a rosbag2 MCAP that replay reads")
        {
            dir, output, format, fx, fy, cx, cy, depthScale, json,
        };
        command.SetAction(parse => context.Guard(() =>
        {
            string path = parse.GetValue(dir)!;
            string kind = parse.GetValue(format)!;
            using IRgbdFrameSource source = kind switch
            {
                "redwood" => RedwoodFolder.Open(path),
                "tum" => TumFolder.Open(path,
                    parse.GetValue(fx) ?? throw new ArgumentException("--format tum needs --fx --fy --cx --cy (TUM ships no intrinsics; its ROS default is 525 525 319.5 239.5)"),
                    parse.GetValue(fy) ?? throw new ArgumentException("--format tum needs --fy"),
                    parse.GetValue(cx) ?? throw new ArgumentException("--format tum needs --cx"),
                    parse.GetValue(cy) ?? throw new ArgumentException("--format tum needs --cy"),
                    parse.GetValue(depthScale)),
                _ => Pipeline.RgbdFolder.Open(path),
            };
            var summary = Import(source, kind, parse.GetValue(output)!);
            if (parse.GetValue(json)) context.Out.WriteLine(JsonSerializer.Serialize(summary, s_json));
            else context.Out.WriteLine($"imported {summary.Frames} {summary.Format} frames ({summary.Width}x{summary.Height}, {summary.DepthEncoding} depth) into {summary.Output}: {summary.Messages} messages");
            return 0;
        }));
        return command;
    }

    public static ImportSummary Import(IRgbdFrameSource source, string format, string outputBag)
    {
        if (source.Count == 0) throw new InvalidDataException($"the {format} folder has no frames");
        // Millimetre sources fit 16UC1 exactly; finer ones (TUM's 1/5000 m) keep their precision as 32FC1 metres.
        bool float32 = source.DepthScale != 1000;
        var first = source.ReadFrame(0);
        // ROS reads stamp 0 as "the latest": datasets counted from t = 0 start at 1 s instead.
        long offsetNs = first.TimeSeconds < 1 ? 1_000_000_000 : 0;
        long messages, previous = long.MinValue;
        using (var bag = RgbdBagWriter.Create(outputBag, source.Intrinsics, float32, new Dictionary<string, string> { ["anyrecon.import.format"] = format }))
        {
            for (int i = 0; i < source.Count; i++)
            {
                var frame = i == 0 ? first : source.ReadFrame(i);
                long stamp = (long)Math.Round(frame.TimeSeconds * 1e9) + offsetNs;
                if (stamp <= previous) throw new InvalidDataException($"frame {i}: time {frame.TimeSeconds} s does not increase");
                previous = stamp;
                bag.Write(stamp, frame.WorldFromCamera, frame.Color, frame.Depth.Metres);
            }
            messages = bag.Messages;
        }
        if (source is Pipeline.RgbdFolder folder && File.Exists(Path.Combine(folder.Directory, "gt_mesh.ply")))
            File.Copy(Path.Combine(folder.Directory, "gt_mesh.ply"), Path.Combine(outputBag, "gt_mesh.ply"));
        var c = source.Intrinsics;
        return new ImportSummary(format, source.Count, c.Width, c.Height, source.DepthScale, float32 ? "32FC1" : "16UC1", messages, outputBag);
    }

    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
