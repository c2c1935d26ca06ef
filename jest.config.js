/**
 * Two projects: Node for shared/db/main (electron mapped to a small fake), jsdom for the renderer.
 * TypeScript is compiled by swc; type errors are caught by `npm run typecheck`, which `npm test` runs.
 * Project e2e drives the built renderer in Debian's Chromium against `npm run server` (tests/e2e).
 */
const transform = {
  '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } } } }],
};

module.exports = {
  globalSetup: '<rootDir>/tests/global-setup.ts',
  reporters: ['default', '<rootDir>/tests/summary-reporter.js'],
  projects: [
    {
      displayName: 'node',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/tests/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/renderer/', '<rootDir>/tests/e2e/'],
      moduleNameMapper: { '^electron$': '<rootDir>/tests/fakes/electron.ts' },
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/tests/e2e/**/*.e2e.test.ts'],
    },
    {
      displayName: 'renderer',
      testEnvironment: 'jsdom',
      transform,
      testMatch: ['<rootDir>/tests/renderer/**/*.test.tsx'],
      setupFilesAfterEnv: ['<rootDir>/tests/renderer/setup.ts'],
    },
  ],
  testTimeout: 60_000,
};
