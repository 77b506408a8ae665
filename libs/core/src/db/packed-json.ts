import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { CCtx, CDict, DCtx, DDict, compressBound, getFrameContentSize } from 'zstd-napi/binding';

/**
 * Large JSON documents stored on SQLite (an offer's request and response) are kept compressed:
 * SQLite stores values as given, while PostgreSQL compresses large text itself (TOAST), so there
 * they stay JSON text. A packed value is a BLOB: one format byte, then the data.
 *
 * - `0x01`: a raw deflate stream of the JSON text.
 * - `0x02`: the 8-byte id of a packing dictionary, then a raw deflate stream of the JSON text
 *   against that dictionary. Offers of one configuration repeat most of their text (keys, product
 *   names, content, URLs), so a dictionary of one such offer's text shrinks the next ones about
 *   three times more than deflate alone (see packing-dictionary.ts for what a dictionary holds).
 * - `0x05`, a pair: two documents of one row packed together, as one Zstandard frame against a
 *   dictionary (Create Offer's request and response, once their configuration has a dictionary). The
 *   8-byte id of a packing dictionary, the byte length of the first document's text (4 bytes,
 *   big-endian), then the frame of the first text followed by the second. One call for both, and a
 *   dictionary prepared once per thread (a zstd `CDict`), where zlib loads the dictionary again on
 *   every call, which costs more than compressing a few kB. The pair is the second document's column;
 *   read alone it is the second document.
 * - `0x04`, alone: the first document of a pair, held by another column of the row (packJsonPair).
 * - `0x03`: a pair as `0x05`, with a raw deflate stream instead of the zstd frame. Written by earlier
 *   versions; still read.
 */
const FORMAT_DEFLATE_RAW = 0x01;
const FORMAT_DEFLATE_RAW_DICTIONARY = 0x02;
const FORMAT_PAIR_DEFLATE = 0x03;
const FORMAT_FIRST_OF_PAIR = 0x04;
const FORMAT_PAIR = 0x05;
const DICTIONARY_ID_BYTES = 8;
const FIRST_LENGTH_BYTES = 4;
const PAIR_HEADER_BYTES = 1 + DICTIONARY_ID_BYTES + FIRST_LENGTH_BYTES;

/**
 * Level 1 and a 8 kB window, with a dictionary or without: the documents are a few kB; higher
 * levels save ~5 % for more CPU (against a dictionary, level 6 stored no fewer bytes per offer on
 * the benchmark).
 */
const DEFLATE_OPTIONS = { level: 1, windowBits: 13, memLevel: 6 } as const;

/**
 * zstd's default level: against a dictionary of the same configuration it stores ~10 % fewer bytes
 * than level 1 for the same CPU (measured on the benchmark's offer: 517 bytes against 579).
 */
const ZSTD_LEVEL = 3;
/**
 * Dictionaries kept prepared per thread, for packing and for unpacking: one prepared for packing
 * takes ~120 kB, for unpacking ~13 kB. Beyond this many, the oldest is dropped and prepared again
 * when it is next used (the bytes of every dictionary stay known: dictionariesById).
 */
const PREPARED_DICTIONARIES_KEPT = 128;
/** the most bytes a packed value may claim to hold: a larger claim is a corrupt value */
const MAX_UNPACKED_BYTES = 64 * 1024 * 1024;

export class PackedJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackedJsonError';
  }
}

/** A dictionary to pack against: its text, and its id (the first 8 bytes of the text's SHA-256, in hex). */
export interface PackingDictionary {
  readonly id: string;
  readonly bytes: Buffer;
}

/**
 * The dictionaries this thread can unpack with, by id. An id is derived from the content, so one
 * id is one text wherever it comes from (several databases in one process, as in tests).
 */
const dictionariesById = new Map<string, Buffer>();

/** dictionaries prepared for zstd in this thread, by id: at most PREPARED_DICTIONARIES_KEPT of each kind */
const packingDictionaries = new Map<string, CDict>();
const unpackingDictionaries = new Map<string, DDict>();

/**
 * This thread's zstd contexts, made on first use and reused by every call (a call runs to its end
 * before the next one starts), with the packing context's input and output buffers.
 */
let zstdPacking: { context: CCtx; input: Buffer; output: Buffer } | undefined;
let zstdUnpacker: DCtx | undefined;

