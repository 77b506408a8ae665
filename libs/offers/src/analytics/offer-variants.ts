import { newId } from '@app/core';
import { OfferVariantEntity } from '../entities/offer-variant.entity';

type VariantSource = {
  id: string;
  partnerId: string;
  offerConfigId: string;
  currency: string;
  createdAt: Date;
  experiments: ReadonlyArray<{ key: string; variant: string }>;
};

/**
 * The offers' conversion rows (one per experiment variant, or one with no variant), written in
 * the offers' own transaction by OffersRepository.
 */
export function offerVariantRows(offers: readonly VariantSource[]): OfferVariantEntity[] {
  return offers.flatMap((offer) => {
    const experiments: Array<{ key: string | null; variant: string | null }> =
      offer.experiments.length > 0 ? [...offer.experiments] : [{ key: null, variant: null }];
    return experiments.map((e, ordinal) =>
      Object.assign(new OfferVariantEntity(), {
      id: newId(),
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
    }),
    );
  });
}
