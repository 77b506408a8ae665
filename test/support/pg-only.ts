/**
 * For suites that need PostgreSQL (the integration run sets TEST_PG_ADMIN_URL): the admin URL, and
 * `describe` when it is set, else `describe.skip` after saying why on stderr (`npm test`).
 */
export function pgOnly(suite: string): { adminUrl: string | undefined; describePg: jest.Describe } {
  const adminUrl = process.env.TEST_PG_ADMIN_URL;
  if (!adminUrl) process.stderr.write(`${suite}: needs PostgreSQL (TEST_PG_ADMIN_URL, set by npm run test:integration) — skipped\n`);
  return { adminUrl, describePg: adminUrl ? describe : describe.skip };
}
