/**
 * `npm run bench`: every speed target of the project, printed as figures (never as timed tests).
 * Each part lives in its own script and can also be run alone.
 */
import os from 'node:os';
import { benchAuth } from './bench-auth';
import { benchCore } from './bench-core';
import { benchManySites } from './bench-many-sites';
import { benchSignIn } from './bench-sign-in';
import { benchSiteRoute } from './bench-site-route';
import { benchSync } from './bench-sync';

async function main() {
  const load = os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(', ');
  console.log(
    `Benchmarks on ${process.platform} ${process.arch}, Node ${process.version}, ${os.cpus().length} cores ` +
      `(${os.cpus()[0]?.model ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; load average before: ${load}\n`,
  );
  await benchCore();
  console.log('');
  await benchAuth();
  console.log('');
  await benchSiteRoute();
  console.log('');
  await benchSignIn();
  console.log('');
  // Three runs: one run on a shared 2-core machine varies by a fifth from the next.
  await benchSync({ runs: 3 });
  console.log('');
  // The same over a clinic-like link, where the pull ahead earns its keep.
  await benchSync({ link: { rttMs: 40, mbit: 100 } });
  console.log('');
  await benchManySites();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
