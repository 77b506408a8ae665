import {
  buildSigningString,
  computeSignature,
  isSignatureAuthorization,
  parseHttpDate,
  parseSignatureAuthorization,
  requestTarget,
  SignableRequest,
  signatureAuthorization,
  signatureMatches,
} from './request-signature';

function request(method: string, path: string, headers: Record<string, string>): SignableRequest {
  return { method, path, header: (n) => headers[n] };
}

describe('request signatures (XCover-compatible)', () => {
  describe('the known vectors', () => {
    it('secret test_api_secret, hmac-sha256, date only', () => {
      const s = buildSigningString(['date'], request('GET', '/get', { date: 'Sun, 29 Aug 2021 12:07:26 GMT' }));
      expect(s).toBe('date: Sun, 29 Aug 2021 12:07:26 GMT');
      expect(computeSignature('test_api_secret', 'hmac-sha256', s as string)).toBe('bfxytCfvFqito27v0%2FKcN1jBJsgnCReimKXdAWwoi0k%3D');
    });

    it('secret efgh, hmac-sha512, date only', () => {
      const s = buildSigningString(['date'], request('POST', '/x', { date: 'Tue, 01 Jan 2019 00:00:00 GMT' })) as string;
      expect(computeSignature('efgh', 'hmac-sha512', s)).toBe(
        'f6RnwuCiDBJiAgi7fbc4cXEeKF%2BPKiIA%2BQbKVHqQmu3KHemhLg2wV5FDceUEbzPurmnqQi5H7W9Ot1om0o7W3A%3D%3D',
      );
    });

    it('the Python SDK header for the first vector parses and verifies, percent-encoded or not', () => {
      const header = 'Signature keyId="test_api_key",algorithm="hmac-sha256",headers="date",signature="bfxytCfvFqito27v0%2FKcN1jBJsgnCReimKXdAWwoi0k%3D"';
      const p = parseSignatureAuthorization(header);
      expect(p).toEqual({ keyId: 'test_api_key', algorithm: 'hmac-sha256', headers: ['date'], signature: 'bfxytCfvFqito27v0%2FKcN1jBJsgnCReimKXdAWwoi0k%3D' });
      const s = 'date: Sun, 29 Aug 2021 12:07:26 GMT';
      expect(signatureMatches(p!.signature, 'test_api_secret', 'hmac-sha256', s)).toBe(true);
      expect(signatureMatches('bfxytCfvFqito27v0/KcN1jBJsgnCReimKXdAWwoi0k=', 'test_api_secret', 'hmac-sha256', s)).toBe(true);
      expect(signatureMatches('bfxytCfvFqito27v0%2fKcN1jBJsgnCReimKXdAWwoi0k%3d', 'test_api_secret', 'hmac-sha256', s)).toBe(true);
    });

    it('the PHP SDK header for the second vector (no headers=) parses to the default `date`', () => {
      const sig = 'f6RnwuCiDBJiAgi7fbc4cXEeKF%2BPKiIA%2BQbKVHqQmu3KHemhLg2wV5FDceUEbzPurmnqQi5H7W9Ot1om0o7W3A%3D%3D';
      const p = parseSignatureAuthorization(`Signature keyId="abcd",algorithm="hmac-sha512",signature="${sig}"`);
      expect(p).toEqual({ keyId: 'abcd', algorithm: 'hmac-sha512', headers: ['date'], signature: sig });
      expect(signatureMatches(sig, 'efgh', 'hmac-sha512', 'date: Tue, 01 Jan 2019 00:00:00 GMT')).toBe(true);
    });
  });

  describe('(request-target) date', () => {
    it('signs the lower-case method and the path without its query, then the date', () => {
      const req = request('POST', '/x/partners/ACME/offers/', { date: 'Tue, 01 Jan 2019 00:00:00 GMT' });
      const s = buildSigningString(['(request-target)', 'date'], req);
      expect(s).toBe('(request-target): post /x/partners/ACME/offers/\ndate: Tue, 01 Jan 2019 00:00:00 GMT');
      // HMAC-SHA512("efgh", s), computed independently (Python hmac + urllib quote)
      expect(computeSignature('efgh', 'hmac-sha512', s as string)).toBe(
        'j%2FKeK22w1bwDgeW1kXU4XrMMcG63IGl3VnQX5q2sxvcLleMDX16U7kYwgo0z8HSqL86TEb4VGmeppIdluk5JyA%3D%3D',
      );
      expect(requestTarget('GET', '/x/partners/ACME/offers/1/?include_content=false')).toBe('get /x/partners/ACME/offers/1/');
    });

    it('a signature over one target does not verify another', () => {
      const headers = { date: 'Tue, 01 Jan 2019 00:00:00 GMT' };
      const signedFor = buildSigningString(['(request-target)', 'date'], request('POST', '/x/partners/ACME/offers/', headers)) as string;
      const sig = computeSignature('efgh', 'hmac-sha512', signedFor);
      const other = buildSigningString(['(request-target)', 'date'], request('POST', '/x/partners/ACME/offers/1/confirm/', headers)) as string;
      expect(signatureMatches(sig, 'efgh', 'hmac-sha512', other)).toBe(false);
    });

    it('a listed header absent from the request makes no signing string', () => {
      expect(buildSigningString(['date', 'digest'], request('GET', '/', { date: 'x' }))).toBeNull();
    });

    it('signatureAuthorization writes what the SDKs write', () => {
      const req = request('POST', '/x/partners/ACME/offers/', { date: 'Tue, 01 Jan 2019 00:00:00 GMT' });
      const python = signatureAuthorization({ keyId: 'k', secret: 'efgh', algorithm: 'hmac-sha512', request: req, headers: ['(request-target)', 'date'] });
      expect(python).toBe(
        'Signature keyId="k",algorithm="hmac-sha512",headers="(request-target) date",signature="j%2FKeK22w1bwDgeW1kXU4XrMMcG63IGl3VnQX5q2sxvcLleMDX16U7kYwgo0z8HSqL86TEb4VGmeppIdluk5JyA%3D%3D"',
      );
      const php = signatureAuthorization({ keyId: 'k', secret: 'efgh', algorithm: 'hmac-sha512', request: req });
      expect(php).toBe(
        'Signature keyId="k",algorithm="hmac-sha512",signature="f6RnwuCiDBJiAgi7fbc4cXEeKF%2BPKiIA%2BQbKVHqQmu3KHemhLg2wV5FDceUEbzPurmnqQi5H7W9Ot1om0o7W3A%3D%3D"',
      );
    });
  });

  describe('parsing Authorization', () => {
    it('tolerates spaces, case, bare tokens, escapes and unknown parameters', () => {
      expect(
        parseSignatureAuthorization('signature   keyId = "k1" ,  Algorithm=HMAC-SHA256,headers="(Request-Target)  Date", signature=abc/+def==, created=123'),
      ).toEqual({ keyId: 'k1', algorithm: 'hmac-sha256', headers: ['(request-target)', 'date'], signature: 'abc/+def==' });
      expect(parseSignatureAuthorization('Signature keyId="a\\"b",algorithm="hmac-sha256",signature="s,t"')).toEqual({
        keyId: 'a"b',
        algorithm: 'hmac-sha256',
        headers: ['date'],
        signature: 's,t',
      });
    });

    it.each([
      ['no parameters', 'Signature'],
      ['another scheme', 'Bearer keyId="k",algorithm="hmac-sha256",signature="s"'],
      ['no keyId', 'Signature algorithm="hmac-sha256",signature="s"'],
      ['no algorithm', 'Signature keyId="k",signature="s"'],
      ['no signature', 'Signature keyId="k",algorithm="hmac-sha256"'],
      ['an empty signature', 'Signature keyId="k",algorithm="hmac-sha256",signature=""'],
      ['a repeated parameter', 'Signature keyId="k",keyId="j",algorithm="hmac-sha256",signature="s"'],
      ['an unterminated quote', 'Signature keyId="k,algorithm="hmac-sha256",signature="s'],
      ['a missing comma', 'Signature keyId="k" algorithm="hmac-sha256",signature="s"'],
      ['a missing =', 'Signature keyId "k",algorithm="hmac-sha256",signature="s"'],
      ['an empty headers list', 'Signature keyId="k",algorithm="hmac-sha256",headers=" ",signature="s"'],
      ['a repeated header', 'Signature keyId="k",algorithm="hmac-sha256",headers="date date",signature="s"'],
      ['an oversized header', `Signature keyId="${'k'.repeat(5000)}",algorithm="hmac-sha256",signature="s"`],
    ])('refuses %s', (_what, header) => {
      expect(parseSignatureAuthorization(header)).toBeNull();
    });

    it('recognises the scheme', () => {
      expect(isSignatureAuthorization('Signature keyId="k"')).toBe(true);
      expect(isSignatureAuthorization('signature')).toBe(true);
      expect(isSignatureAuthorization('Signatures x')).toBe(false);
      expect(isSignatureAuthorization('Bearer x')).toBe(false);
      expect(isSignatureAuthorization(undefined)).toBe(false);
    });
  });

  describe('comparing', () => {
    const s = 'date: Tue, 01 Jan 2019 00:00:00 GMT';
    const good = computeSignature('efgh', 'hmac-sha512', s);

    it('refuses a changed character, a truncation, another algorithm, another secret and bad percent-encoding', () => {
      const flipped = (good[0] === 'A' ? 'B' : 'A') + good.slice(1);
      expect(signatureMatches(flipped, 'efgh', 'hmac-sha512', s)).toBe(false);
      expect(signatureMatches(good.slice(0, -3), 'efgh', 'hmac-sha512', s)).toBe(false);
      expect(signatureMatches(good, 'efgh', 'hmac-sha384', s)).toBe(false);
      expect(signatureMatches(good, 'efgi', 'hmac-sha512', s)).toBe(false);
      expect(signatureMatches('%E0%A4%A', 'efgh', 'hmac-sha512', s)).toBe(false);
      expect(signatureMatches('', 'efgh', 'hmac-sha512', s)).toBe(false);
    });
  });

  describe('HTTP dates', () => {
    it('reads IMF-fixdate (Python, PHP) and its UTC / +0000 variants', () => {
      const t = Date.UTC(2021, 7, 29, 12, 7, 26);
      expect(parseHttpDate('Sun, 29 Aug 2021 12:07:26 GMT')).toBe(t);
      expect(parseHttpDate('Sun, 29 Aug 2021 12:07:26 UTC')).toBe(t);
      expect(parseHttpDate('Sun, 29 Aug 2021 12:07:26 +0000')).toBe(t);
      expect(parseHttpDate('Sun, 29 Aug 2021 12:07:26 -0000')).toBe(t);
    });

    it.each([undefined, '', 'yesterday', '2021-08-29T12:07:26Z', '1630238846', 'Sun, 29 Aug 2021 12:07:26 +0200', 'Sun, 32 Aug 2021 12:07:26 GMT'])(
      'refuses %p',
      (v) => {
        expect(parseHttpDate(v)).toBeNull();
      },
    );
  });
});
