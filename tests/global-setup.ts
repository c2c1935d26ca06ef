/**
 * Builds dist/ once before any test runs: the packaging test checks the paths electron-builder.yml
 * names, and the HTTP and browser tests serve the built renderer. Building here, before the
 * workers start, means no test ever sees a half-written dist/.
 */
import { build } from '../scripts/build';

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  await build({ production: false, typecheck: false });
  console.log(`\nBuilt dist/ for the tests in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}
