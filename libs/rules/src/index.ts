export { selectConfig, checkAccess, compareConfigs } from './select-config';
export { resolveProductRules, checkSelection } from './product-rules';
export type {
  CelVars,
  Evaluate,
  KeyMode,
  SelectionRequest,
  SelectionResult,
  SelectionFailureCode,
  SelectionTraceEntry,
  WhenTrace,
  AccessTrace,
  AccessList,
  ProductRuleResponse,
  ProductRuleEventResponse,
  ProductRuleViolation,
} from './rules.types';
