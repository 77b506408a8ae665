/**
 * The CEL engine: one cel-js Environment per offer schema, whose variables are typed
 * from that schema, so a bundle's expressions are type-checked when it is written; and a cache of
 * compiled expressions, so a request never parses.
 */
import { Environment, type ASTNode, type ParseResult } from '@marcbachmann/cel-js';
import { CEL_DYN_MAP, celSchemaFromJsonSchema, type CelFieldType } from './cel-schema';
import { celErrorSummary, ExpressionEvaluationError } from './expression-evaluation-error';

export type CelExpectedType = 'bool' | 'number' | 'timestamp' | 'any';
export type CelCheckResult = { ok: true; type: string } | { ok: false; message: string };

export const CEL_LIMITS = { maxAstNodes: 500, maxDepth: 32 } as const;
export const MAX_EXPRESSION_LENGTH = 2000;
/** A bound on expressions cached per environment, against unbounded text (previews). */
const MAX_CACHED_EXPRESSIONS = 5000;

export interface CelQuoteBenefitInput {
  description: string;
  limit?: number | null;
  limit_formatted?: string | null;
  excess?: number | null;
  excess_formatted?: string | null;
}

/** The `quote` variable of product content placeholders. */
export interface CelQuote {
  code: string;
  name: string;
  premium: number;
  price: number;
  tax: number;
  surcharge: number;
  commission: number;
  premium_formatted: string;
  price_formatted: string;
  tax_formatted: string;
  surcharge_formatted: string;
  commission_formatted: string;
  policy_start_date: Date;
  policy_end_date: Date;
  benefits: CelQuoteBenefitInput[];
}

/**
 * The `quote` variable of a product's `cancellation` and `modification` expressions: the quote as
 * booked. A quote without an end date omits `policy_end_date` (`has(quote.policy_end_date)` is
 * then false, and reading it an evaluation error).
 */
export interface CelBookingQuote {
  code: string;
  price: number;
  premium: number;
  tax: number;
  policy_start_date: Date;
  policy_end_date?: Date;
  confirmed_at: Date;
}

/**
 * Which `quote` an environment declares: none (pricing, rules), the priced quote of product
 * content placeholders (`content`), or the booked quote of cancellation and modification rules
 * (`booking`).
 */
export type CelQuoteKind = 'none' | 'content' | 'booking';

/** What an expression sees. Plain JSON request objects work as they are (see toCelInput for edge cases). */
export interface CelVars {
  customer: unknown;
  context: unknown;
  partner: unknown;
  now: Date;
  /** bound in a `withQuote` (content) environment */
  quote?: CelQuote;
  /** bound as `quote` in a `bookingQuote` environment */
  bookingQuote?: CelBookingQuote;
}

/** cel-js does not convert list items to typed objects: benefits are passed as instances of this. */
class CelQuoteBenefit {
  constructor(b: CelQuoteBenefitInput) {
    // absent and null fields stay absent, so `quote.benefits[0].excess` is "no such key" rather than a type error
    const self = this as unknown as Record<string, unknown>;
    for (const key of ['description', 'limit', 'limit_formatted', 'excess', 'excess_formatted'] as const) {
      const v = b[key];
      if (v !== undefined && v !== null) self[key] = v;
    }
  }
}

const QUOTE_BENEFIT_TYPE = 'QuoteBenefit';
const QUOTE_BENEFIT_FIELDS = {
  description: 'string',
  limit: 'double',
  limit_formatted: 'string',
  excess: 'double',
  excess_formatted: 'string',
};
const QUOTE_SCHEMA = {
  code: 'string',
  name: 'string',
  premium: 'double',
  price: 'double',
  tax: 'double',
  surcharge: 'double',
  commission: 'double',
  premium_formatted: 'string',
  price_formatted: 'string',
  tax_formatted: 'string',
  surcharge_formatted: 'string',
  commission_formatted: 'string',
  policy_start_date: 'google.protobuf.Timestamp',
  policy_end_date: 'google.protobuf.Timestamp',
  benefits: `list<${QUOTE_BENEFIT_TYPE}>`,
};

const BOOKING_QUOTE_SCHEMA = {
  code: 'string',
  price: 'double',
  premium: 'double',
  tax: 'double',
  policy_start_date: 'google.protobuf.Timestamp',
  policy_end_date: 'google.protobuf.Timestamp',
  confirmed_at: 'google.protobuf.Timestamp',
};
const BOOKING_QUOTE_FIELDS = Object.keys(BOOKING_QUOTE_SCHEMA) as Array<keyof CelBookingQuote>;

