/**
 * Central and remote as separate programs: the remote runs in its own Node process (its own
 * datafile), and the headless server runs as `npm run server` would start it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openCore } from '../../main/core';
import { ADMIN, fastHasher, tempDir } from '../helpers/core';
import { type Central, WAIKATO, selfSignedCertificate, setSitePassword, siteRow, startCentral, syncCall } from './helpers';

const root = path.resolve(__dirname, '../..');
const PASSWORD = 'waikato password';

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function remoteCheck(centralUrl: string, hardwareId: string, env: NodeJS.ProcessEnv = {}) {
  const file = path.join(tempDir('remote-process-'), 'remote.sqlite');
  return run(['tests/sync/fixtures/check-connection-process.ts', file, centralUrl, 'Waikato', hardwareId], {
    REMOTE_SITE_PASSWORD: PASSWORD,
    ...env,
  });
}

describe('a remote site in its own process', () => {
  let central: Central;
  afterEach(async () => central?.stop());

  it('checks its connection to the central server, which binds its hardware ID', async () => {
    central = await startCentral();
    await setSitePassword(central.core, WAIKATO, PASSWORD);

    const first = await remoteCheck(central.url, 'process-device-1');
    expect(first.stderr).toBe('');
    const result = JSON.parse(first.stdout);
    expect(result.check).toEqual({
      outcome: 'connected',
      message: 'Connection successful: the central server knows this site as Waikato.',
      centralSiteName: 'Waikato',
    });
    expect(result.remembered).toBe(siteRow(central.core, WAIKATO).uuid);
    expect(siteRow(central.core, WAIKATO)).toMatchObject({ hardwareId: 'process-device-1', appName: 'mSupply Sync Sites' });

    const second = JSON.parse((await remoteCheck(central.url, 'process-device-2')).stdout);
    expect(second.check).toEqual({ outcome: 'site_incorrect_hardware_id', message: 'Incorrect hardware ID' });
  });

  it('connects over HTTPS when it trusts the central server certificate', async () => {
    const certificate = selfSignedCertificate();
    if (!certificate) {
      console.warn('openssl is not available: skipping the HTTPS test');
      return;
    }
    central = await startCentral({ tls: { certFile: certificate.certFile, keyFile: certificate.keyFile } });
    await setSitePassword(central.core, WAIKATO, PASSWORD);

    const untrusted = JSON.parse((await remoteCheck(central.url, 'tls-device')).stdout);
    expect(untrusted.check.outcome).toBe('certificate_not_trusted');

    const trusted = JSON.parse((await remoteCheck(central.url, 'tls-device', { NODE_EXTRA_CA_CERTS: certificate.certFile })).stdout);
    expect(trusted.check.outcome).toBe('connected');
  });
});

describe('npm run server (scripts/server.ts)', () => {
  it('refuses to create a datafile without SYNC_ADMIN_PASSWORD, and creates nothing', async () => {
    const file = path.join(tempDir('server-cli-'), 'central.sqlite');
    const env = { ...process.env };
    delete env.SYNC_ADMIN_PASSWORD;
    const finished = await new Promise<Finished>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/server.ts', '--datafile', file, '--port', '0'], { cwd: root, env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(finished.code).toBe(1);
    expect(finished.stderr).toContain('SYNC_ADMIN_PASSWORD');
    expect(fs.existsSync(file)).toBe(false);
  });

  it('rejects a bad port with the usage text', async () => {
    const finished = await run(['scripts/server.ts', '--datafile', 'x.sqlite', '--port', 'eighty']);
    expect(finished.code).toBe(2);
    expect(finished.stderr).toMatch(/--port must be a number/);
    expect(finished.stderr).toMatch(/Usage: npm run server/);
  });

  it('creates a demo datafile, prints its URL, serves sync calls, and stops cleanly on SIGTERM', async () => {
    const file = path.join(tempDir('server-cli-'), 'central.sqlite');
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/server.ts', '--datafile', file, '--port', '0', '--demo'], {
      cwd: root,
      env: { ...process.env, SYNC_ADMIN_PASSWORD: 'first admin password', SYNC_ADMIN_USER: 'ops' },
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (match) resolve(match[1]!);
      });
      child.on('close', () => reject(new Error(`server exited: ${stderr}`)));
    });

    const unauthenticated = await syncCall(url, '/sync/v5/site', { siteName: 'Kopu HC' });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.json.error.code).toBe('site_incorrect_password');

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain('Central server stopped.');

    // The datafile was closed properly and holds the demo system with the chosen administrator.
    const core = await openCore(file, { hasher: fastHasher });
    try {
      expect(core.sites.listSites({}).total).toBe(5);
      await expect(core.users.authenticate('ops', 'first admin password')).resolves.toMatchObject({ userName: 'ops' });
      await expect(core.users.authenticate(ADMIN.userName, ADMIN.password)).rejects.toThrow();
    } finally {
      core.close();
    }
  });
});
