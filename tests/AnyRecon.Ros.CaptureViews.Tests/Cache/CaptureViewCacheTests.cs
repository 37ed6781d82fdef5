using AnyRecon.Ros.Tests;
using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;
using Xunit;

namespace AnyRecon.Ros.CaptureViews.Tests;

public sealed class CaptureViewCacheTests
{
    private const int Width = 64, Height = 48;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Append_CloseAndReopen_ReturnsExactKeyframes(bool fastColorEncoding)
    {
        using var dir = new TempDirectory();
        var truth = Enumerable.Range(0, 6).Select(i => TestKeyframe.Create(i, Width, Height)).ToArray();
        using (var cache = CaptureViewCache.Open(dir.Path, new CaptureViewCacheOptions { FastColorEncoding = fastColorEncoding }))
        {
            Assert.Equal(0, cache.Count);
            for (int i = 0; i < truth.Length; i++)
            {
                var info = truth[i].AppendTo(cache);
                Assert.Equal(i, info.Id);
                Assert.Null(truth[i].InfoDifference(info));
            }
            // Readable before close too.
            Assert.Null(truth[3].Difference(cache.Get(3)));
        }

        using (var reopened = CaptureViewCache.Open(dir.Path))
        {
            Assert.Equal(truth.Length, reopened.Count);
            Assert.Equal(0, reopened.Statistics.TornTailBytesDropped);
            Assert.Equal(new FileInfo(dir.Combine(CaptureViewCache.DataFileName)).Length, reopened.Statistics.FileBytes);
            for (int i = 0; i < truth.Length; i++)
            {
                Assert.Equal(i, reopened.Infos[i].Id);
                Assert.Null(truth[i].InfoDifference(reopened.Infos[i]));
                Assert.Null(truth[i].Difference(reopened.Get(i)));
            }
            // Ids resume after the last one.
            var next = TestKeyframe.Create(6, Width, Height);
            Assert.Equal(6, next.AppendTo(reopened).Id);
            Assert.Null(next.Difference(reopened.Get(6)));
        }
    }

    [Fact]
    public void Get_DepthWithNanZeroInfinityAndSubnormals_IsBitExact()
    {
        using var dir = new TempDirectory();
        var truth = TestKeyframe.Create(3, Width, Height);
        var bits = System.Runtime.InteropServices.MemoryMarshal.Cast<float, uint>(truth.Depth.Metres.AsSpan());
        // The generator must really have put the awkward values in, or this test proves nothing.
        Assert.Contains(0x7FC12345u, bits.ToArray());
        Assert.Contains(0x00000001u, bits.ToArray());
        Assert.Contains(0x80000000u, bits.ToArray());
        Assert.Contains(truth.Depth.Metres, float.IsNaN);
        Assert.Contains(truth.Depth.Metres, d => d == 0);
        using (var cache = CaptureViewCache.Open(dir.Path)) truth.AppendTo(cache);
        using var reopened = CaptureViewCache.Open(dir.Path);
        Assert.Null(truth.Difference(reopened.Get(0)));
    }

    [Fact]
    public void Open_EmptyDirectory_CreatesEmptyStoreWithHeader()
    {
        using var dir = new TempDirectory();
        string nested = Path.Combine(dir.Path, "a", "b");
        using var cache = CaptureViewCache.Open(nested);
        Assert.Equal(0, cache.Count);
        Assert.Empty(cache.Infos);
        Assert.Equal(16, new FileInfo(Path.Combine(nested, CaptureViewCache.DataFileName)).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => cache.Get(0));
    }

    [Fact]
    public void Open_WhileAnotherInstanceHasIt_ThrowsIOException()
    {
        using var dir = new TempDirectory();
        using var cache = CaptureViewCache.Open(dir.Path);
        Assert.Throws<IOException>(() => CaptureViewCache.Open(dir.Path));
    }

    [Fact]
    public void Append_SizesDisagree_ThrowsAndStoresNothing()
    {
        using var dir = new TempDirectory();
        using var cache = CaptureViewCache.Open(dir.Path);
        var k = TestKeyframe.Create(0, Width, Height);
        var wrongDepth = new DepthImage(Width, Height - 1, new float[Width * (Height - 1)]);
        Assert.Throws<ArgumentException>(() => cache.Append(0, k.Intrinsics, k.WorldFromCamera, k.Color, wrongDepth, k.Blocks));
        Assert.Throws<ArgumentException>(() => cache.Append(0, k.Intrinsics with { Fx = 0 }, k.WorldFromCamera, k.Color, k.Depth, k.Blocks));
        Assert.Throws<ArgumentException>(() => cache.Append(0, k.Intrinsics, k.WorldFromCamera with { Translation = new Vector3d(double.NaN, 0, 0) }, k.Color, k.Depth, k.Blocks));
        Assert.Equal(0, cache.Count);
        Assert.Equal(16, cache.Statistics.FileBytes);
    }