/** A null-prototype copy of the declared fields; absent (undefined or null) ones stay absent. */
function celBookingQuote(q: CelBookingQuote): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of BOOKING_QUOTE_FIELDS) {
    const v = q[key];
    if (v !== undefined && v !== null) out[key] = v;
  }
  return out;
}

const EMPTY: Readonly<Record<string, never>> = Object.freeze({});
const convertedQuotes = new WeakMap<CelQuote, Record<string, unknown>>();

function celQuote(q: CelQuote): Record<string, unknown> {
  let converted = convertedQuotes.get(q);
  if (!converted) {
    const benefits = Array.isArray(q.benefits) ? q.benefits.map((b) => (b instanceof CelQuoteBenefit ? b : new CelQuoteBenefit(b))) : [];
    converted = { ...q, benefits };
    convertedQuotes.set(q, converted);
  }
  return converted;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * A copy cel-js reads safely: plain objects become null-prototype objects (a schema field named
 * like an Object.prototype member, `toString` say, then reads as absent rather than as a function),
 * and an object with an own `constructor` key (which cel-js would take for its type) becomes a Map.
 */
function celSafe(v: unknown, depth = 0): unknown {
  if (depth > 64 || typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map((x) => celSafe(x, depth + 1));
  if (!isPlainObject(v)) return v;
  if (Object.hasOwn(v, 'constructor')) return new Map(Object.entries(v).map(([k, x]) => [k, celSafe(x, depth + 1)]));
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, x] of Object.entries(v)) out[k] = celSafe(x, depth + 1);
  return out;
}

/**
 * The `customer`, `context` and `partner` variables of a create-offer body, prepared once per
 * request: absent parts become empty maps, and the parts are copied so that hostile keys
 * (`constructor`, `toString`, `__proto__`) behave like any other key. Plain JSON objects also work
 * without this; use it on request bodies.
 */
export function toCelInput(body: unknown): Pick<CelVars, 'customer' | 'context' | 'partner'> {
  const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const part = (v: unknown): unknown => (v === undefined || v === null ? EMPTY : celSafe(v));
  return { customer: part(b.customer), context: part(b.context), partner: part(b.partner) };
}

function typeLabel(type: string): string {
  if (type === 'google.protobuf.Timestamp') return 'timestamp';
  if (type === 'google.protobuf.Duration') return 'duration';
  if (type.startsWith('$')) return `map (${type.slice(1)})`;
  return type;
}

const EXPECTED: Record<Exclude<CelExpectedType, 'any'>, { accepts: Set<string>; label: string }> = {
  bool: { accepts: new Set(['bool', 'dyn']), label: 'a bool' },
  number: { accepts: new Set(['double', 'int', 'uint', 'dyn']), label: 'a number' },
  timestamp: { accepts: new Set(['google.protobuf.Timestamp', 'dyn']), label: 'a timestamp' },
};

