using System.Buffers.Binary;

namespace AnyRecon.Ros.Imaging;

/// <summary>
/// RVL (Wilson 2017, "Fast Lossless Depth Image Compression"), the "rvl" codec of compressed_depth_image_transport:
/// runs of zeros and non-zeros, each non-zero stored as a zigzag delta to the previous non-zero; every number as
/// 3-bit groups, least significant first, in 4-bit nibbles whose high bit says "more"; nibbles fill little-endian
/// 32-bit words from the most significant end. Managed: it is a few shifts per pixel and needs no library.
/// </summary>
internal static class RvlCodec
{
    // 11 groups of 3 bits cover 32 bits; a longer number can only come from corrupt data.
    private const int MaxGroupsPerNumber = 11;

    /// <summary>Decodes exactly <paramref name="output"/>.Length pixels; corrupt or short streams throw, never overrun.</summary>
    public static void Decode(ReadOnlySpan<byte> stream, Span<ushort> output)
    {
        var reader = new NibbleReader(stream);
        int written = 0;
        ushort previous = 0;
        while (written < output.Length)
        {
            long zeros = reader.ReadNumber();
            if (zeros > output.Length - written) throw Corrupt($"a run of {zeros} zeros passes the end of the image at pixel {written}");
            output.Slice(written, (int)zeros).Clear();
            written += (int)zeros;
            long nonZeros = reader.ReadNumber();
            if (nonZeros > output.Length - written) throw Corrupt($"a run of {nonZeros} values passes the end of the image at pixel {written}");
            for (long i = 0; i < nonZeros; i++)
            {
                long positive = reader.ReadNumber();
                int delta = (int)(positive >> 1) ^ -(int)(positive & 1);
                previous = (ushort)(previous + delta);
                output[written++] = previous;
            }
        }
    }

    /// <summary>Encodes pixels; the output is a whole number of 32-bit words.</summary>
    public static byte[] Encode(ReadOnlySpan<ushort> pixels)
    {
        // Worst case per pixel: a delta needs up to 6 nibbles, plus run lengths; 4 bytes per pixel + slack suffices.
        var writer = new NibbleWriter(new byte[pixels.Length * 4L + 64]);
        ushort previous = 0;
        int i = 0;
        while (i < pixels.Length)
        {
            int zeros = 0;
            while (i < pixels.Length && pixels[i] == 0) { zeros++; i++; }
            writer.WriteNumber((uint)zeros);
            int nonZeros = 0;
            while (i + nonZeros < pixels.Length && pixels[i + nonZeros] != 0) nonZeros++;
            writer.WriteNumber((uint)nonZeros);
            for (int k = 0; k < nonZeros; k++, i++)
            {
                int delta = pixels[i] - previous;
                writer.WriteNumber((uint)((delta << 1) ^ (delta >> 31)));
                previous = pixels[i];
            }
        }
        return writer.Finish();
    }

    private static ImageFormatException Corrupt(string why) => new(ImageRejectionReason.CorruptData, $"RVL depth stream: {why}");

    private ref struct NibbleReader(ReadOnlySpan<byte> stream)
    {
        private readonly ReadOnlySpan<byte> _stream = stream;
        private int _offset;
        private uint _word;
        private int _nibblesLeft;

        public long ReadNumber()
        {
            long value = 0;
            for (int group = 0; group < MaxGroupsPerNumber; group++)
            {
                if (_nibblesLeft == 0)
                {
                    if (_stream.Length - _offset < 4) throw Corrupt($"ends after {_offset} bytes, before the image is complete");
                    _word = BinaryPrimitives.ReadUInt32LittleEndian(_stream.Slice(_offset));
                    _offset += 4;
                    _nibblesLeft = 8;
                }
                uint nibble = _word >> 28;
                _word <<= 4;
                _nibblesLeft--;
                value |= (long)(nibble & 7) << (3 * group);
                if ((nibble & 8) == 0) return value;
            }
            throw Corrupt($"a number longer than {MaxGroupsPerNumber} groups near byte {_offset}");
        }
    }

    private ref struct NibbleWriter(byte[] buffer)
    {
        private readonly byte[] _buffer = buffer;
        private int _offset;
        private uint _word;
        private int _nibbles;

        public void WriteNumber(uint value)
        {
            do
            {
                uint nibble = value & 7;
                value >>= 3;
                if (value != 0) nibble |= 8;
                _word = (_word << 4) | nibble;
                if (++_nibbles == 8) Flush();
            } while (value != 0);
        }

        public byte[] Finish()
        {
            if (_nibbles != 0)
            {
                _word <<= 4 * (8 - _nibbles);
                Flush();
            }
            return _buffer.AsSpan(0, _offset).ToArray();
        }

        private void Flush()
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_offset), _word);
            _offset += 4;
            _word = 0;
            _nibbles = 0;
        }
    }
}
