import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { insertRows } from '@app/database';
import { OfferVariantEntity } from '../entities/offer-variant.entity';

/**
 * The offer's conversion rows (one per experiment variant, or one with no variant), in the
 * offer's own transaction: called by OffersRepository.insertOffer.
 */
export async function insertOfferVariants(
  manager: EntityManager,
  offer: { id: string; partnerId: string; offerConfigId: string; currency: string; createdAt: Date; experiments: ReadonlyArray<{ key: string; variant: string }> },
): Promise<void> {
  const experiments: Array<{ key: string | null; variant: string | null }> = offer.experiments.length > 0 ? [...offer.experiments] : [{ key: null, variant: null }];
  await insertRows(
    manager,
    OfferVariantEntity,
    experiments.map((e, ordinal) => ({
      id: randomUUID(),
      offerId: offer.id,
      partnerId: offer.partnerId,
      offerConfigId: offer.offerConfigId,
      experimentKey: e.key,
      variant: e.variant,
      ordinal,
      currency: offer.currency,
      status: 'OFFERED' as const,
      premiumMinor: 0,
      createdAt: offer.createdAt,
    })),
  );
}
