/**
 * `npm run bench`: every speed target of the project, printed as figures (never as timed tests).
 * Each part lives in its own script and can also be run alone.
 */
import { benchAuth } from './bench-auth';
import { benchCore } from './bench-core';
import { benchSignIn } from './bench-sign-in';
import { benchSync } from './bench-sync';

async function main() {
  console.log(`Benchmarks on ${process.platform} ${process.arch}, Node ${process.version}\n`);
  await benchCore();
  console.log('');
  await benchAuth();
  console.log('');
  await benchSignIn();
  console.log('');
  await benchSync();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
