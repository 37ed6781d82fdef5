using AnyRecon.Ros.Tests;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Voxels;
using Xunit;

namespace AnyRecon.Ros.CaptureViews.Tests;

public sealed class KeyframeSelectorTests
{
    private static readonly BlockIndex[] s_tenBlocks = Enumerable.Range(0, 10).Select(i => new BlockIndex(i, 0, 0)).ToArray();

    private static RigidTransform At(double x, double yawDegrees = 0) =>
        new(QuaternionD.FromAxisAngle(new Vector3d(0, 1, 0), yawDegrees * Math.PI / 180), new Vector3d(x, 0, 0));

    private static BlockIndex[] SharingWithTen(int shared) =>
        s_tenBlocks.Take(shared).Concat(Enumerable.Range(100, 10 - shared).Select(i => new BlockIndex(i, 1, 1))).ToArray();

    [Fact]
    public void Evaluate_FirstFrame_IsKeyframe()
    {
        var selector = new KeyframeSelector();
        var decision = selector.Evaluate(At(0), s_tenBlocks);
        Assert.True(decision.IsKeyframe);
        Assert.Equal(KeyframeReason.First, decision.Reason);
        Assert.False(selector.HasKeyframe); // Evaluate alone does not change state
    }

    [Theory]
    [InlineData(0.29, false)]
    [InlineData(0.31, true)]
    public void Evaluate_Translation_KeyframeAtDefaultThreshold(double meters, bool expected)
    {
        var selector = new KeyframeSelector();
        selector.Accept(At(1.0), s_tenBlocks);
        var decision = selector.Evaluate(At(1.0 + meters), s_tenBlocks);
        Assert.Equal(expected, decision.IsKeyframe);
        Assert.Equal(expected ? KeyframeReason.Translation : KeyframeReason.None, decision.Reason);
        Assert.Equal(meters, decision.TranslationMeters, 1e-9);
    }

    [Theory]
    [InlineData(14.0, false)]
    [InlineData(16.0, true)]
    [InlineData(-16.0, true)]
    public void Evaluate_Rotation_KeyframeAtDefaultThreshold(double degrees, bool expected)
    {
        var selector = new KeyframeSelector();
        selector.Accept(At(0, 30), s_tenBlocks);
        var decision = selector.Evaluate(At(0, 30 + degrees), s_tenBlocks);
        Assert.Equal(expected, decision.IsKeyframe);
        Assert.Equal(expected ? KeyframeReason.Rotation : KeyframeReason.None, decision.Reason);
        Assert.Equal(Math.Abs(degrees), decision.RotationDegrees, 1e-6);
    }

    [Theory]
    [InlineData(10, false)]
    [InlineData(7, false)]
    [InlineData(6, false)] // 0.6 is not below 0.6
    [InlineData(5, true)]
    [InlineData(0, true)]
    public void Evaluate_Overlap_KeyframeBelowDefaultThreshold(int shared, bool expected)
    {
        var selector = new KeyframeSelector();
        selector.Accept(At(0), s_tenBlocks);
        var decision = selector.Evaluate(At(0.01), SharingWithTen(shared));
        Assert.Equal(expected, decision.IsKeyframe);
        Assert.Equal(shared / 10.0, decision.Overlap, 1e-12);
        Assert.Equal(expected ? KeyframeReason.Overlap : KeyframeReason.None, decision.Reason);
    }

    [Fact]
    public void Evaluate_NoObservedBlocks_OverlapIsOneSoOnlyMotionCounts()
    {
        var selector = new KeyframeSelector();
        selector.Accept(At(0), s_tenBlocks);
        var still = selector.Evaluate(At(0.05), []);
        Assert.False(still.IsKeyframe);
        Assert.Equal(1.0, still.Overlap);
        Assert.True(selector.Evaluate(At(0.5), []).IsKeyframe);
    }

    [Fact]
    public void Consider_Keyframe_BecomesTheNewReference()
    {
        var selector = new KeyframeSelector();
        Assert.True(selector.Consider(At(0), s_tenBlocks).IsKeyframe);
        Assert.False(selector.Consider(At(0.2), s_tenBlocks).IsKeyframe); // not a keyframe: reference stays at 0
        Assert.True(selector.Consider(At(0.4), s_tenBlocks).IsKeyframe); // 0.4 from 0
        Assert.False(selector.Consider(At(0.6), s_tenBlocks).IsKeyframe); // 0.2 from the new reference 0.4
        var newBlocks = SharingWithTen(0);
        Assert.True(selector.Consider(At(0.6), newBlocks).IsKeyframe);
        Assert.False(selector.Consider(At(0.6), newBlocks).IsKeyframe); // the new blocks are now the reference
    }

    [Fact]
    public void Accept_StoredKeyframeInfo_ResumesFromItsPoseAndBlocks()
    {
        using var dir = new TempDirectory();
        KeyframeInfo last;
        using (var cache = CaptureViewCache.Open(dir.Path))
        {
            var k = TestKeyframe.Create(0, 8, 6);
            last = cache.Append(k.StampNs, k.Intrinsics, At(2.0), k.Color, k.Depth, s_tenBlocks);
        }
        using (var reopened = CaptureViewCache.Open(dir.Path)) last = reopened.Infos[^1];
        var selector = new KeyframeSelector();
        selector.Accept(last);
        Assert.False(selector.Evaluate(At(2.1), s_tenBlocks).IsKeyframe);
        Assert.Equal(KeyframeReason.Overlap, selector.Evaluate(At(2.1), SharingWithTen(2)).Reason);
        Assert.Equal(KeyframeReason.Translation, selector.Evaluate(At(2.5), s_tenBlocks).Reason);
    }

    [Fact]
    public void Reset_AfterKeyframe_NextFrameIsFirst()
    {
        var selector = new KeyframeSelector();
        selector.Consider(At(0), s_tenBlocks);
        selector.Reset();
        Assert.Equal(KeyframeReason.First, selector.Evaluate(At(0), s_tenBlocks).Reason);
    }

    [Fact]
    public void Options_CustomThresholds_AreUsed()
    {
        var selector = new KeyframeSelector(new KeyframeSelectorOptions { MinTranslationMeters = 1.0, MinRotationDegrees = 90, MaxOverlap = 0 });
        selector.Accept(At(0), s_tenBlocks);
        Assert.False(selector.Evaluate(At(0.9, 80), SharingWithTen(0)).IsKeyframe);
        Assert.True(selector.Evaluate(At(1.0), s_tenBlocks).IsKeyframe);
    }

    [Fact]
    public void Options_BadValues_Throw()
    {
        var options = new KeyframeSelectorOptions();
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MinTranslationMeters = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MinRotationDegrees = double.NaN);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxOverlap = 1.5);
        Assert.Equal(KeyframeSelectorOptions.DefaultMinTranslationMeters, options.MinTranslationMeters);
    }
}
