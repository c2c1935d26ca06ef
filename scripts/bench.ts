/**
 * `npm run bench`: every speed target of the project, printed as figures (never as timed tests).
 * Each part lives in its own script and can also be run alone.
 */
import { benchAuth } from './bench-auth';
import { benchCore } from './bench-core';

async function main() {
  console.log(`Benchmarks on ${process.platform} ${process.arch}, Node ${process.version}\n`);
  await benchCore();
  console.log('');
  await benchAuth();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
