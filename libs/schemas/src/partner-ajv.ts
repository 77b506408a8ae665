/**
 * The one Ajv instance for partner offer schemas (architecture: "two validators, two jobs").
 * Draft-07 (Ajv's default), all formats, every error, schema defaults applied. Never `loadSchema`:
 * offer schemas are self-contained (remote `$ref` is refused when they are written).
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

export type PartnerAjv = Ajv;

function createPartnerAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    useDefaults: true,
    // partner schemas carry annotations Ajv's strict mode dislikes (example, x-*, unknown formats)
    strict: false,
    validateFormats: true,
    // schemas are not registered by `$id`: two partners may reuse one, and we look validators up ourselves
    addUsedSchema: false,
    logger: false,
  });
  addFormats(ajv);
  return ajv;
}

let instance: Ajv | undefined;

export function partnerAjv(): Ajv {
  instance ??= createPartnerAjv();
  return instance;
}
