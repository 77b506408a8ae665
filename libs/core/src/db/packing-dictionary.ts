/**
 * The text of a packing dictionary (packed-json.ts), made from one stored offer: what the next
 * offers of its configuration will repeat, and nothing of the person it was made for.
 *
 * - The request's shape only: every key, with each string value replaced by "" and each number by 0
 *   (true, false and null kept). No value of the request is in it.
 * - The response, less every string that holds a value of the request: a string value of the
 *   response is replaced by "" when it contains, ignoring case, a string or a number (as written)
 *   of the request, as a substring for values of four characters or more and as a whole word for
 *   shorter ones ("Dear Ada", "Protect your trip to JP"). What is left is the configuration's own
 *   text: keys, product names, content, URLs, and the amounts and ids of that one offer.
 *
 * A dictionary is stored beside the offers packed with it and never changes: the same inputs give
 * the same text, and an offer is read back with the dictionary its packed value names.
 */
export function packingDictionaryText(requestJson: string, responseJson: string): string {
  const request = JSON.parse(requestJson) as unknown;
  const response = JSON.parse(responseJson) as unknown;
  const values = new Set<string>();
  collectValues(request, values);
  const long: string[] = [];
  const short: string[] = [];
  for (const v of values) (v.length >= 4 ? long : short).push(v);
  const shortWords = short.length === 0 ? null : new RegExp(`(?:^|[^\\p{L}\\p{N}])(?:${short.map(escapeRegExp).join('|')})(?:$|[^\\p{L}\\p{N}])`, 'iu');
  const holdsRequestValue = (s: string): boolean => {
    const lower = s.toLowerCase();
    return long.some((v) => lower.includes(v)) || (shortWords !== null && shortWords.test(s));
  };
  const shape = mapLeaves(request, (v) => (typeof v === 'string' ? '' : typeof v === 'number' ? 0 : v));
  const rest = mapLeaves(response, (v) => (typeof v === 'string' && holdsRequestValue(v) ? '' : v));
  return JSON.stringify(shape) + JSON.stringify(rest);
}

type Leaf = string | number | boolean | null;

/** every string and number of `doc` (keys excluded), lower-cased, that is not empty */
function collectValues(doc: unknown, into: Set<string>): void {
  if (typeof doc === 'string' || typeof doc === 'number') {
    const text = String(doc).toLowerCase();
    if (text !== '') into.add(text);
  } else if (Array.isArray(doc)) {
    for (const item of doc) collectValues(item, into);
  } else if (doc !== null && typeof doc === 'object') {
    for (const item of Object.values(doc)) collectValues(item, into);
  }
}

function mapLeaves(doc: unknown, leaf: (v: Leaf) => Leaf): unknown {
  if (Array.isArray(doc)) return doc.map((item) => mapLeaves(item, leaf));
  if (doc !== null && typeof doc === 'object') {
    // no prototype: a key named __proto__ stays a key
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(doc)) out[k] = mapLeaves(v, leaf);
    return out;
  }
  return leaf(doc as Leaf);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
