using AnyRecon.Ros.Tests;
using System.Buffers.Binary;
using Xunit;

namespace AnyRecon.Ros.CaptureViews.Tests;

/// <summary>Torn tails, bit flips and foreign files: what reopening does with each (see CaptureViewCache remarks).</summary>
public sealed class CaptureViewCacheDamageTests
{
    private const int HeaderSize = 36, FileHeaderSize = 16;

    /// <summary>Writes keyframes 0..count-1 and returns the file bytes and each record's start offset (plus the end).</summary>
    private static (byte[] Bytes, long[] Starts, TestKeyframe[] Truth) Build(int count, int width, int height)
    {
        using var dir = new TempDirectory();
        var truth = Enumerable.Range(0, count).Select(i => TestKeyframe.Create(i, width, height)).ToArray();
        using (var cache = CaptureViewCache.Open(dir.Path))
            foreach (var k in truth) k.AppendTo(cache);
        byte[] bytes = File.ReadAllBytes(dir.Combine(CaptureViewCache.DataFileName));
        var starts = new List<long> { FileHeaderSize };
        for (int i = 0; i < count; i++)
        {
            long at = starts[^1];
            starts.Add(at + HeaderSize + BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)at + 16)) + BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)at + 20)));
        }
        Assert.Equal(bytes.Length, starts[^1]);
        return (bytes, starts.ToArray(), truth);
    }

    [Fact]
    public void Open_TruncatedAtEveryOffsetInsideLastRecord_KeepsEarlierKeyframesAndAppends()
    {
        var (bytes, starts, truth) = Build(3, 6, 4);
        long lastStart = starts[2];
        var next = TestKeyframe.Create(2, 6, 4);
        using var dir = new TempDirectory();
        for (long cut = lastStart; cut < bytes.Length; cut++)
        {
            File.WriteAllBytes(dir.Combine(CaptureViewCache.DataFileName), bytes.AsSpan(0, (int)cut).ToArray());
            using (var cache = CaptureViewCache.Open(dir.Path))
            {
                Assert.Equal(2, cache.Count);
                Assert.Equal(cut - lastStart, cache.Statistics.TornTailBytesDropped);
                Assert.Equal(lastStart, new FileInfo(dir.Combine(CaptureViewCache.DataFileName)).Length);
                Assert.Null(truth[0].Difference(cache.Get(0)));
                Assert.Null(truth[1].Difference(cache.Get(1)));
                Assert.Equal(2, next.AppendTo(cache).Id);
                Assert.Null(next.Difference(cache.Get(2)));
            }
            // What was appended after the cut is the same record the uncut file held.
            Assert.Equal(bytes, File.ReadAllBytes(dir.Combine(CaptureViewCache.DataFileName)));
        }
    }

    [Fact]
    public void Open_TruncatedInsideLastLargeRecord_KeepsEarlierKeyframes()
    {
        var (bytes, starts, truth) = Build(3, 64, 48);
        using var dir = new TempDirectory();
        var random = new Random(5);
        for (int trial = 0; trial < 40; trial++)
        {
            long cut = starts[2] + random.NextInt64(bytes.Length - starts[2]);
            File.WriteAllBytes(dir.Combine(CaptureViewCache.DataFileName), bytes.AsSpan(0, (int)cut).ToArray());
            using var cache = CaptureViewCache.Open(dir.Path);
            Assert.Equal(2, cache.Count);
            Assert.Null(truth[1].Difference(cache.Get(1)));
        }
    }

    [Fact]
    public void Open_TornFileHeader_StartsEmpty()
    {
        var (bytes, _, truth) = Build(1, 6, 4);
        using var dir = new TempDirectory();
        for (int cut = 0; cut < FileHeaderSize; cut++)
        {
            File.WriteAllBytes(dir.Combine(CaptureViewCache.DataFileName), bytes.AsSpan(0, cut).ToArray());
            using var cache = CaptureViewCache.Open(dir.Path);
            Assert.Equal(0, cache.Count);
            Assert.Equal(cut, cache.Statistics.TornTailBytesDropped);
            Assert.Equal(0, truth[0].AppendTo(cache).Id);
        }
    }

    [Fact]
    public void Open_ZeroFilledTail_IsDroppedAsTorn()
    {
        var (bytes, starts, truth) = Build(2, 6, 4);
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.Combine(CaptureViewCache.DataFileName), [.. bytes, .. new byte[5000]]);
        using var cache = CaptureViewCache.Open(dir.Path);
        Assert.Equal(2, cache.Count);
        Assert.Equal(5000, cache.Statistics.TornTailBytesDropped);
        Assert.Null(truth[1].Difference(cache.Get(1)));
    }

    [Fact]
    public void Open_BitFlipAnywhereInMiddleRecord_NeverReturnsWrongData()
    {
        var (bytes, starts, truth) = Build(3, 6, 4);
        using var dir = new TempDirectory();
        int metaEnd = (int)starts[1] + HeaderSize + (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)starts[1] + 16));
        for (int at = (int)starts[1]; at < starts[2]; at++)
        {
            byte[] damaged = (byte[])bytes.Clone();
            damaged[at] ^= (byte)(1 << (at % 8));
            File.WriteAllBytes(dir.Combine(CaptureViewCache.DataFileName), damaged);
            if (at < metaEnd)
            {
                // Header or metadata: the store refuses to open, naming the file and the record.
                var e = Assert.Throws<CaptureViewCacheFormatException>(() => CaptureViewCache.Open(dir.Path));
                Assert.Equal(starts[1], e.Offset);
                Assert.Equal(Path.GetFullPath(dir.Combine(CaptureViewCache.DataFileName)), e.FilePath);
                Assert.Contains(dir.Combine(CaptureViewCache.DataFileName), e.Message);
            }
            else
            {
                // Images: only that keyframe is unreadable.
                using var cache = CaptureViewCache.Open(dir.Path);
                Assert.Equal(3, cache.Count);
                var e = Assert.Throws<CaptureViewCacheFormatException>(() => cache.Get(1));
                Assert.Equal(starts[1], e.Offset);
                Assert.Null(truth[0].Difference(cache.Get(0)));
                Assert.Null(truth[2].Difference(cache.Get(2)));
            }
        }
    }

    [Fact]
    public void Open_ImageBitFlipWithVerifyImagesOnOpen_Throws()
    {
        var (bytes, starts, _) = Build(3, 16, 12);
        using var dir = new TempDirectory();
        bytes[(int)starts[2] - 10] ^= 0x40;
        File.WriteAllBytes(dir.Combine(CaptureViewCache.DataFileName), bytes);
        var e = Assert.Throws<CaptureViewCacheFormatException>(() => CaptureViewCache.Open(dir.Path, new CaptureViewCacheOptions { VerifyImagesOnOpen = true }));
        Assert.Equal(starts[1], e.Offset);
        Assert.Contains("image checksum", e.Message);
    }

    [Fact]
    public void Open_BitFlipInLastRecord_IsTreatedAsTornTail()
    {
        // Documented limit: a damaged last record cannot be told from an interrupted append.
        var (bytes, starts, truth) = Build(3, 6, 4);
        using var dir = new TempDirectory();
        bytes[(int)starts[2] + HeaderSize + 3] ^= 0x01;
        File.WriteAllBytes(dir.Combine(CaptureViewCache.DataFileName), bytes);
        using var cache = CaptureViewCache.Open(dir.Path);
        Assert.Equal(2, cache.Count);
        Assert.Equal(bytes.Length - starts[2], cache.Statistics.TornTailBytesDropped);
        Assert.Null(truth[1].Difference(cache.Get(1)));
    }

    [Fact]
    public void Open_UnknownFileVersion_ThrowsNamingTheVersion()
    {
        var (bytes, _, _) = Build(1, 6, 4);
        using var dir = new TempDirectory();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), Checksums.Crc32.Compute(bytes.AsSpan(0, 12)));
        File.WriteAllBytes(dir.Combine(CaptureViewCache.DataFileName), bytes);
        var e = Assert.Throws<CaptureViewCacheFormatException>(() => CaptureViewCache.Open(dir.Path));
        Assert.Equal(0, e.Offset);
        Assert.Contains("version 2", e.Message);
    }

    [Fact]
    public void Open_UnknownRecordVersion_ThrowsNamingTheVersion()
    {
        var (bytes, starts, _) = Build(2, 6, 4);
        using var dir = new TempDirectory();
        int at = (int)starts[0];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at + 4), 7);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at + 32), Checksums.Crc32.Compute(bytes.AsSpan(at, 32)));
        File.WriteAllBytes(dir.Combine(CaptureViewCache.DataFileName), bytes);
        var e = Assert.Throws<CaptureViewCacheFormatException>(() => CaptureViewCache.Open(dir.Path));
        Assert.Equal(starts[0], e.Offset);
        Assert.Contains("version 7", e.Message);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(100)]
    public void Open_ForeignFile_Throws(int length)
    {
        using var dir = new TempDirectory();
        var foreign = new byte[length];
        new Random(length).NextBytes(foreign);
        foreign[0] = (byte)'{';
        File.WriteAllBytes(dir.Combine(CaptureViewCache.DataFileName), foreign);
        var e = Assert.Throws<CaptureViewCacheFormatException>(() => CaptureViewCache.Open(dir.Path));
        Assert.Contains("not a capture-view cache", e.Message);
        Assert.Equal(foreign, File.ReadAllBytes(dir.Combine(CaptureViewCache.DataFileName))); // left untouched
    }
}
