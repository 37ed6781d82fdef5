using System.Runtime.InteropServices;

namespace AnyRecon.Ros.Bags;

internal sealed class SafeZstdDecompressionHandle : SafeHandle
{
    public SafeZstdDecompressionHandle() : base(nint.Zero, ownsHandle: true) { }
    public override bool IsInvalid => handle == nint.Zero;
    protected override bool ReleaseHandle() { Interop.Zstd.FreeDCtx(handle); return true; }
}

internal sealed class SafeZstdCompressionHandle : SafeHandle
{
    public SafeZstdCompressionHandle() : base(nint.Zero, ownsHandle: true) { }
    public override bool IsInvalid => handle == nint.Zero;
    protected override bool ReleaseHandle() { Interop.Zstd.FreeCCtx(handle); return true; }
}

internal sealed class SafeLz4DecompressionHandle : SafeHandle
{
    public SafeLz4DecompressionHandle(nint existing) : base(nint.Zero, ownsHandle: true) => SetHandle(existing);
    public override bool IsInvalid => handle == nint.Zero;
    protected override bool ReleaseHandle() { Interop.Lz4.FreeDecompressionContext(handle); return true; }
}
