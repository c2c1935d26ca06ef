/**
 * The central server of `scripts/bench-many-sites.ts`, in its own process (a restart is a new
 * process), with its credential key file. Prints "listening URL"; on stdin answers
 * "rss" with "rss CURRENT PEAK" (bytes; the peak sampled every 20 ms), "stats" with
 * "stats {json}" (scrypt checks, tag verifications, sign-ins refused as overloaded) and "cpu" with
 * "cpu MICROSECONDS" (the process's user + system CPU time so far).
 *
 *   node --import tsx scripts/bench-many-sites-central.ts DATAFILE KEYFILE
 */
import { startServer } from '../main/hosts/server';
import { loadOrCreateCredentialKey } from '../main/services/credential-key';
import { runBenchCentral, serveBenchCommands } from './bench-central-child';

async function main(): Promise<void> {
  const [file, keyFile] = process.argv.slice(2);
  if (!file || !keyFile) throw new Error('usage: bench-many-sites-central.ts DATAFILE KEYFILE');
  const running = await startServer({
    datafile: file,
    port: 0,
    adminApi: false,
    credentialKey: loadOrCreateCredentialKey(keyFile),
  });
  const authenticator = running.server.siteAuthenticator;
  await serveBenchCommands(running, {
    stats: () =>
      `stats ${JSON.stringify({
        scrypt: authenticator.credentials.scryptVerifications,
        tags: authenticator.credentials.tagVerifications,
        overloaded: authenticator.limiter.overloadedRefusals,
      })}`,
    cpu: () => {
      const { user, system } = process.cpuUsage();
      return `cpu ${user + system}`;
    },
  });
}

runBenchCentral(main);
