import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * Large JSON documents stored on SQLite (an offer's request and response) are kept deflated:
 * SQLite stores values as given, while PostgreSQL compresses large text itself (TOAST), so there
 * they stay JSON text. A packed value is a BLOB: one format byte, then the data.
 *
 * - `0x01`: a raw deflate stream of the JSON text.
 * - `0x02`: the 8-byte id of a packing dictionary, then a raw deflate stream of the JSON text
 *   against that dictionary. Offers of one configuration repeat most of their text (keys, product
 *   names, content, URLs), so a dictionary of one such offer's text shrinks the next ones about
 *   three times more than deflate alone (see packing-dictionary.ts for what a dictionary holds).
 * - `0x03`, a pair: two documents of one row packed together, as one deflate stream (one call
 *   instead of two: each call sets up a zlib stream and loads the dictionary, which costs more
 *   than compressing a few kB). The 8-byte id of a packing dictionary, the byte length of the
 *   first document's text (4 bytes, big-endian), then a raw deflate stream of the first text
 *   followed by the second, against that dictionary. The pair is the second document's column;
 *   read alone it is the second document.
 * - `0x04`, alone: the first document of a pair, held by another column of the row (packJsonPair).
 */
const FORMAT_DEFLATE_RAW = 0x01;
const FORMAT_DEFLATE_RAW_DICTIONARY = 0x02;
const FORMAT_PAIR = 0x03;
const FORMAT_FIRST_OF_PAIR = 0x04;
const DICTIONARY_ID_BYTES = 8;
const FIRST_LENGTH_BYTES = 4;

/**
 * Level 1 and a 8 kB window, with a dictionary or without: the documents are a few kB; higher
 * levels save ~5 % for more CPU (against a dictionary, level 6 stored no fewer bytes per offer on
 * the benchmark).
 */
const DEFLATE_OPTIONS = { level: 1, windowBits: 13, memLevel: 6 } as const;

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
 * Two JSON texts of one row packed together against `dictionary`, in one deflate call: `pair` for
 * the second one's column, `first` (FIRST_OF_PAIR) for the first one's. Read back with unpackJsonPair.
 */
export function packJsonPair(firstJson: string, secondJson: string, dictionary: PackingDictionary): { first: Buffer; pair: Buffer } {
  const firstBytes = Buffer.byteLength(firstJson, 'utf8');
  const data = deflateRawSync(Buffer.from(firstJson + secondJson, 'utf8'), { ...DEFLATE_OPTIONS, dictionary: dictionary.bytes });
  const header = 1 + DICTIONARY_ID_BYTES + FIRST_LENGTH_BYTES;
  const pair = Buffer.allocUnsafe(header + data.length);
  pair[0] = FORMAT_PAIR;
  pair.write(dictionary.id, 1, DICTIONARY_ID_BYTES, 'hex');
  pair.writeUInt32BE(firstBytes, 1 + DICTIONARY_ID_BYTES);
  data.copy(pair, header);
  return { first: Buffer.of(FORMAT_FIRST_OF_PAIR), pair };
}

/** true when a stored value is the first document of a pair, held by another column of its row */
export function isFirstOfPair(value: unknown): boolean {
  return value instanceof Uint8Array && value.length === 1 && value[0] === FORMAT_FIRST_OF_PAIR;
}

/** The two JSON texts of a pair (packJsonPair). Throws PackedJsonError for a value that is not one. */
export function unpackJsonPair(packed: Uint8Array): [first: string, second: string] {
  const header = 1 + DICTIONARY_ID_BYTES + FIRST_LENGTH_BYTES;
  if (packed.length <= header || packed[0] !== FORMAT_PAIR) throw new PackedJsonError('not a packed pair of JSON documents');
  const text = inflateWith(packed.subarray(1, 1 + DICTIONARY_ID_BYTES), packed.subarray(header));
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
  if (format === FORMAT_PAIR) return unpackJsonPair(packed)[1];
  if (format === FORMAT_FIRST_OF_PAIR)
    throw new PackedJsonError('the first document of a pair: read it from the pair in the other column of its row (unpackJsonPair)');
  throw new PackedJsonError(`unknown packed JSON format ${format ?? '(empty)'}`);
}

/** a raw deflate stream inflated against the loaded dictionary of that id */
function inflateWith(dictionaryId: Uint8Array, data: Uint8Array): Buffer {
  const id = Buffer.from(dictionaryId.buffer, dictionaryId.byteOffset, dictionaryId.length).toString('hex');
  const dictionary = dictionariesById.get(id);
  if (!dictionary) throw new PackedJsonError(`packing dictionary ${id} is not loaded`);
  return inflateRawSync(data, { windowBits: DEFLATE_OPTIONS.windowBits, dictionary });
}

/** A stored JSON value read back: JSON text, or a packed BLOB. */
export function parseStoredJson(value: string | Uint8Array): unknown {
  return JSON.parse(typeof value === 'string' ? value : unpackJson(value)) as unknown;
}
