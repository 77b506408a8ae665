import { matchRoute, routePartner, routePath, withQuery, type Route } from './router';

describe('matchRoute', () => {
  it('reads every page of the console', () => {
    expect(matchRoute('/console')).toEqual({ name: 'home' });
    expect(matchRoute('/console/')).toEqual({ name: 'home' });
    expect(matchRoute('/console/partners')).toEqual({ name: 'partners' });
    expect(matchRoute('/console/partners/')).toEqual({ name: 'partners' });
    expect(matchRoute('/console/audit')).toEqual({ name: 'audit' });
    for (const page of ['bundle', 'preview', 'analytics', 'bookings', 'keys'] as const) {
      expect(matchRoute(`/console/partners/DEMO/${page}`)).toEqual({ name: page, code: 'DEMO' });
    }
    expect(matchRoute('/console/partners/DEMO/bookings/8EB89-4A3H7-INS')).toEqual({ name: 'booking', code: 'DEMO', bookingId: '8EB89-4A3H7-INS' });
  });

  it('decodes path segments', () => {
    expect(matchRoute('/console/partners/A%20B/bundle')).toEqual({ name: 'bundle', code: 'A B' });
  });

  it('answers not-found for anything else', () => {
    for (const path of ['/', '/consoles', '/console/partners/DEMO', '/console/partners/DEMO/nope', '/console/audit/x', '/console/partners/%E0/bundle']) {
      expect(matchRoute(path)).toEqual({ name: 'not-found', path });
    }
  });
});

describe('routePath', () => {
  it('is the inverse of matchRoute', () => {
    const routes: Route[] = [
      { name: 'home' },
      { name: 'partners' },
      { name: 'audit' },
      { name: 'bundle', code: 'DEMO' },
      { name: 'keys', code: 'A/B' },
      { name: 'booking', code: 'DEMO', bookingId: 'X Y' },
    ];
    for (const route of routes) expect(matchRoute(routePath(route))).toEqual(route);
    expect(routePath({ name: 'booking', code: 'DEMO', bookingId: 'X Y' })).toBe('/console/partners/DEMO/bookings/X%20Y');
  });

  it('names the partner of a route', () => {
    expect(routePartner({ name: 'analytics', code: 'DEMO' })).toBe('DEMO');
    expect(routePartner({ name: 'audit' })).toBeUndefined();
  });
});

describe('withQuery', () => {
  it('leaves out empty parameters', () => {
    expect(withQuery('/console/audit', { action: 'bundle.write', partner_code: '', to: undefined })).toBe('/console/audit?action=bundle.write');
    expect(withQuery('/x', {})).toBe('/x');
    expect(withQuery('/x', { q: 'a@b.c d' })).toBe('/x?q=a%40b.c+d');
  });
});
