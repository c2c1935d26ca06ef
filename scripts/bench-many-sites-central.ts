/**
 * The central server of `scripts/bench-many-sites.ts`, in its own process (a restart is a new
 * process), with its credential key file. Prints "listening URL"; on stdin answers
 * "rss" with "rss CURRENT PEAK" (bytes; the peak sampled every 20 ms), "stats" with
 * "stats {json}" (scrypt checks, tag verifications, sign-ins refused as overloaded) and "cpu" with
 * "cpu MICROSECONDS" (the process's user + system CPU time so far).
 *
 *   node --import tsx scripts/bench-many-sites-central.ts DATAFILE KEYFILE
 */
import readline from 'node:readline';
import { startServer } from '../main/hosts/server';
import { loadOrCreateCredentialKey } from '../main/services/credential-key';

async function main(): Promise<void> {
  const [file, keyFile] = process.argv.slice(2);
  if (!file || !keyFile) throw new Error('usage: bench-many-sites-central.ts DATAFILE KEYFILE');
  let peak = process.memoryUsage().rss;
  setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20).unref();
  const running = await startServer({
    datafile: file,
    port: 0,
    adminApi: false,
    credentialKey: loadOrCreateCredentialKey(keyFile),
  });
  process.stdout.write(`listening ${running.url}\n`);
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const command = line.trim();
    if (command === 'rss') process.stdout.write(`rss ${process.memoryUsage().rss} ${peak}\n`);
    if (command === 'stats') {
      const authenticator = running.server.siteAuthenticator;
      const stats = {
        scrypt: authenticator.credentials.scryptVerifications,
        tags: authenticator.credentials.tagVerifications,
        overloaded: authenticator.limiter.overloadedRefusals,
      };
      process.stdout.write(`stats ${JSON.stringify(stats)}\n`);
    }
    if (command === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.stdout.write(`cpu ${user + system}\n`);
    }
    if (command === 'exit') break;
  }
  setTimeout(() => process.exit(0), 2000).unref();
  await running.stop();
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
