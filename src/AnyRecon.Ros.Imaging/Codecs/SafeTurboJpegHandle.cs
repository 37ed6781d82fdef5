using System.Runtime.InteropServices;

namespace AnyRecon.Ros.Imaging;

internal sealed class SafeTurboJpegHandle : SafeHandle
{
    public SafeTurboJpegHandle() : base(nint.Zero, ownsHandle: true) { }
    public override bool IsInvalid => handle == nint.Zero;
    protected override bool ReleaseHandle() => Interop.TurboJpeg.Destroy(handle) == 0;
}
