using Xunit;

namespace AnyRecon.Ros.Imaging.Tests;

public sealed class FrameTests
{
    [Fact]
    public void DepthImage_WrongLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => new DepthImage(4, 3, new float[11]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DepthImage(0, 3, []));
        Assert.Equal(4, new DepthImage(4, 3, new float[12]).Row(2).Length);
    }

    [Fact]
    public void ColorImage_RowIsThreeBytesPerPixel()
    {
        var image = new ColorImage(5, 2, new byte[30]);
        Assert.Equal(15, image.Row(1).Length);
        Assert.Throws<ArgumentException>(() => new ColorImage(5, 2, new byte[29]));
    }

    [Theory]
    [InlineData(0f, false)]
    [InlineData(-1f, false)]
    [InlineData(float.NaN, false)]
    [InlineData(float.PositiveInfinity, false)]
    [InlineData(0.5f, true)]
    public void DepthImage_IsValid_OnlyPositiveFinite(float depth, bool valid) => Assert.Equal(valid, DepthImage.IsValid(depth));
}
