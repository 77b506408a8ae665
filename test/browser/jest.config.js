/*
 * The browser suite: the built app in a process of its own (started once, in globalSetup) driven
 * through Chromium. `npm run test:browser` (run.js) builds first when dist/ is stale, then runs
 * this config in band. The screenshots of docs/ are taken only with SCREENSHOTS=1 (screenshots.js).
 */
const { join } = require('node:path');

module.exports = {
  rootDir: join(__dirname, '../..'),
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  testPathIgnorePatterns: process.env.SCREENSHOTS === '1' ? ['/node_modules/'] : ['/node_modules/', '/test/browser/screenshots\\.browser-spec\\.ts$'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/browser/tsconfig.json' }] },
  globalSetup: '<rootDir>/test/browser/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/browser/support/global-teardown.ts',
  // a real browser against a real server: pages load, the server writes SQLite with FULL sync
  testTimeout: 120_000,
  maxWorkers: 1,
};
