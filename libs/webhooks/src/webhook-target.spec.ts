import { addressKind, checkWebhookUrlSyntax, Resolve, resolveAll, resolveWebhookTarget, WebhookTargetPolicy } from './webhook-target';

const STRICT: WebhookTargetPolicy = { allowHttp: false, allowPrivateNetworks: false };
const PRIVATE_OK: WebhookTargetPolicy = { allowHttp: false, allowPrivateNetworks: true };
const HTTP_OK: WebhookTargetPolicy = { allowHttp: true, allowPrivateNetworks: false };
const OPEN: WebhookTargetPolicy = { allowHttp: true, allowPrivateNetworks: true };

type Answer = Array<{ address: string; family: 4 | 6 }>;

/** A fake resolver: a table of names, anything else fails like getaddrinfo's ENOTFOUND. */
function fakeResolver(table: Record<string, string[]>): Resolve & jest.Mock {
  return jest.fn(async (hostname: string): Promise<Answer> => {
    const addresses = table[hostname];
    if (!addresses) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    }
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  });
}

/** A resolver that must not be called (IP literals and syntax refusals never resolve). */
const noResolve = (): Resolve & jest.Mock =>
  jest.fn(async () => {
    throw new Error('resolver must not be called');
  });

function refusedReason(result: { ok: boolean; reason?: string }): string {
  expect(result.ok).toBe(false);
  return (result as { reason: string }).reason;
}

describe('addressKind', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['172.32.0.1', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.5', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.255', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['not-an-ip', 'reserved'],
  ])('%s is %s', (address, kind) => {
    expect(addressKind(address)).toBe(kind);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:8.8.8.8', 'public'],
    ['::7f00:1', 'loopback'], // IPv4-compatible
    ['::a00:1', 'private'], // IPv4-compatible 10.0.0.1
    ['64:ff9b::7f00:1', 'loopback'], // NAT64 127.0.0.1
    ['64:ff9b::a9fe:a9fe', 'link-local'], // NAT64 169.254.169.254
    ['64:ff9b::808:808', 'public'], // NAT64 8.8.8.8
    ['[::1]', 'loopback'],
  ])('%s (IPv6 carrying IPv4) is %s', (address, kind) => {
    expect(addressKind(address)).toBe(kind);
  });
});

