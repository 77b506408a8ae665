export { quoteProduct, MAX_MINOR_UNITS } from './quote-product';
export { toProductResponse, toQuoteVars } from './product-response';
export { formatApiDate, formatMinor, moneyJson } from './format';
export type {
  CelVars,
  Evaluate,
  QuoteInput,
  QuoteResult,
  PricedQuote,
  PricedBenefit,
  PricingInputs,
  JsonValue,
  MoneyJson,
  PriceJson,
  BenefitJson,
  ProductResponse,
  ProductResponseOptions,
} from './quotes.types';