/** The dictionary of `text`, known from now on to unpackJson in this thread. */
export function packingDictionary(text: string): PackingDictionary {
  const bytes = Buffer.from(text, 'utf8');
  const id = createHash('sha256').update(bytes).digest().subarray(0, DICTIONARY_ID_BYTES).toString('hex');
  if (!dictionariesById.has(id)) dictionariesById.set(id, bytes);
  return { id, bytes: dictionariesById.get(id) as Buffer };
}

/** `json` (JSON text) packed for a BLOB column, against `dictionary` when given. */
export function packJson(json: string, dictionary?: PackingDictionary): Buffer {
  if (!dictionary) {
    const data = deflateRawSync(Buffer.from(json, 'utf8'), DEFLATE_OPTIONS);
    const out = Buffer.allocUnsafe(data.length + 1);
    out[0] = FORMAT_DEFLATE_RAW;
    data.copy(out, 1);
    return out;
  }
  const data = deflateRawSync(Buffer.from(json, 'utf8'), { ...DEFLATE_OPTIONS, dictionary: dictionary.bytes });
  const out = Buffer.allocUnsafe(1 + DICTIONARY_ID_BYTES + data.length);
  out[0] = FORMAT_DEFLATE_RAW_DICTIONARY;
  out.write(dictionary.id, 1, DICTIONARY_ID_BYTES, 'hex');
  data.copy(out, 1 + DICTIONARY_ID_BYTES);
  return out;
}

/**
 * Two JSON texts of one row packed together against `dictionary`, in one zstd call: `pair` for
 * the second one's column, `first` (FIRST_OF_PAIR) for the first one's. Read back with unpackJsonPair.
 */
export function packJsonPair(firstJson: string, secondJson: string, dictionary: PackingDictionary): { first: Buffer; pair: Buffer } {
  const z = zstdPacker(3 * (firstJson.length + secondJson.length)); // UTF-8 takes at most 3 bytes per UTF-16 unit
  const firstBytes = z.input.write(firstJson, 0, 'utf8');
  const bytes = firstBytes + z.input.write(secondJson, firstBytes, 'utf8');
  const packedBytes = z.context.compressUsingCDict(
    z.output,
    z.input.subarray(0, bytes),
    prepared(packingDictionaries, dictionary.id, () => new CDict(dictionary.bytes, ZSTD_LEVEL)),
  );
  const pair = Buffer.allocUnsafe(PAIR_HEADER_BYTES + packedBytes);
  pair[0] = FORMAT_PAIR;
  pair.write(dictionary.id, 1, DICTIONARY_ID_BYTES, 'hex');
  pair.writeUInt32BE(firstBytes, 1 + DICTIONARY_ID_BYTES);
  z.output.copy(pair, PAIR_HEADER_BYTES, 0, packedBytes);
  return { first: Buffer.of(FORMAT_FIRST_OF_PAIR), pair };
}

/** true when a stored value is the first document of a pair, held by another column of its row */
export function isFirstOfPair(value: unknown): boolean {
  return value instanceof Uint8Array && value.length === 1 && value[0] === FORMAT_FIRST_OF_PAIR;
}

/** The two JSON texts of a pair (packJsonPair). Throws PackedJsonError for a value that is not one. */
export function unpackJsonPair(packed: Uint8Array): [first: string, second: string] {
  const format = packed[0];
  if (packed.length <= PAIR_HEADER_BYTES || (format !== FORMAT_PAIR && format !== FORMAT_PAIR_DEFLATE))
    throw new PackedJsonError('not a packed pair of JSON documents');
  const dictionaryId = packed.subarray(1, 1 + DICTIONARY_ID_BYTES);
  const data = packed.subarray(PAIR_HEADER_BYTES);
  const text = format === FORMAT_PAIR ? unpackZstd(dictionaryId, data) : inflateWith(dictionaryId, data);
  const firstBytes = Buffer.from(packed.buffer, packed.byteOffset, packed.length).readUInt32BE(1 + DICTIONARY_ID_BYTES);
  if (firstBytes > text.length) throw new PackedJsonError('packed pair: its first document is longer than both');
  return [text.toString('utf8', 0, firstBytes), text.toString('utf8', firstBytes)];
}

