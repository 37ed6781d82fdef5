using Xunit;

namespace AnyRecon.Ros.Bags.Tests.Compression;

public sealed class CompressionCodecTests
{
    [Theory]
    [InlineData(0xFFFF_FFFF_FFFF_FFF0UL)]
    [InlineData(0x8000_0000_0000_0000UL)]
    public void ZstdDecoder_FrameDeclaringSizePastLongMax_ThrowsCompressionException(ulong declared)
    {
        // Frame header: magic, descriptor 0xE0 (single segment, 8-byte content size), then the size, then junk.
        var frame = new byte[32];
        new byte[] { 0x28, 0xB5, 0x2F, 0xFD, 0xE0 }.CopyTo(frame, 0);
        BitConverter.TryWriteBytes(frame.AsSpan(5), declared);
        using var decoder = new ZstdDecoder();
        Assert.Throws<CompressionException>(() => ZstdDecoder.GetDeclaredSize(frame));
        Assert.Throws<CompressionException>(() => decoder.Decompress(frame));
    }

    [Fact]
    public void ZstdDecoder_DeclaredSizeOverLimit_ThrowsBeforeAllocating()
    {
        var frame = new byte[32];
        new byte[] { 0x28, 0xB5, 0x2F, 0xFD, 0xE0 }.CopyTo(frame, 0);
        BitConverter.TryWriteBytes(frame.AsSpan(5), 1L << 40);
        using var decoder = new ZstdDecoder();
        Assert.Contains("above the limit", Assert.Throws<CompressionException>(() => decoder.Decompress(frame, maxSize: 1 << 20)).Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100_000)]
    [InlineData(3_000_000)]
    public void ZstdAndLz4_RoundTrip_GiveTheInputBack(int length)
    {
        var data = new byte[length];
        var random = new Random(length);
        for (int i = 0; i < length; i++) data[i] = (byte)(random.Next(16) * 17); // compressible, not trivial
        using var encoder = new ZstdEncoder();
        using var decoder = new ZstdDecoder();
        Assert.Equal(data, decoder.Decompress(encoder.Compress(data)));

        var lz4 = Lz4FrameEncoder.Compress(data);
        var back = new byte[length];
        using var lz4Decoder = new Lz4FrameDecoder();
        Assert.Equal(length, lz4Decoder.Decompress(lz4, back));
        Assert.Equal(data, back);
    }

    [Fact]
    public void Lz4FrameDecoder_TruncatedFrame_Throws()
    {
        var data = new byte[50_000];
        new Random(3).NextBytes(data);
        var lz4 = Lz4FrameEncoder.Compress(data);
        using var decoder = new Lz4FrameDecoder();
        Assert.Throws<CompressionException>(() => decoder.Decompress(lz4.AsSpan(0, lz4.Length / 2), new byte[data.Length]));
    }
}
