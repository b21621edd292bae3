// One root config that finds every package's tests and the suites under tests/.
// Two projects: `unit` needs nothing running; `integration` (files named *.int.test.ts and
// everything under tests/) gets real Kafka and DynamoDB Local from its global setup, which
// Jest runs only when at least one of its tests is selected.
const shared = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' }, sourceMaps: 'inline' }],
    // jose 6 ships only ES modules; Jest's CommonJS runtime needs it transformed (Node loads it with import()).
    '/node_modules/jose/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@tradeflow/([a-z-]+)$': '<rootDir>/services/$1/src/index',
    '^@tradeflow/([a-z-]+)/(.*)$': '<rootDir>/services/$1/src/$2',
    // Dynamic import() needs the emitted `.js` extension under Node16 resolution; Jest loads the `.ts` source.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // Downloads and build copies (.cache/ship holds whole copies of the packages) are not modules of this repo.
  modulePathIgnorePatterns: ['<rootDir>/.cache/', '<rootDir>/.run/'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/services/*/test/**/*.test.ts'],
      testPathIgnorePatterns: [...shared.testPathIgnorePatterns, '\\.int\\.test\\.ts$'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/services/*/test/**/*.int.test.ts', '<rootDir>/tests/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/setup/global-setup.ts',
      globalTeardown: '<rootDir>/tests/setup/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/tests/setup/integration-timeout.ts'],
    },
  ],
};