/** The JSON text of a packed value (a pair: its second document). Throws PackedJsonError for a format or a dictionary it does not know. */
export function unpackJson(packed: Uint8Array): string {
  const format = packed.length === 0 ? undefined : packed[0];
  if (format === FORMAT_DEFLATE_RAW) {
    return inflateRawSync(packed.subarray(1), { windowBits: DEFLATE_OPTIONS.windowBits }).toString('utf8');
  }
  if (format === FORMAT_DEFLATE_RAW_DICTIONARY && packed.length > 1 + DICTIONARY_ID_BYTES) {
    return inflateWith(packed.subarray(1, 1 + DICTIONARY_ID_BYTES), packed.subarray(1 + DICTIONARY_ID_BYTES)).toString('utf8');
  }
  if (format === FORMAT_PAIR || format === FORMAT_PAIR_DEFLATE) return unpackJsonPair(packed)[1];
  if (format === FORMAT_FIRST_OF_PAIR)
    throw new PackedJsonError('the first document of a pair: read it from the pair in the other column of its row (unpackJsonPair)');
  throw new PackedJsonError(`unknown packed JSON format ${format ?? '(empty)'}`);
}

/** a raw deflate stream inflated against the loaded dictionary of that id */
function inflateWith(dictionaryId: Uint8Array, data: Uint8Array): Buffer {
  const { bytes } = loadedDictionary(dictionaryId);
  return inflateRawSync(data, { windowBits: DEFLATE_OPTIONS.windowBits, dictionary: bytes });
}

/** a zstd frame unpacked against the loaded dictionary of that id */
function unpackZstd(dictionaryId: Uint8Array, frame: Uint8Array): Buffer {
  const { id, bytes } = loadedDictionary(dictionaryId);
  try {
    const size = getFrameContentSize(frame);
    if (size === null || size > MAX_UNPACKED_BYTES) throw new Error(`its frame claims ${size ?? 'an unknown number of'} bytes`);
    const text = Buffer.allocUnsafe(size);
    zstdUnpacker ??= new DCtx();
    const unpacked = zstdUnpacker.decompressUsingDDict(
      text,
      frame,
      prepared(unpackingDictionaries, id, () => new DDict(bytes)),
    );
    if (unpacked !== size) throw new Error(`${unpacked} bytes unpacked where its frame says ${size}`);
    return text;
  } catch (e) {
    throw new PackedJsonError(`corrupt packed JSON: ${(e as Error).message}`);
  }
}

/** the dictionary of an id read from a packed value, loaded in this thread (packingDictionary) */
function loadedDictionary(dictionaryId: Uint8Array): PackingDictionary {
  const id = Buffer.from(dictionaryId.buffer, dictionaryId.byteOffset, dictionaryId.length).toString('hex');
  const bytes = dictionariesById.get(id);
  if (!bytes) throw new PackedJsonError(`packing dictionary ${id} is not loaded`);
  return { id, bytes };
}

/** the dictionary of `id` prepared by `prepare`, kept for the next calls (the oldest dropped beyond PREPARED_DICTIONARIES_KEPT) */
function prepared<T>(kept: Map<string, T>, id: string, prepare: () => T): T {
  let dictionary = kept.get(id);
  if (dictionary === undefined) {
    dictionary = prepare();
    if (kept.size >= PREPARED_DICTIONARIES_KEPT) kept.delete(kept.keys().next().value as string);
    kept.set(id, dictionary);
  }
  return dictionary;
}

/** this thread's packing context, with buffers for an input of up to `inputBytes` */
function zstdPacker(inputBytes: number): { context: CCtx; input: Buffer; output: Buffer } {
  if (!zstdPacking || zstdPacking.input.length < inputBytes) {
    const size = Math.max(inputBytes, 64 * 1024);
    zstdPacking = { context: zstdPacking?.context ?? new CCtx(), input: Buffer.allocUnsafe(size), output: Buffer.allocUnsafe(compressBound(size)) };
  }
  return zstdPacking;
}

/** A stored JSON value read back: JSON text, or a packed BLOB. */
export function parseStoredJson(value: string | Uint8Array): unknown {
  return JSON.parse(typeof value === 'string' ? value : unpackJson(value)) as unknown;
}
