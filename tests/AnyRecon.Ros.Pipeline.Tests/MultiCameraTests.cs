using AnyRecon.Ros.Messages.Tf2Msgs;
using Xunit;
using static AnyRecon.Ros.Pipeline.Tests.FrameAssemblerTests;

namespace AnyRecon.Ros.Pipeline.Tests;

/// <summary>Several cameras at once: each camera's topics make its own frames, posed by its own optical frame.</summary>
public sealed class MultiCameraTests
{
    /// <summary>
    /// A front camera near x = 0 and a back one 5 m away, each with its own optical frame, feeding
    /// <paramref name="frames"/> depth images each; the back camera's CameraInfo only with <paramref name="backCalibrated"/>.
    /// </summary>
    private static async Task<MappingPipeline> RunTwoCameras(int frames, bool backCalibrated)
    {
        var options = new MappingOptions
        {
            Cameras =
            [
                new CameraTopics("front", "", "/front/depth", "/front/camera_info"),
                new CameraTopics("back", "", "/back/depth", "/back/camera_info"),
            ],
        };
        var pipeline = new MappingPipeline(options);
        var ct = TestContext.Current.CancellationToken;
        var run = pipeline.RunAsync(ct);
        await pipeline.Ingest.WriteAsync(Msg("/front/camera_info", Info(0, "front_optical"), 0), ct);
        if (backCalibrated) await pipeline.Ingest.WriteAsync(Msg("/back/camera_info", Info(0, "back_optical"), 0), ct);
        for (int i = 0; i <= frames * 2; i++)
        {
            long t = i * 100_000_000L;
            // Each frame must use its own camera's pose.
            var both = new TFMessage { Transforms = [.. Tf(t, i * 0.01, frame: "front_optical").Transforms, .. Tf(t, 5 + i * 0.01, frame: "back_optical").Transforms] };
            await pipeline.Ingest.WriteAsync(Msg("/tf", both, t), ct);
        }
        for (int i = 0; i < frames; i++)
        {
            long t = 150_000_000L + i * 100_000_000L;
            await pipeline.Ingest.WriteAsync(Msg("/front/depth", Depth(t, frame: "front_optical"), t), ct);
            await pipeline.Ingest.WriteAsync(Msg("/back/depth", Depth(t + 1_000_000, frame: "back_optical"), t + 1_000_000), ct);
        }
        pipeline.Ingest.Complete();
        await run;
        return pipeline;
    }

    [Fact]
    public async Task TwoCamerasAreEachIntegratedAtTheirOwnPoses()
    {
        using var pipeline = await RunTwoCameras(5, backCalibrated: true);
        Assert.Equal(10, pipeline.Report().FramesIntegrated);
        var blocks = pipeline.Memory.GetBlockIndices();
        double blockSize = pipeline.Memory.BlockSizeMeters;
        // Surfaces 1.5 m in front of each camera: blocks near x ≈ 0 and near x ≈ 5, none in between.
        Assert.Contains(blocks, b => Math.Abs(b.X * blockSize) < 1);
        Assert.Contains(blocks, b => Math.Abs(b.X * blockSize - 5) < 1);
        Assert.DoesNotContain(blocks, b => b.X * blockSize is > 1.5 and < 3.5);
        // Each camera's share is reported on its own.
        var cameras = pipeline.Report().Cameras!;
        Assert.Equal(["front", "back"], cameras.Select(c => c.Name));
        Assert.All(cameras, c => Assert.Equal((5L, 5L), (c.FramesAssembled, c.FramesIntegrated)));
        Assert.Equal(550_000_000L, cameras[0].LastStampNs);
        Assert.Equal(551_000_000L, cameras[1].LastStampNs);
    }

    [Fact]
    public async Task ACameraWithoutCameraInfo_IsNamedInRejectionsAndWarnedOnDiagnostics()
    {
        using var pipeline = await RunTwoCameras(4, backCalibrated: false);
        var report = pipeline.Report();
        Assert.Equal(4, report.Stages[0].Rejected.GetValueOrDefault("back: depth before camera info"));
        Assert.DoesNotContain(report.Stages[0].Rejected.Keys, k => k.StartsWith("front", StringComparison.Ordinal));
        var (_, diagnostics) = new StatusMessages().Next(report, new Messages.StdMsgs.Header());
        var front = diagnostics.Status.Single(s => s.Name == "anyrecon: camera front");
        var back = diagnostics.Status.Single(s => s.Name == "anyrecon: camera back");
        Assert.Equal(Messages.DiagnosticMsgs.DiagnosticStatus.OK, front.Level);
        Assert.Equal(Messages.DiagnosticMsgs.DiagnosticStatus.WARN, back.Level);
        Assert.Equal("4", front.Values.Single(v => v.Key == "frames_integrated").Value);
        Assert.Equal("0", back.Values.Single(v => v.Key == "frames_assembled").Value);
    }
}
