import { Injectable } from '@nestjs/common';
import { CelEnvironment, type CelVars as CoreCelVars } from '@app/core';
import { configExpressions, type ActiveConfig } from '@app/bundles';
import { BodyValidator, SchemaValidatorCache } from '@app/schemas';
import type { Evaluate } from '@app/rules';

function isForeignPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as object | null;
  return (
    proto !== null &&
    proto !== Object.prototype &&
    Object.getPrototypeOf(proto) === null &&
    (proto as { constructor?: { name?: string } }).constructor?.name === 'Object'
  );
}

/** Plain objects and arrays rebuilt in this realm (only called on a value that came from another). */
function rebuild(v: unknown, depth = 0): unknown {
  if (typeof v !== 'object' || v === null || depth > 256) return v;
  if (Array.isArray(v)) {
    return Array.from(v as unknown[], (x) => rebuild(x, depth + 1));
  }
  if (Object.getPrototypeOf(v) === Object.prototype || isForeignPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = rebuild(x, depth + 1);
    return out;
  }
  return v;
}

/**
 * The validator's output (a structuredClone of the body, defaults applied) as objects of this
 * realm. Under Jest's vm sandbox structuredClone returns the outer realm's objects, which the CEL
 * input preparation (toCelInput) does not recognise as plain and cel-js rejects ("Unsupported type:
 * Object"). In a normal process the value is already this realm's and is returned as it is.
 */
function ownRealm(validate: BodyValidator): BodyValidator {
  return (body, options) => {
    const r = validate(body, options);
    if (!r.valid || typeof r.value !== 'object' || r.value === null || Object.getPrototypeOf(r.value) === Object.prototype) return r;
    return { valid: true, value: rebuild(r.value) };
  };
}

/** Everything the request path needs of one offer schema version, compiled once. */
export interface CompiledSchema {
  validate: BodyValidator;
  /** over customer, context, partner, now */
  evaluate: Evaluate;
  /** the same, with `quote` bound (product content placeholders) */
  evaluateWithQuote: Evaluate;
  env: CelEnvironment;
  envWithQuote: CelEnvironment;
}

/**
 * Compiled validators and CEL environments per (partner, bundle version, schema). A version is
 * immutable, so an entry never goes stale; entries of a partner's older versions are dropped when
 * a newer one is compiled.
 */
@Injectable()
export class CompiledSchemas {
  private readonly entries = new Map<string, CompiledSchema>();
  private readonly versionOf = new Map<string, number>();

  constructor(private readonly validators: SchemaValidatorCache) {}

  get(active: ActiveConfig, schemaId: string): CompiledSchema | null {
    const key = `${active.partnerId}:${active.version}:${schemaId}`;
    const hit = this.entries.get(key);
    if (hit) return hit;
    const schema = active.schemas.find((s) => s.id === schemaId);
    if (!schema) return null;
    this.forgetOlder(active.partnerId, active.version);
    const compiled = this.compile(key, schema.json_schema, true);
    this.entries.set(key, compiled);
    return compiled;
  }

  private compile(key: string, jsonSchema: Record<string, unknown>, cached: boolean): CompiledSchema {
    // a detached compile gets its own copy so the CEL environment memo (by object) is not shared
    const source = cached ? jsonSchema : structuredClone(jsonSchema);
    const env = CelEnvironment.forSchema(source);
    const envWithQuote = CelEnvironment.forSchema(source, { withQuote: true });
    return {
      validate: ownRealm(cached ? this.validators.getValidator(key, source) : this.validators.compileOnce(source)),
      env,
      envWithQuote,
      evaluate: (expr, vars) => env.compile(expr).evaluate(vars as unknown as CoreCelVars),
      evaluateWithQuote: (expr, vars) => envWithQuote.compile(expr).evaluate(vars as unknown as CoreCelVars),
    };
  }

  /** Compiles every schema of a configuration and every expression of its offer configs. */
  warm(active: ActiveConfig): void {
    for (const schema of active.schemas) {
      const compiled = this.get(active, schema.id);
      if (!compiled) continue;
      for (const config of active.configs) {
        if (config.schema !== schema.id) continue;
        for (const { expr, quote } of configExpressions(config)) {
          // the expressions seeing a booked quote are compiled when a booking is changed (BookingTermsService)
          if (quote === 'booking') continue;
          (quote === 'content' ? compiled.envWithQuote : compiled.env).compile(expr);
        }
      }
    }
  }

  /** Compiled for one use (a preview's candidate bundle): never cached. */
  compileDetached(active: ActiveConfig, schemaId: string): CompiledSchema | null {
    const schema = active.schemas.find((s) => s.id === schemaId);
    return schema ? this.compile(`detached:${schemaId}`, schema.json_schema, false) : null;
  }

  private forgetOlder(partnerId: string, version: number): void {
    const known = this.versionOf.get(partnerId);
    if (known !== undefined && known < version) {
      // every older version (a late load may have compiled one older than `known`), validators too
      const dropped = new Set<string>();
      for (const k of [...this.entries.keys()]) {
        if (k.startsWith(`${partnerId}:`) && !k.startsWith(`${partnerId}:${version}:`)) {
          this.entries.delete(k);
          dropped.add(k.slice(0, k.indexOf(':', partnerId.length + 1) + 1));
        }
      }
      dropped.add(`${partnerId}:${known}:`);
      for (const prefix of dropped) this.validators.invalidate(prefix);
    }
    if (known === undefined || known < version) this.versionOf.set(partnerId, version);
  }
}
