import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * Large JSON documents stored on SQLite (an offer's request and response) are kept deflated:
 * SQLite stores values as given, while PostgreSQL compresses large text itself (TOAST), so there
 * they stay JSON text. A packed value is a BLOB: one format byte, then the data.
 */
const FORMAT_DEFLATE_RAW = 0x01;

/** Level 1 and a 8 kB window: the documents are a few kB; higher levels save ~5 % for more CPU. */
const DEFLATE_OPTIONS = { level: 1, windowBits: 13, memLevel: 6 } as const;

export class PackedJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackedJsonError';
  }
}

/** `json` (JSON text) packed for a BLOB column. */
export function packJson(json: string): Buffer {
  const data = deflateRawSync(Buffer.from(json, 'utf8'), DEFLATE_OPTIONS);
  const out = Buffer.allocUnsafe(data.length + 1);
  out[0] = FORMAT_DEFLATE_RAW;
  data.copy(out, 1);
  return out;
}

/** The JSON text of a packed value. */
export function unpackJson(packed: Uint8Array): string {
  if (packed.length === 0 || packed[0] !== FORMAT_DEFLATE_RAW) throw new PackedJsonError(`unknown packed JSON format ${packed.length === 0 ? '(empty)' : packed[0]}`);
  return inflateRawSync(packed.subarray(1), { windowBits: DEFLATE_OPTIONS.windowBits }).toString('utf8');
}

/** A stored JSON value read back: JSON text, or a packed BLOB. */
export function parseStoredJson(value: string | Uint8Array): unknown {
  return JSON.parse(typeof value === 'string' ? value : unpackJson(value)) as unknown;
}