describe('checkWebhookUrlSyntax', () => {
  it('accepts a plain https URL, any port, with a query', () => {
    const result = checkWebhookUrlSyntax('https://hooks.example.com:8443/in?token=abc', STRICT);
    expect(result.ok).toBe(true);
    expect(result.ok && result.url.hostname).toBe('hooks.example.com');
    expect(result.ok && result.url.port).toBe('8443');
  });

  it('refuses http unless allowHttp', () => {
    expect(refusedReason(checkWebhookUrlSyntax('http://hooks.example.com/in', STRICT))).toMatch(/https/);
    expect(checkWebhookUrlSyntax('http://hooks.example.com/in', HTTP_OK).ok).toBe(true);
  });

  it.each(['ftp://example.com/x', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/plain,hi', 'ws://example.com/'])(
    'refuses the scheme of %s even with allowHttp',
    (url) => {
      expect(refusedReason(checkWebhookUrlSyntax(url, OPEN))).toMatch(/scheme/);
    },
  );

  it.each(['https://alice:hunter2@example.com/', 'https://alice@example.com/', 'https://:hunter2@example.com/'])(
    'refuses userinfo in %s without echoing it',
    (url) => {
      const reason = refusedReason(checkWebhookUrlSyntax(url, OPEN));
      expect(reason).toMatch(/user name or password/);
      expect(reason).not.toMatch(/alice|hunter2/);
    },
  );

  it.each(['https://', 'https://:443/', 'https://[/', 'not a url', '/relative/path', ''])('refuses %j (no host / not a URL)', (url) => {
    expect(checkWebhookUrlSyntax(url, OPEN).ok).toBe(false);
  });

  it('refuses a fragment, empty or not', () => {
    expect(refusedReason(checkWebhookUrlSyntax('https://example.com/in#part', STRICT))).toMatch(/fragment/);
    expect(refusedReason(checkWebhookUrlSyntax('https://example.com/in#', STRICT))).toMatch(/fragment/);
  });

  it('refuses a URL over 2000 characters', () => {
    const long = `https://example.com/${'a'.repeat(2000)}`;
    expect(refusedReason(checkWebhookUrlSyntax(long, STRICT))).toMatch(/2000/);
    expect(checkWebhookUrlSyntax(`https://example.com/${'a'.repeat(1900)}`, STRICT).ok).toBe(true);
  });

  it('never echoes the query string in a reason', () => {
    const urls = [
      'http://example.com/in?token=s3cr3t',
      'https://10.0.0.1/in?token=s3cr3t',
      'https://example.com/in?token=s3cr3t#x',
      'ftp://example.com/in?token=s3cr3t',
    ];
    for (const url of urls) {
      expect(refusedReason(checkWebhookUrlSyntax(url, STRICT))).not.toContain('s3cr3t');
    }
  });

  it.each([
    ['https://127.0.0.1/', /loopback/],
    ['https://127.1.2.3/', /loopback/],
    ['https://[::1]/', /loopback/],
    ['https://localhost/', /loopback/],
    ['https://LOCALHOST./', /loopback/],
    ['https://api.localhost/', /loopback/],
    ['https://10.0.0.5/', /private/],
    ['https://172.16.0.1/', /private/],
    ['https://172.31.255.254/', /private/],
    ['https://192.168.0.1/', /private/],
    ['https://100.64.0.1/', /private/],
    ['https://[fc00::1]/', /private/],
    ['https://[fd00::1]/', /private/],
    ['https://169.254.169.254/latest/meta-data/', /link-local/],
    ['https://[fe80::1]/', /link-local/],
    ['https://metadata.google.internal/computeMetadata/v1/', /link-local/],
    ['https://metadata/computeMetadata/v1/', /link-local/],
    ['https://0.0.0.0/', /unspecified/],
    ['https://0/', /unspecified/],
    ['https://[::]/', /unspecified/],
    // IPv4 forms the URL parser normalises to 127.0.0.1
    ['https://2130706433/', /loopback/],
    ['https://0x7f000001/', /loopback/],
    ['https://0x7f.0.0.1/', /loopback/],
    ['https://0177.0.0.1/', /loopback/],
    ['https://127.1/', /loopback/],
    ['https://012.0.0.1/', /private/], // octal 10.0.0.1
    // IPv6 carrying IPv4
    ['https://[::ffff:127.0.0.1]/', /loopback/],
    ['https://[::ffff:7f00:1]/', /loopback/],
    ['https://[::ffff:10.0.0.1]/', /private/],
    ['https://[::ffff:169.254.169.254]/', /link-local/],
    ['https://[64:ff9b::169.254.169.254]/', /link-local/],
    // always refused
    ['https://224.0.0.1/', /multicast/],
    ['https://[ff02::1]/', /multicast/],
    ['https://255.255.255.255/', /reserved/],
    ['https://240.0.0.1/', /reserved/],
  ])('refuses %s at once with the allow settings off', (url, kind) => {
    expect(refusedReason(checkWebhookUrlSyntax(url, STRICT))).toMatch(kind);
  });

  it.each([
    'https://127.0.0.1:3000/',
    'https://[::1]/',
    'https://localhost/',
    'https://10.0.0.5/',
    'https://172.16.0.1/',
    'https://192.168.0.1/',
    'https://100.64.0.1/',
    'https://[fd00::1]/',
    'https://169.254.169.254/',
    'https://[fe80::1]/',
    'https://metadata.google.internal/',
    'https://2130706433/',
    'https://[::ffff:7f00:1]/',
  ])('allows %s with allowPrivateNetworks', (url) => {
    expect(checkWebhookUrlSyntax(url, PRIVATE_OK).ok).toBe(true);
  });

  it.each(['https://0.0.0.0/', 'https://[::]/', 'https://224.0.0.1/', 'https://[ff02::1]/', 'https://255.255.255.255/'])(
    'still refuses %s with allowPrivateNetworks',
    (url) => {
      expect(checkWebhookUrlSyntax(url, OPEN).ok).toBe(false);
    },
  );

  it('accepts a public IP literal', () => {
    expect(checkWebhookUrlSyntax('https://8.8.8.8/in', STRICT).ok).toBe(true);
    expect(checkWebhookUrlSyntax('https://[2606:4700:4700::1111]/in', STRICT).ok).toBe(true);
  });
});

describe('resolveWebhookTarget', () => {
  const resolver = () =>
    fakeResolver({
      'hooks.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
      'v6only.example.com': ['2606:2800:220:1:248:1893:25c8:1946'],
      'internal.example.com': ['10.0.0.5'],
      'mixed.example.com': ['93.184.216.34', '10.0.0.5'],
      'mixed-v6.example.com': ['93.184.216.34', 'fd00::5'],
      'rebind.example.com': ['127.0.0.1'],
      'meta.example.com': ['169.254.169.254'],
      'mapped.example.com': ['::ffff:192.168.1.1'],
      'cgnat.example.com': ['100.64.1.2'],
      'zero.example.com': ['0.0.0.0'],
      'multicast.example.com': ['224.0.0.251'],
      'empty.example.com': [],
      localhost: ['127.0.0.1', '::1'],
    });

  it('allows a public name and returns the resolved address and family', async () => {
    const resolve = resolver();
    const result = await resolveWebhookTarget('https://hooks.example.com/in?x=1', STRICT, resolve);
    expect(result).toEqual({ ok: true, url: expect.any(URL), address: '93.184.216.34', family: 4 });
    expect(resolve).toHaveBeenCalledWith('hooks.example.com');
  });

  it('returns an IPv6 address with family 6', async () => {
    const result = await resolveWebhookTarget('https://v6only.example.com/', STRICT, resolver());
    expect(result).toMatchObject({ ok: true, address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 });
  });

  it('uses an IP literal as is, without resolving', async () => {
    const resolve = noResolve();
    expect(await resolveWebhookTarget('https://8.8.8.8/', STRICT, resolve)).toMatchObject({
      ok: true,
      address: '8.8.8.8',
      family: 4,
    });
    expect(await resolveWebhookTarget('https://[2606:4700:4700::1111]/', STRICT, resolve)).toMatchObject({
      ok: true,
      address: '2606:4700:4700::1111',
      family: 6,
    });
    expect(resolve).not.toHaveBeenCalled();
  });

  it.each([
    ['https://internal.example.com/', 'resolves to 10.0.0.5, a private address'],
    ['https://rebind.example.com/', 'resolves to 127.0.0.1, a loopback address'],
    ['https://meta.example.com/', 'resolves to 169.254.169.254, a link-local address'],
    ['https://mapped.example.com/', 'resolves to ::ffff:192.168.1.1, a private address'],
    ['https://cgnat.example.com/', 'resolves to 100.64.1.2, a private address'],
    ['https://zero.example.com/', 'resolves to 0.0.0.0, an unspecified address'],
    ['https://multicast.example.com/', 'resolves to 224.0.0.251, a multicast address'],
  ])('refuses %s: %s', async (url, reason) => {
    expect(refusedReason(await resolveWebhookTarget(url, STRICT, resolver()))).toContain(reason);
  });

  it('refuses a name resolving to a mix of public and private addresses', async () => {
    expect(refusedReason(await resolveWebhookTarget('https://mixed.example.com/', STRICT, resolver()))).toContain('resolves to 10.0.0.5, a private address');
    expect(refusedReason(await resolveWebhookTarget('https://mixed-v6.example.com/', STRICT, resolver()))).toContain('resolves to fd00::5, a private address');
  });

  it('refuses a name that does not resolve, or resolves to nothing', async () => {
    expect(refusedReason(await resolveWebhookTarget('https://nowhere.example.com/', STRICT, resolver()))).toMatch(/nowhere\.example\.com does not resolve/);
    expect(refusedReason(await resolveWebhookTarget('https://empty.example.com/', STRICT, resolver()))).toMatch(/does not resolve/);
  });

  it('refuses an invalid address coming from the resolver', async () => {
    const resolve: Resolve = async () => [{ address: 'garbage', family: 4 }];
    expect(refusedReason(await resolveWebhookTarget('https://odd.example.com/', OPEN, resolve))).toMatch(/reserved/);
  });

  it('refuses syntax problems before resolving', async () => {
    const resolve = noResolve();
    for (const url of [
      'http://hooks.example.com/',
      'https://user:pw@hooks.example.com/',
      'ftp://hooks.example.com/',
      'https://hooks.example.com/#x',
      'https://localhost/',
      'https://metadata.google.internal/',
      'https://2130706433/',
      'https://[::ffff:7f00:1]/',
    ]) {
      expect((await resolveWebhookTarget(url, STRICT, resolve)).ok).toBe(false);
    }
    expect(resolve).not.toHaveBeenCalled();
  });

  it('never echoes the query string in a reason', async () => {
    const reason = refusedReason(await resolveWebhookTarget('https://internal.example.com/in?token=s3cr3t', STRICT, resolver()));
    expect(reason).not.toContain('s3cr3t');
    expect(reason).toContain('internal.example.com');
  });

  describe('with allowPrivateNetworks', () => {
    it.each([
      ['https://internal.example.com/', '10.0.0.5'],
      ['https://rebind.example.com/', '127.0.0.1'],
      ['https://meta.example.com/', '169.254.169.254'],
      ['https://mapped.example.com/', '::ffff:192.168.1.1'],
      ['https://cgnat.example.com/', '100.64.1.2'],
      ['https://mixed.example.com/', '93.184.216.34'],
      ['https://localhost/', '127.0.0.1'],
      ['https://10.1.2.3:8080/', '10.1.2.3'],
    ])('allows %s (connects to %s)', async (url, address) => {
      expect(await resolveWebhookTarget(url, PRIVATE_OK, resolver())).toMatchObject({ ok: true, address });
    });

    it('still refuses unspecified and multicast targets', async () => {
      expect(refusedReason(await resolveWebhookTarget('https://zero.example.com/', OPEN, resolver()))).toMatch(/unspecified/);
      expect(refusedReason(await resolveWebhookTarget('https://multicast.example.com/', OPEN, resolver()))).toMatch(/multicast/);
      expect((await resolveWebhookTarget('https://0.0.0.0/', OPEN, resolver())).ok).toBe(false);
      expect((await resolveWebhookTarget('https://[ff02::1]/', OPEN, resolver())).ok).toBe(false);
    });

    it('still refuses http without allowHttp', async () => {
      expect((await resolveWebhookTarget('http://internal.example.com/', PRIVATE_OK, resolver())).ok).toBe(false);
    });
  });

  it('allows http with allowHttp (public target)', async () => {
    expect(await resolveWebhookTarget('http://hooks.example.com/', HTTP_OK, resolver())).toMatchObject({
      ok: true,
      address: '93.184.216.34',
    });
  });

  it('allows http to a private target with both settings on', async () => {
    expect(await resolveWebhookTarget('http://localhost:3000/hook', OPEN, resolver())).toMatchObject({
      ok: true,
      address: '127.0.0.1',
    });
  });
});

describe('resolveAll (real resolver)', () => {
  it('resolves localhost to loopback addresses only', async () => {
    const addresses = await resolveAll('localhost');
    expect(addresses.length).toBeGreaterThan(0);
    for (const { address, family } of addresses) {
      expect(addressKind(address)).toBe('loopback');
      expect([4, 6]).toContain(family);
    }
  });
});
