/*
 * Unit specs live beside the code (libs/**, apps/**: *.spec.ts); e2e suites drive the HTTP app
 * (test/e2e); database-level suites test SQL and storage directly, on the engine of the run:
 * beside the code they test (*.db-spec.ts) when they run on both engines, in test/integration
 * (*.spec.ts) when they need PostgreSQL. `npm test` runs every project (SQLite; the
 * PostgreSQL-only suites skip); `npm run test:integration` runs e2e and db on PostgreSQL and Redis.
 */
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

const common = {
  moduleFileExtensions: ['ts', 'js', 'json'],
  testEnvironment: 'node',
  // @marcbachmann/cel-js ships ES modules only: transpile it to CommonJS for Jest.
  transform: { '^.+\\.(t|j)s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }] },
  transformIgnorePatterns: ['/node_modules/(?!@marcbachmann/cel-js/)'],
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  rootDir: __dirname,
};

module.exports = {
  // a global option (jest ignores it inside a project): e2e suites boot apps and run property tests
  testTimeout: 30000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
    {
      ...common,
      displayName: 'db',
      testMatch: ['<rootDir>/libs/**/*.db-spec.ts', '<rootDir>/apps/**/*.db-spec.ts', '<rootDir>/test/integration/**/*.spec.ts'],
    },
  ],
};
