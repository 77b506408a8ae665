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
 */
const FORMAT_DEFLATE_RAW = 0x01;
const FORMAT_DEFLATE_RAW_DICTIONARY = 0x02;
const DICTIONARY_ID_BYTES = 8;

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

/** The JSON text of a packed value. Throws PackedJsonError for a format or a dictionary it does not know. */
export function unpackJson(packed: Uint8Array): string {
  const format = packed.length === 0 ? undefined : packed[0];
  if (format === FORMAT_DEFLATE_RAW) {
    return inflateRawSync(packed.subarray(1), { windowBits: DEFLATE_OPTIONS.windowBits }).toString('utf8');
  }
  if (format === FORMAT_DEFLATE_RAW_DICTIONARY && packed.length > 1 + DICTIONARY_ID_BYTES) {
    const id = Buffer.from(packed.buffer, packed.byteOffset + 1, DICTIONARY_ID_BYTES).toString('hex');
    const dictionary = dictionariesById.get(id);
    if (!dictionary) throw new PackedJsonError(`packing dictionary ${id} is not loaded`);
    return inflateRawSync(packed.subarray(1 + DICTIONARY_ID_BYTES), { windowBits: DEFLATE_OPTIONS.windowBits, dictionary }).toString('utf8');
  }
  throw new PackedJsonError(`unknown packed JSON format ${format ?? '(empty)'}`);
}

/** A stored JSON value read back: JSON text, or a packed BLOB. */
export function parseStoredJson(value: string | Uint8Array): unknown {
  return JSON.parse(typeof value === 'string' ? value : unpackJson(value)) as unknown;
}
