import type { Product } from '@app/core';
import type { ExperimentRef, VariantAssignment } from './experiments.types';

export interface OverriddenProducts {
  /** new product objects (the inputs are never mutated) */
  products: Product[];
  /**
   * product code → the experiment and variant the product is subject to. A product is subject
   * to an experiment when any of its variants names the product (so a customer in the control
   * variant is counted too); an experiment that names no product covers every product. When
   * several experiments cover one product, the last one (declaration order) is recorded.
   */
  experimentByCode: Map<string, ExperimentRef>;
}

/**
 * Applies the chosen variants' overrides in order: `name` replaced, `pricing` merged field by
 * field (a later experiment wins on a field both set).
 */
export function applyOverrides(products: readonly Product[], assignments: readonly VariantAssignment[]): OverriddenProducts {
  const experimentByCode = new Map<string, ExperimentRef>();
  const out = products.map((product) => {
    let result: Product = product;
    for (const a of assignments) {
      const covers = a.productCodes.length === 0 || a.productCodes.includes(product.code);
      if (covers) experimentByCode.set(product.code, { key: a.key, variant: a.variant });
      const override = Object.prototype.hasOwnProperty.call(a.overrides, product.code) ? a.overrides[product.code] : undefined;
      if (!override) continue;
      const pricing = { ...result.pricing };
      for (const [field, expr] of Object.entries(override.pricing ?? {})) {
        if (typeof expr === 'string') (pricing as Record<string, string>)[field] = expr;
      }
      result = { ...result, pricing, ...(override.name !== undefined ? { name: override.name } : {}) };
    }
    return result;
  });
  return { products: out, experimentByCode };
}
