// Reads MCAP files with foxglove's TypeScript reference reader (@mcap/core, what Foxglove uses) and prints one JSON
// line per file: record kinds seen by the CRC-checking stream reader, and what the indexed reader finds.
// Run: NODE_PATH=<dir with @mcap/core and @mcap/support installed>/node_modules node check.cjs file.mcap ...
const { McapIndexedReader, McapStreamReader } = require("@mcap/core");
const { loadDecompressHandlers } = require("@mcap/support");
const fs = require("node:fs/promises");

(async () => {
  const handlers = await loadDecompressHandlers();
  for (const path of process.argv.slice(2)) {
    const bytes = new Uint8Array(await fs.readFile(path));
    const stream = new McapStreamReader({ validateCrcs: true, decompressHandlers: handlers });
    stream.append(bytes);
    const kinds = {};
    let record;
    while ((record = stream.nextRecord())) kinds[record.type] = (kinds[record.type] ?? 0) + 1;
    const result = { path, kinds, streamDone: stream.done() };
    try {
      const readable = { size: async () => BigInt(bytes.length), read: async (offset, length) => bytes.slice(Number(offset), Number(offset + length)) };
      const reader = await McapIndexedReader.Initialize({ readable, decompressHandlers: handlers });
      let count = 0, ordered = true, last = -1n, dataBytes = 0;
      for await (const m of reader.readMessages()) {
        count++;
        if (m.logTime < last) ordered = false;
        last = m.logTime;
        dataBytes += m.data.length;
      }
      Object.assign(result, {
        indexedMessages: count, ordered, dataBytes,
        statisticsMessages: reader.statistics ? Number(reader.statistics.messageCount) : null,
        chunks: reader.chunkIndexes.length, attachments: reader.attachmentIndexes.length, metadata: reader.metadataIndexes.length,
        profile: reader.header.profile, library: reader.header.library,
      });
    } catch (e) {
      result.indexedError = String(e.message);
    }
    console.log(JSON.stringify(result));
  }
})().catch((e) => { console.error(e); process.exit(1); });
