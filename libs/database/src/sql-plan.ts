import type { EntityManager, EntityMetadata } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/** What fastSelect and fastUpdate share: the column of a property, and the driver's placeholders. */
export interface SqlDialect {
  /** the quoted name (table or column) */
  escape(name: string): string;
  /** the placeholder of the n-th bound value (1-based): `$n` on PostgreSQL, `?` elsewhere */
  placeholder(n: number): string;
}

export function dialectOf(manager: EntityManager): SqlDialect {
  const driver = manager.connection.driver;
  const postgres = manager.connection.options.type === 'postgres';
  return {
    escape: (name) => driver.escape(name),
    placeholder: (n) => (postgres ? `$${n}` : '?'),
  };
}

/** A plain column of the entity (not embedded, not a relation), by property name; throws naming `caller`. */
export function plainColumn(meta: EntityMetadata, property: string, caller: string): ColumnMetadata {
  const c = meta.findColumnWithPropertyName(property);
  if (!c || c.embeddedMetadata || c.relationMetadata) throw new Error(`${caller}: ${meta.name}.${property} is not a plain column`);
  return c;
}

/** Plans per entity metadata (so per data source), by a shape key. */
export class PlanCache<P> {
  private readonly plans = new WeakMap<EntityMetadata, Map<string, P>>();

  get(meta: EntityMetadata, shape: string, make: () => P): P {
    let byShape = this.plans.get(meta);
    if (!byShape) {
      byShape = new Map();
      this.plans.set(meta, byShape);
    }
    let plan = byShape.get(shape);
    if (plan === undefined) {
      plan = make();
      byShape.set(shape, plan);
    }
    return plan;
  }
}
