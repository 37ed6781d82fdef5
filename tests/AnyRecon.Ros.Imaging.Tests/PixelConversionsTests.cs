using Xunit;

namespace AnyRecon.Ros.Imaging.Tests;

public sealed class PixelConversionsTests
{
    private static ushort[] AllValues() => Enumerable.Range(0, 65536).Select(i => (ushort)i).ToArray();

    [Fact]
    public void Depth16ToMetres_EveryValue_EqualsScalarProduct()
    {
        var values = AllValues();
        var metres = new float[values.Length];

        PixelConversions.Depth16ToMetres(values, metres, 0.001f);

        for (int i = 0; i < values.Length; i++) Assert.Equal(values[i] * 0.001f, metres[i]);
    }

    [Fact]
    public void InverseDepthToMetres_EveryValue_EqualsReferenceFormula()
    {
        const float quantA = 100f * 101f, quantB = 1f - quantA / 10f;
        var values = AllValues();
        var metres = new float[values.Length];

        PixelConversions.InverseDepthToMetres(values, metres, quantA, quantB);

        Assert.Equal(0f, metres[0]);
        for (int i = 1; i < values.Length; i++) Assert.Equal(quantA / (values[i] - quantB), metres[i]);
    }

    [Fact]
    public void MetresToDepth16_RoundsAndRejects()
    {
        float[] metres = [0.0004f, 0.0006f, 1.2345f, 65.535f, 65.6f, -2f, float.NaN, float.NegativeInfinity];
        var units = new ushort[metres.Length];

        PixelConversions.MetresToDepth16(metres, units, 1000f);

        Assert.Equal([0, 1, 1235, 65535, 0, 0, 0, 0], units);
    }
}