    [Fact]
    public void Get_AllKeyframesThroughSmallBudget_StaysUnderBudgetAndReturnsExactImages()
    {
        using var dir = new TempDirectory();
        long perKeyframe = Width * Height * 3 + Width * Height * 4;
        long budget = perKeyframe * 5 / 2; // room for two decoded keyframes
        var truth = Enumerable.Range(0, 10).Select(i => TestKeyframe.Create(i, Width, Height)).ToArray();
        using var cache = CaptureViewCache.Open(dir.Path, new CaptureViewCacheOptions { DecodedCacheBytes = budget });
        foreach (var k in truth) k.AppendTo(cache);

        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < truth.Length; i++)
            {
                Assert.Null(truth[i].Difference(cache.Get(i)));
                var stats = cache.Statistics;
                Assert.True(stats.DecodedBytes <= budget, $"{stats.DecodedBytes} decoded bytes over the budget of {budget}");
                Assert.True(stats.DecodedKeyframes <= 2);
            }
        }
        var afterScan = cache.Statistics;
        Assert.Equal(20, afterScan.Misses); // a cyclic scan larger than the LRU misses every time
        Assert.Equal(0, afterScan.Hits);
        Assert.Equal(18, afterScan.Evictions);

        Assert.Same(cache.Get(9), cache.Get(9)); // the most recent is held
        Assert.Equal(2, cache.Statistics.Hits - afterScan.Hits);
        Assert.Equal(10, cache.Count); // nothing left the disk
        Assert.Equal(2 * perKeyframe, cache.Statistics.DecodedBytes);
    }

    [Fact]
    public void Get_ZeroBudget_DecodesEveryTimeAndHoldsNothing()
    {
        using var dir = new TempDirectory();
        using var cache = CaptureViewCache.Open(dir.Path, new CaptureViewCacheOptions { DecodedCacheBytes = 0 });
        var k = TestKeyframe.Create(0, Width, Height);
        k.AppendTo(cache);
        Assert.Null(k.Difference(cache.Get(0)));
        Assert.Null(k.Difference(cache.Get(0)));
        var stats = cache.Statistics;
        Assert.Equal((0L, 0, 0L, 2L), (stats.DecodedBytes, stats.DecodedKeyframes, stats.Hits, stats.Misses));
    }

    [Fact]
    public async Task Get_ConcurrentWithAppend_ReadersSeeOnlyCompleteKeyframes()
    {
        using var dir = new TempDirectory();
        const int total = 40;
        var truth = Enumerable.Range(0, total).Select(i => TestKeyframe.Create(i, 32, 24)).ToArray();
        using var cache = CaptureViewCache.Open(dir.Path, new CaptureViewCacheOptions { DecodedCacheBytes = 32 * 24 * 7 * 4 });
        using var done = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        int reads = 0;
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var random = new Random(r);
            while (!done.IsCancellationRequested || Volatile.Read(ref reads) < 50)
            {
                var infos = cache.Infos;
                for (int i = 0; i < infos.Count; i++)
                    if (infos[i].Id != i) failures.Enqueue($"Infos[{i}] has id {infos[i].Id}");
                if (infos.Count == 0) continue;
                int id = random.Next(infos.Count);
                if (truth[id].Difference(cache.Get(id)) is string problem) failures.Enqueue($"keyframe {id}: {problem}");
                Interlocked.Increment(ref reads);
            }
        }, TestContext.Current.CancellationToken)).ToArray();
        foreach (var k in truth) k.AppendTo(cache);
        done.Cancel();
        await Task.WhenAll(readers);
        Assert.Empty(failures);
        Assert.Equal(total, cache.Count);
    }

    [Fact]
    public void Options_BadValues_Throw()
    {
        var options = new CaptureViewCacheOptions();
        Assert.Throws<ArgumentOutOfRangeException>(() => options.DecodedCacheBytes = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.DepthCompressionLevel = 23);
        Assert.Equal(CaptureViewCacheOptions.DefaultDecodedCacheBytes, options.DecodedCacheBytes);
    }
}
