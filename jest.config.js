/** Two projects: Node for main/db/shared, jsdom for the renderer. TypeScript is compiled by swc;
 * type errors are caught by `npm run typecheck`, which `npm test` runs first. */
const transform = {
  '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { transform: { react: { runtime: 'automatic' } } } }],
};

module.exports = {
  projects: [
    {
      displayName: 'node',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/tests/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/renderer/', '<rootDir>/tests/e2e/'],
    },
  ],
  testTimeout: 60_000,
};
