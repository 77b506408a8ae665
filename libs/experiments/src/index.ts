export { assignVariants, bucketOf, pickByWeight, storedAssignments, unitEvaluator, unitValueToString } from './assign-variants';
export { applyOverrides } from './apply-overrides';
export type { OverriddenProducts } from './apply-overrides';
export type { CelVars, Evaluate, ExperimentRef, VariantAssignment } from './experiments.types';
