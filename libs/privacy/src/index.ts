export { PrivacyModule } from './privacy.module';
export { ErasureService, identifierHash, identifierOf } from './erasure.service';
export { ERASURE_AUDIT_ACTION, type ErasureContext, type ErasureRequest, type ErasureResult, type Identifier } from './erasure.types';
export {
  ERASED,
  keyOf,
  lookupKey,
  normaliseCustomerId,
  normaliseEmail,
  offerLookupKeys,
  policyholderEmailKey,
  requestCustomerId,
  requestEmail,
  type LookupKind,
} from './lookup-key';
export { KEPT_FIELDS, KEPT_FIELD_SUFFIXES, PERSONAL_FIELDS } from './personal-fields';
export { collectPersonalValues, eraseDocument, PersonalFieldMatcher, PersonalValues, personalValuePattern, type EraseOptions, type FieldPath } from './scrub';
export { schemaRefusesErased } from './request-schema';
export { offerJsonParam, readOfferJson } from './offer-json';
export { ERASURE_TABLES, type ErasureTable } from './erasure.sql';
