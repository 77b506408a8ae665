import { SetMetadata } from '@nestjs/common';

export type RouteClass = 'create' | 'confirm' | 'other';
export const ROUTE_CLASS = 'offers:route-class';

/** Which per-key rate limit (`create`, `confirm` or `other`) a partner route counts against (default `other`). */
export const RateLimitClass = (c: RouteClass) => SetMetadata(ROUTE_CLASS, c);
