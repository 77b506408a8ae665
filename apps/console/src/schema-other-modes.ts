/**
 * Stands in for codemirror-json-schema's JSON5 and YAML document parsers (the build points the
 * library's imports of them here): the console edits JSON only, so the YAML and JSON5 parsers stay
 * out of the editor chunk.
 */

function unsupported(): never {
  throw new Error('The console edits JSON only');
}

export const parseJSON5DocumentState = unsupported;
export const parseYAMLDocumentState = unsupported;
