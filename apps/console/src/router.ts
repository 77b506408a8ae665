/** The console's URLs (under /console) and the page each one shows. */

export const BASE_PATH = '/console';

export type PartnerPage = 'bundle' | 'preview' | 'analytics' | 'bookings' | 'keys';

export type Route =
  | { name: 'home' }
  | { name: 'partners' }
  | { name: 'audit' }
  | { name: PartnerPage; code: string }
  | { name: 'booking'; code: string; bookingId: string }
  | { name: 'not-found'; path: string };

const PARTNER_PAGES: readonly PartnerPage[] = ['bundle', 'preview', 'analytics', 'bookings', 'keys'];

function decode(segment: string): string | null {
  try {
    const value = decodeURIComponent(segment);
    return value === '' ? null : value;
  } catch {
    return null;
  }
}

/** Returns the route of a URL path (query and hash left out). */
export function matchRoute(pathname: string): Route {
  const notFound: Route = { name: 'not-found', path: pathname };
  if (pathname !== BASE_PATH && !pathname.startsWith(`${BASE_PATH}/`)) return notFound;
  const parts = pathname
    .slice(BASE_PATH.length)
    .split('/')
    .filter((part) => part !== '');
  if (parts.length === 0) return { name: 'home' };
  if (parts[0] === 'audit' && parts.length === 1) return { name: 'audit' };
  if (parts[0] !== 'partners') return notFound;
  if (parts.length === 1) return { name: 'partners' };
  const code = decode(parts[1]);
  if (code === null) return notFound;
  if (parts.length === 3) {
    const page = PARTNER_PAGES.find((p) => p === parts[2]);
    return page ? { name: page, code } : notFound;
  }
  if (parts.length === 4 && parts[2] === 'bookings') {
    const bookingId = decode(parts[3]);
    return bookingId === null ? notFound : { name: 'booking', code, bookingId };
  }
  return notFound;
}

/** Returns the URL path of a route (the inverse of matchRoute). */
export function routePath(route: Route): string {
  const enc = encodeURIComponent;
  switch (route.name) {
    case 'home':
      return BASE_PATH;
    case 'partners':
      return `${BASE_PATH}/partners`;
    case 'audit':
      return `${BASE_PATH}/audit`;
    case 'booking':
      return `${BASE_PATH}/partners/${enc(route.code)}/bookings/${enc(route.bookingId)}`;
    case 'not-found':
      return route.path;
    default:
      return `${BASE_PATH}/partners/${enc(route.code)}/${route.name}`;
  }
}

/** The partner a route belongs to, if any. */
export function routePartner(route: Route): string | undefined {
  return 'code' in route ? route.code : undefined;
}

/** A URL path with a query built from the given parameters (empty values left out). */
export function withQuery(path: string, params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(key, value);
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}
