namespace AnyRecon.Ros.Voxels;

/// <summary>
/// Runs <c>read</c> on the map at a moment its writer allows (between two integrated frames). A reader with long
/// work (a full render, an extraction) calls it several times with small steps, so the writer never waits long.
/// </summary>
public delegate Task MapAccess(Action<VoxelMemory> read, CancellationToken cancellationToken);
