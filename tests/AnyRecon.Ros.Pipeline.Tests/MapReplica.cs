using AnyRecon.Ros.Messages.AnyReconMsgs;
using AnyRecon.Ros.Voxels;
using Xunit;
using VoxelBlockMessage = AnyRecon.Ros.Messages.AnyReconMsgs.VoxelBlock;

namespace AnyRecon.Ros.Pipeline.Tests;

/// <summary>What a subscriber to ~/map_updates holds: the blocks of every update applied in order.</summary>
internal sealed class MapReplica
{
    public Dictionary<BlockIndex, VoxelBlockMessage> Blocks { get; } = new();

    public ulong LastSequence { get; private set; }

    public void Apply(MapUpdate update)
    {
        Assert.Equal(LastSequence + 1, update.SequenceNumber);
        LastSequence = update.SequenceNumber;
        Assert.Equal(8u, update.VoxelsPerBlockSide);
        Assert.Equal(0, update.RemovedBlockIndices.Length % 3);
        var r = update.RemovedBlockIndices;
        for (int i = 0; i < r.Length; i += 3) Assert.True(Blocks.Remove(new BlockIndex(r[i], r[i + 1], r[i + 2])), "removed a block never sent");
        foreach (var block in update.ChangedBlocks)
        {
            Assert.Equal(update.VoxelSizeM, block.VoxelSizeM);
            Assert.Equal(BlockIndex.VoxelCount, block.Tsdf.Length);
            Assert.Equal(BlockIndex.VoxelCount, block.Weight.Length);
            Assert.Equal(3 * BlockIndex.VoxelCount, block.Rgb.Length);
            Assert.Equal(BlockIndex.VoxelCount, block.Source.Length);
            Blocks[new BlockIndex(block.Index[0], block.Index[1], block.Index[2])] = block;
        }
    }

    /// <summary>
    /// Every voxel of <paramref name="memory"/> equals the replica's (fused values through the public per-voxel API, so
    /// independent of the block reader); a block the replica lacks must be empty (allocated, never integrated).
    /// Returns the number of blocks compared.
    /// </summary>
    public int AssertMatches(VoxelMemory memory)
    {
        Assert.Equal((float)memory.VoxelSizeMeters, Blocks.Values.FirstOrDefault()?.VoxelSizeM ?? (float)memory.VoxelSizeMeters);
        float truncation = (float)memory.TruncationMeters;
        int mismatches = 0, compared = 0;
        string? first = null;
        foreach (var index in memory.GetBlockIndices())
        {
            bool sent = Blocks.TryGetValue(index, out var b);
            if (sent) compared++;
            byte evidence = 0;
            for (int z = 0; z < 8; z++)
            for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
            {
                Assert.True(memory.TryGetVoxel(index.X * 8 + x, index.Y * 8 + y, index.Z * 8 + z, out var s));
                int i = x + 8 * (y + 8 * z);
                if (s.ObservedWeight > 0) evidence |= VoxelBlockMessage.EVIDENCE_OBSERVED;
                if (s.GeneratedWeight > 0) evidence |= VoxelBlockMessage.EVIDENCE_GENERATED;
                bool ok = sent
                    ? b!.Tsdf[i] == s.EffectiveTsdf * truncation && b.Weight[i] == s.EffectiveWeight && b.Source[i] == (byte)s.Source
                      // Observation only in these maps: the fused colour is the observed one.
                      && s.Source == EvidenceChannel.Observed
                      && b.Rgb[3 * i] == s.ObservedR && b.Rgb[3 * i + 1] == s.ObservedG && b.Rgb[3 * i + 2] == s.ObservedB
                    : s.EffectiveWeight == 0;
                if (!ok && mismatches++ == 0) first = $"block {index} voxel ({x},{y},{z}) sent={sent}: memory {s}";
            }
            if (sent && b!.Evidence != evidence && mismatches++ == 0) first = $"block {index}: evidence {b.Evidence}, expected {evidence}";
        }
        Assert.True(mismatches == 0, $"{mismatches} mismatches; first: {first}");
        foreach (var index in Blocks.Keys) Assert.True(memory.Contains(index), $"replica holds {index}, the memory does not");
        return compared;
    }
}
