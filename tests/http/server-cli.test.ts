/**
 * `npm run server` as a newcomer meets it: it says where the Synchronisation window is, refuses to
 * start without the built window (on the console, with a non-zero exit), creates nothing when the
 * first administrator's password is too short, and lets the machine's owner reset a forgotten
 * password from the command line (SYNC_ADMIN_PASSWORD or standard input).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openCore } from '../../main/core';
import { fastHasher, newCore, tempDir, ADMIN } from '../helpers/core';

const root = path.resolve(__dirname, '..', '..');

interface Run {
  code: number | null;
  output: string;
}

function server(args: string[], env: Record<string, string | undefined>, options: { stdin?: string; until?: RegExp } = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'server.ts'), ...args], {
    cwd: root,
    env: { ...process.env, SYNC_ADMIN_PASSWORD: undefined, SYNC_ADMIN_USER: undefined, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise<Run>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no answer in time:\n${output}`));
    }, 50_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (options.until?.test(output)) child.kill('SIGTERM');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
    if (options.stdin !== undefined) child.stdin.end(options.stdin);
    else child.stdin.end();
  });
}

it('prints where the Synchronisation window is', async () => {
  const file = path.join(tempDir(), 'central.sqlite');
  const run = await server(['--datafile', file, '--port', '0'], { SYNC_ADMIN_PASSWORD: 'long enough password' }, { until: /Synchronisation window/ });
  expect(run.output).toMatch(/listening on (http:\/\/\S+)/);
  const url = run.output.match(/listening on (http:\/\/\S+)/)![1]!;
  expect(run.output).toContain(`Open ${url} in a browser for the Synchronisation window (log in as admin)`);
});

it('without the built window it says so on the console and exits non-zero', async () => {
  const file = path.join(tempDir(), 'central.sqlite');
  const run = await server(['--datafile', file, '--port', '0'], {
    SYNC_ADMIN_PASSWORD: 'long enough password',
    SYNC_SITES_RENDERER: path.join(tempDir(), 'no-renderer-here'),
  });
  expect(run.code).toBe(1);
  expect(run.output).toMatch(/not built.*npm run build/);
  expect(fs.existsSync(file)).toBe(false);
});

it('a too-short SYNC_ADMIN_PASSWORD creates no file at all', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'central.sqlite');
  const run = await server(['--datafile', file, '--port', '0'], { SYNC_ADMIN_PASSWORD: 'short' });
  expect(run.code).toBe(1);
  expect(run.output).toMatch(/was not created: The administrator password must be at least 8 characters/);
  expect(fs.readdirSync(dir)).toEqual([]);
});

describe('--reset-password USER', () => {
  async function datafile(): Promise<string> {
    const core = await newCore();
    const file = core.datafile.path;
    core.close();
    return file;
  }

  async function canLogIn(file: string, password: string): Promise<boolean> {
    const core = await openCore(file, { hasher: fastHasher });
    try {
      await core.users.authenticate(ADMIN.userName, password);
      return true;
    } catch {
      return false;
    } finally {
      core.close();
    }
  }

  it('takes the new password from SYNC_ADMIN_PASSWORD and exits without serving', async () => {
    const file = await datafile();
    const run = await server(['--datafile', file, '--reset-password', 'ADMIN'], { SYNC_ADMIN_PASSWORD: 'remembered at last' });
    expect(run.code).toBe(0);
    expect(run.output).toMatch(/The password of admin was reset \(an administrator\)/);
    expect(run.output).not.toMatch(/listening/);
    expect(run.output).not.toContain('remembered at last');
    expect(await canLogIn(file, 'remembered at last')).toBe(true);
    expect(await canLogIn(file, ADMIN.password)).toBe(false);
  });

  it('reads it from standard input when SYNC_ADMIN_PASSWORD is not set', async () => {
    const file = await datafile();
    const run = await server(['--datafile', file, '--reset-password', 'admin'], {}, { stdin: 'typed on stdin\n' });
    expect(run.code).toBe(0);
    expect(await canLogIn(file, 'typed on stdin')).toBe(true);
  });

  it('refuses a short password or an unknown user, changing nothing', async () => {
    const file = await datafile();
    const short = await server(['--datafile', file, '--reset-password', 'admin'], { SYNC_ADMIN_PASSWORD: 'short' });
    expect(short.code).toBe(1);
    expect(short.output).toMatch(/at least 8 characters/);
    const unknown = await server(['--datafile', file, '--reset-password', 'nobody'], { SYNC_ADMIN_PASSWORD: 'long enough password' });
    expect(unknown.code).toBe(1);
    expect(unknown.output).toMatch(/There is no user called "nobody". The users are: admin/);
    expect(await canLogIn(file, ADMIN.password)).toBe(true);
  });
});