/** The first int literal of an expression, for a concrete "write 5.0" hint. */
function firstIntLiteral(node: ASTNode | undefined, depth = 0): string | undefined {
  if (!node || depth > 64) return undefined;
  if (node.op === 'value') return typeof node.args === 'bigint' ? node.args.toString() : undefined;
  const args: unknown = node.args;
  const queue: unknown[] = Array.isArray(args) ? args.flat() : [args];
  for (const child of queue) {
    if (child && typeof child === 'object' && 'op' in child) {
      const found = firstIntLiteral(child as ASTNode, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** Whether an expression reads any variable (or a comprehension's own): else it is a constant. */
function readsVariable(node: unknown, depth = 0): boolean {
  if (depth > 256) return true;
  if (Array.isArray(node)) return node.some((n) => readsVariable(n, depth + 1));
  if (!node || typeof node !== 'object' || !('op' in node)) return false;
  const n = node as { op: unknown; args?: unknown };
  if (n.op === 'id') return true;
  return readsVariable(n.args, depth + 1);
}

type Folded = { value: string | number | boolean | bigint | null } | undefined;

/**
 * Constant folding: an expression that reads no variable (`'0.25'`, `1500.0`, `"EUR"`) gives the
 * same value on every request, so it is evaluated once when compiled. Only immutable results are
 * kept; an expression that fails is left to fail (with its message) each time it is evaluated.
 */
function fold(fn: ParseResult): Folded {
  if (readsVariable(fn.ast)) return undefined;
  try {
    const value: unknown = fn({});
    if (value === null || ['string', 'number', 'boolean', 'bigint'].includes(typeof value))
      return { value: value as string | number | boolean | bigint | null };
  } catch {
    // not folded: evaluate() reports the error
  }
  return undefined;
}

interface CelErrorLike {
  code?: string;
  range?: { start: number };
}

/** A compiled expression: parsed once, evaluated per request. Only ever throws ExpressionEvaluationError. */
export class CompiledExpression {
  constructor(
    readonly expression: string,
    private readonly fn: ParseResult | undefined,
    /** why it cannot run (syntax or type error), when it cannot */
    readonly failure: string | undefined,
    private readonly quoteKind: CelQuoteKind,
    /** the value of an expression that reads no variable, worked out once */
    private readonly folded: Folded = undefined,
  ) {}

  /** true when the expression is a constant, evaluated once when compiled */
  get constant(): boolean {
    return this.folded !== undefined;
  }

  get ok(): boolean {
    return this.fn !== undefined && this.failure === undefined;
  }

  evaluate(vars: CelVars): unknown {
    if (!this.fn || this.failure !== undefined) {
      throw new ExpressionEvaluationError(this.expression, this.failure ?? 'expression did not compile');
    }
    if (this.folded) return this.folded.value;
    const activation: Record<string, unknown> = {
      customer: vars.customer ?? EMPTY,
      context: vars.context ?? EMPTY,
      partner: vars.partner ?? EMPTY,
      now: vars.now,
    };
    if (this.quoteKind === 'content' && vars.quote) activation.quote = celQuote(vars.quote);
    else if (this.quoteKind === 'booking' && vars.bookingQuote) activation.quote = celBookingQuote(vars.bookingQuote);
    let result: unknown;
    try {
      result = this.fn(activation);
    } catch (err) {
      throw new ExpressionEvaluationError(this.expression, celErrorSummary(err));
    }
    if (result instanceof Promise) {
      result.catch(() => undefined);
      throw new ExpressionEvaluationError(this.expression, 'asynchronous expressions are not supported');
    }
    return result;
  }
}

export interface CelEnvironmentOptions {
  /** declare the `quote` variable of product content placeholders (CelQuote) */
  withQuote?: boolean;
  /** declare the `quote` variable of cancellation and modification rules (CelBookingQuote) */
  bookingQuote?: boolean;
}

export class CelEnvironment {
  private static parses = 0;
  private static checks = 0;
  private static compiles = 0;
  private static environments = 0;
  private static readonly bySchema = new WeakMap<object, Partial<Record<CelQuoteKind, CelEnvironment>>>();

  /** Real cel-js parses (check and compile both parse); a cached compile does not count. */
  static get parseCount(): number {
    return CelEnvironment.parses;
  }
  static get checkCount(): number {
    return CelEnvironment.checks;
  }
  /** compile() cache misses. */
  static get compileCount(): number {
    return CelEnvironment.compiles;
  }
  static get environmentCount(): number {
    return CelEnvironment.environments;
  }

  private readonly env: Environment;
  private readonly compiled = new Map<string, CompiledExpression>();
  private readonly variableNames: string[];

  private constructor(
    schemas: Record<'customer' | 'context' | 'partner', CelFieldType>,
    /** which `quote` expressions of this environment see */
    readonly quoteKind: CelQuoteKind,
  ) {
    CelEnvironment.environments++;
    this.env = new Environment({ limits: CEL_LIMITS });
    for (const [name, type] of Object.entries(schemas)) registerVariable(this.env, name, type);
    this.env.registerVariable('now', 'google.protobuf.Timestamp');
    this.variableNames = ['customer', 'context', 'partner', 'now'];
    if (quoteKind === 'content') {
      this.env.registerType(QUOTE_BENEFIT_TYPE, { ctor: CelQuoteBenefit, fields: QUOTE_BENEFIT_FIELDS });
      this.env.registerVariable('quote', { schema: QUOTE_SCHEMA });
      this.variableNames.push('quote');
    } else if (quoteKind === 'booking') {
      this.env.registerVariable('quote', { schema: BOOKING_QUOTE_SCHEMA });
      this.variableNames.push('quote');
    }
  }

  /** true when `quote` is the priced quote of product content placeholders */
  get withQuote(): boolean {
    return this.quoteKind === 'content';
  }

  /**
   * The environment of one offer schema (the create-offer body JSON Schema). Memoised per schema
   * object, so callers may ask for it freely.
   */
  static forSchema(jsonSchema: unknown, opts: CelEnvironmentOptions = {}): CelEnvironment {
    if (opts.withQuote === true && opts.bookingQuote === true) {
      throw new Error('an environment declares one quote: withQuote or bookingQuote, not both');
    }
    const kind: CelQuoteKind = opts.bookingQuote === true ? 'booking' : opts.withQuote === true ? 'content' : 'none';
    const key = typeof jsonSchema === 'object' && jsonSchema !== null ? jsonSchema : undefined;
    const memo = key ? CelEnvironment.bySchema.get(key) : undefined;
    const hit = memo?.[kind];
    if (hit) return hit;
    const env = new CelEnvironment(celSchemaFromJsonSchema(jsonSchema), kind);
    if (key) {
      const entry = memo ?? {};
      entry[kind] = env;
      CelEnvironment.bySchema.set(key, entry);
    }
    return env;
  }

  /** Parse and type-check; `expected` constrains the result type (`dyn` passes, checked at run time). */
  check(expr: string, expected: CelExpectedType = 'any'): CelCheckResult {
    if (typeof expr !== 'string' || expr.trim() === '') return { ok: false, message: 'expression is empty' };
    if (expr.length > MAX_EXPRESSION_LENGTH) {
      return { ok: false, message: `expression is longer than ${MAX_EXPRESSION_LENGTH} characters` };
    }
    CelEnvironment.checks++;
    CelEnvironment.parses++;
    const result = this.env.check(expr);
    if (!result.valid) return { ok: false, message: this.explain(expr, result.error) };
    const type = result.type ?? 'dyn';
    if (expected !== 'any') {
      const want = EXPECTED[expected];
      if (!want.accepts.has(type)) {
        return { ok: false, message: `must give ${want.label}, but this expression gives ${typeLabel(type)}` };
      }
    }
    return { ok: true, type };
  }

  /** Parse once per expression text and keep it; later calls are cache hits (no parse). */
  compile(expr: string): CompiledExpression {
    const cached = this.compiled.get(expr);
    if (cached) return cached;
    CelEnvironment.compiles++;
    const compiled = this.build(expr);
    if (this.compiled.size >= MAX_CACHED_EXPRESSIONS) this.compiled.clear();
    this.compiled.set(expr, compiled);
    return compiled;
  }

  get compiledCount(): number {
    return this.compiled.size;
  }

  private build(expr: string): CompiledExpression {
    if (typeof expr !== 'string' || expr.trim() === '') return new CompiledExpression(String(expr), undefined, 'expression is empty', this.quoteKind);
    if (expr.length > MAX_EXPRESSION_LENGTH) {
      return new CompiledExpression(expr, undefined, `expression is longer than ${MAX_EXPRESSION_LENGTH} characters`, this.quoteKind);
    }
    let fn: ParseResult;
    try {
      CelEnvironment.parses++;
      fn = this.env.parse(expr);
    } catch (err) {
      return new CompiledExpression(expr, undefined, this.explain(expr, err), this.quoteKind);
    }
    // type-check once now: cel-js annotates the AST, so evaluations skip their own check
    const checked = fn.check();
    if (!checked.valid) return new CompiledExpression(expr, fn, this.explain(expr, checked.error), this.quoteKind);
    return new CompiledExpression(expr, fn, undefined, this.quoteKind, fold(fn));
  }

  /** One line: what is wrong, where, and how to fix the common double/int mix-up. */
  private explain(expr: string, error: unknown): string {
    const summary = celErrorSummary(error);
    const e = (error ?? {}) as CelErrorLike;
    const at = typeof e.range?.start === 'number' && e.range.start > 0 ? ` (at column ${e.range.start + 1})` : '';
    let hint = '';
    if (/\bdouble\b/.test(summary) && /\bint\b/.test(summary)) {
      const literal = this.intLiteral(expr);
      hint = literal
        ? ` — JSON numbers are double in CEL: write ${literal}.0 instead of ${literal}`
        : ' — JSON numbers are double in CEL: write 5.0 instead of 5, or convert with double(...)';
    } else if (e.code === 'unknown_variable') {
      hint = ` — the variables are ${this.variableNames.join(', ')}`;
    }
    return `${summary}${at}${hint}`;
  }

  private intLiteral(expr: string): string | undefined {
    try {
      CelEnvironment.parses++;
      return firstIntLiteral(this.env.parse(expr).ast);
    } catch {
      return undefined;
    }
  }
}

function registerVariable(env: Environment, name: string, type: CelFieldType): void {
  if (typeof type === 'string') {
    env.registerVariable(name, type);
    return;
  }
  try {
    env.registerVariable(name, { schema: type });
  } catch {
    // a property name cel-js cannot turn into a type (rare): fall back to an untyped map
    env.registerVariable(name, CEL_DYN_MAP);
  }
}
