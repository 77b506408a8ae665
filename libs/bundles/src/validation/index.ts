export { validateBundle, type BundleProblems, type BundleValidationContext, type BundleValidationResult } from './validate-bundle';
export { BUNDLE_JSON_SCHEMA } from './bundle-structure';
