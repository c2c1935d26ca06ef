/**
 * The central server as it is deployed: dist/server.js in a folder installed with
 * `npm ci --omit=dev` (no TypeScript, no tsx, no development dependency), outside this project so
 * nothing resolves from its node_modules. It prints its usage, starts, answers the browser and the
 * sync API, logs JSON lines, backs up into --backup-dir and stops on SIGTERM.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildServer } from '../../scripts/build-server';
import { tempDir } from '../helpers/core';
import { httpFrom } from '../helpers/http-from';

const root = path.resolve(__dirname, '..', '..');
let deploy: string;

beforeAll(async () => {
  deploy = tempDir('deploy-');
  // What a release of the server is: package.json, its lock, and dist/ (window, migrations, server).
  for (const file of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(root, file), path.join(deploy, file));
  for (const folder of ['renderer', 'migrations']) {
    fs.cpSync(path.join(root, 'dist', folder), path.join(deploy, 'dist', folder), { recursive: true });
  }
  await buildServer({ outfile: path.join(deploy, 'dist', 'server.js') });
  const install = spawnSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], {
    cwd: deploy,
    encoding: 'utf8',
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
  });
  if (install.status !== 0) throw new Error(`npm ci --omit=dev failed:\n${install.stdout}\n${install.stderr}`);
}, 300_000);

function packagesInstalled(): string[] {
  return fs.readdirSync(path.join(deploy, 'node_modules')).filter((name) => !name.startsWith('.'));
}

it('installs only the runtime dependencies: no development tool is there', () => {
  const installed = packagesInstalled();
  expect(installed).toContain('better-sqlite3');
  for (const devTool of ['typescript', 'tsx', 'esbuild', 'jest', 'electron', 'fastify', 'drizzle-orm', 'zod']) {
    expect(installed).not.toContain(devTool);
  }
});

it('--help prints the usage on standard output and exits 0', () => {
  const run = spawnSync(process.execPath, ['dist/server.js', '--help'], { cwd: deploy, encoding: 'utf8' });
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('Usage: node dist/server.js --datafile PATH');
  expect(run.stdout).toContain('--backup-dir DIR');
  expect(run.stderr).toBe('');
});

it('a wrong option prints the usage on standard error and exits 2', () => {
  const run = spawnSync(process.execPath, ['dist/server.js', '--datafile', 'x.sqlite', '--backup-keep', '0', '--backup-dir', 'b'], {
    cwd: deploy,
    encoding: 'utf8',
  });
  expect(run.status).toBe(2);
  expect(run.stderr).toContain('--backup-keep must be a whole number of at least 1');
  expect(run.stdout).toBe('');
});

it('starts on a new datafile, answers the browser and the sync API, logs JSON, backs up, and stops on SIGTERM', async () => {
  const data = tempDir('deployed-data-');
  const child = spawn(
    process.execPath,
    [
      'dist/server.js',
      '--datafile',
      path.join(data, 'central.sqlite'),
      '--port',
      '0',
      '--log-level',
      'info',
      '--backup-dir',
      path.join(data, 'backups'),
    ],
    { cwd: deploy, env: { ...process.env, SYNC_ADMIN_PASSWORD: 'a long enough password' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 30_000;
    while (!/Datafile backed up/.test(stdout) || !/listening on (http:\/\/\S+)/.test(stdout)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the server did not start:\n${stdout}\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const url = stdout.match(/listening on (http:\/\/\S+)/)![1]!;

    const page = await httpFrom(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<div id="root">');
    const sync = await httpFrom(`${url}/sync/v5/site`);
    expect(sync.status).toBe(401);
    expect(sync.json.error.code).toBeTruthy();

    // fastify's logger: one JSON object per line, with pino's level numbers.
    const logLines = stdout.split('\n').filter((line) => line.startsWith('{'));
    const events = logLines.map((line) => JSON.parse(line) as { level: number; msg: string; backup?: string });
    expect(events.some((event) => event.level === 30 && /Server listening/.test(event.msg))).toBe(true);
    const backup = events.find((event) => event.msg === 'Datafile backed up')!;
    expect(fs.existsSync(backup.backup!)).toBe(true);
    expect(path.dirname(backup.backup!)).toBe(path.join(data, 'backups'));
    expect(stdout).not.toContain('a long enough password');
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  expect(stdout).toContain('Central server stopped.');
});
