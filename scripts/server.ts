/**
 * The headless central server:
 *
 *   npm run server -- --datafile PATH [--port N] [--host H] [--public-url URL] [--allowed-host NAME]...
 *                     [--cert F --key F] [--credential-key-file F] [--demo] [--log-level L]
 *   npm run server -- --datafile PATH --reset-password USER
 *
 * A new datafile needs its first administrator: the password comes from SYNC_ADMIN_PASSWORD (never a
 * command-line argument, which other users of the machine can see), the user name from
 * SYNC_ADMIN_USER (default "admin"). Nothing is created until both are valid.
 *
 * --reset-password is for the machine's owner who forgot an administrator's password: it sets a new
 * one (SYNC_ADMIN_PASSWORD, or standard input), enables the user, and exits. It is not offered over
 * the network.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AppFailure } from '../shared/errors';
import { setUpDatafileInput } from '../shared/ipc';
import { issuesOf } from '../shared/validate';
import { openCore } from '../main/core';
import { findRendererFolder } from '../main/http/renderer-folder';
import { type RunningServer, startServer } from '../main/hosts/server';
import { type ScheduledBackups, startScheduledBackups } from '../main/hosts/scheduled-backups';
import { defaultCredentialKeyFile, loadOrCreateCredentialKey } from '../main/services/credential-key';
import { readNewPassword } from './read-password';

export { startServer } from '../main/hosts/server';
export type { RunningServer, StartServerOptions } from '../main/hosts/server';

/** How this server was started: the bundle (node dist/server.js) or from source (npm run server). */
const command = path.basename(process.argv[1] ?? '').endsWith('.js') ? 'node dist/server.js' : 'npm run server --';

const usage = `Usage: ${command} --datafile PATH [--port N] [--host H] [--public-url URL] [--allowed-host NAME]...
                      [--cert FILE --key FILE] [--credential-key-file FILE] [--demo] [--log-level LEVEL] [--backup-dir DIR [--backup-keep N]]

  --datafile PATH   the central server's datafile (created when it does not exist)
  --port N          port to listen on (default: the datafile's central_server_port setting, else 2048)
  --host H          address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 for the network)
  --public-url URL  the address remote sites and browsers use, e.g. https://central.example.org:2048
  --allowed-host N  another name the server is reached under (repeat for more). IP addresses,
                    localhost and this computer's name are always answered; other names are refused
                    (a guard against DNS rebinding)
  --cert, --key     PEM certificate and private key: serve HTTPS
  --credential-key-file FILE
                    the secret key that lets sites verified before a restart sign in without a
                    new scrypt check (made when missing; keep it OUT of the datafile's folder and
                    backups). Default: ${defaultCredentialKeyFile()}
  --demo            when creating the datafile, add the example system of the mSupply documentation
  --log-level L     fatal, error, warn (default), info, debug, trace: the server logs to standard
                    output as JSON lines (one per event; info adds every request and each backup)
  --backup-dir DIR  back up the datafile into DIR at start (unless it holds one from the last 24
                    hours) and every 24 hours after, as <datafile>-<date>T<time>Z.sqlite
  --backup-keep N   how many of those backups to keep, the newest (default 14)
  --reset-password USER
                    set a new password for USER (a forgotten administrator password) and exit; the
                    password comes from SYNC_ADMIN_PASSWORD, or is read from standard input

Creating a datafile needs SYNC_ADMIN_PASSWORD (at least 8 characters) and optionally SYNC_ADMIN_USER.
The Synchronisation window is served at the address printed: open it in a browser.`;

class UsageError extends Error {}
/** --help: the usage goes to standard output, and the exit status is 0. */
class HelpRequested extends UsageError {}

interface CliOptions {
  datafile: string;
  port?: number;
  host: string;
  tls?: { certFile: string; keyFile: string };
  /** Names the server answers to besides IP addresses, localhost and this computer's name. */
  allowedHosts: string[];
  demo: boolean;
  logLevel: string;
  /** Given on the command line (an unreadable file stops the server) or the default (only warned). */
  credentialKeyFile: { file: string; explicit: boolean };
  resetPassword?: string;
  backup?: { folder: string; keep: number };
}

export function parseCli(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      datafile: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'public-url': { type: 'string' },
      'allowed-host': { type: 'string', multiple: true, default: [] },
      cert: { type: 'string' },
      key: { type: 'string' },
      'credential-key-file': { type: 'string' },
      demo: { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'warn' },
      'reset-password': { type: 'string' },
      'backup-dir': { type: 'string' },
      'backup-keep': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) throw new HelpRequested('');
  if (!values.datafile) throw new UsageError('--datafile is required.');
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not "${values.port}".`);
  }
  if (Boolean(values.cert) !== Boolean(values.key)) throw new UsageError('--cert and --key go together: give both for HTTPS.');
  const allowedHosts = [...values['allowed-host']!];
  for (const name of allowedHosts) {
    if (!/^[a-z0-9.-]+(:\d+)?$/i.test(name.trim())) throw new UsageError(`--allowed-host must be a host name, not "${name}".`);
  }
  const publicUrl = values['public-url'];
  if (publicUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(publicUrl);
    } catch {
      throw new UsageError(`--public-url must be a URL such as https://central.example.org:2048, not "${publicUrl}".`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError('--public-url must start with http:// or https://.');
    allowedHosts.push(url.hostname);
  }
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];
  if (!levels.includes(values['log-level']!)) throw new UsageError(`--log-level must be one of ${levels.join(', ')}.`);
  const keepText = values['backup-keep'];
  if (keepText !== undefined && !values['backup-dir']) throw new UsageError('--backup-keep goes with --backup-dir: say where the backups go.');
  const keep = keepText === undefined ? 14 : Number(keepText);
  if (!Number.isInteger(keep) || keep < 1 || !/^\d+$/.test(keepText ?? '14')) {
    throw new UsageError(`--backup-keep must be a whole number of at least 1, not "${keepText}".`);
  }
  const backupDir = values['backup-dir']?.trim();
  if (values['backup-dir'] !== undefined && !backupDir) throw new UsageError('--backup-dir needs a folder.');
  return {
    datafile: values.datafile,
    port,
    host: values.host ?? '127.0.0.1',
    tls: values.cert && values.key ? { certFile: values.cert, keyFile: values.key } : undefined,
    allowedHosts,
    demo: values.demo!,
    logLevel: values['log-level']!,
    credentialKeyFile: values['credential-key-file']
      ? { file: values['credential-key-file'], explicit: true }
      : { file: defaultCredentialKeyFile(), explicit: false },
    resetPassword: values['reset-password']?.trim() || undefined,
    backup: backupDir ? { folder: path.resolve(backupDir), keep } : undefined,
  };
}

/** --reset-password: the machine owner sets a forgotten password; nothing is served. */
async function resetPassword(cli: CliOptions & { resetPassword: string }): Promise<number> {
  if (!fs.existsSync(cli.datafile)) {
    console.error(`${cli.datafile} does not exist: there is no password to reset.`);
    return 1;
  }
  const password = await readNewPassword(`New password for ${cli.resetPassword}: `);
  let core;
  try {
    core = await openCore(cli.datafile);
  } catch (error) {
    console.error(`The datafile could not be opened: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  try {
    const result = await core.users.resetPasswordFromCommandLine(cli.resetPassword, password);
    console.log(
      `The password of ${result.userName} was reset${result.admin ? ' (an administrator)' : ''}; the user is enabled. ` +
        'Log in with it in the Synchronisation window.',
    );
    return 0;
  } catch (error) {
    console.error(error instanceof AppFailure ? error.message : `The password was not reset: ${String(error)}`);
    return 1;
  } finally {
    core.close();
  }
}

async function main(): Promise<void> {
  let cli: CliOptions;
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (error) {
    if (error instanceof HelpRequested) {
      console.log(usage);
      process.exitCode = 0;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    if (message) console.error(message);
    console.error(usage);
    process.exitCode = 2;
    return;
  }

  if (cli.resetPassword) {
    process.exitCode = await resetPassword({ ...cli, resetPassword: cli.resetPassword });
    return;
  }

  // The browser's window is the built renderer: without it the server would answer "run npm run build".
  if (!findRendererFolder()) {
    console.error('The Synchronisation window is not built: dist/renderer is missing. Run "npm run build" first, then start the server again.');
    process.exitCode = 1;
    return;
  }

  const exists = fs.existsSync(cli.datafile) && fs.statSync(cli.datafile).size > 0;
  const password = process.env.SYNC_ADMIN_PASSWORD;
  const userName = process.env.SYNC_ADMIN_USER?.trim() || 'admin';
  if (!exists && !password) {
    console.error(
      `${cli.datafile} does not exist. To create it, set SYNC_ADMIN_PASSWORD to the first administrator's password ` +
        '(and SYNC_ADMIN_USER to their user name, default "admin").',
    );
    process.exitCode = 1;
    return;
  }
  if (!exists) {
    // Every input is checked before the file is created: a refused password leaves nothing behind.
    const admin = setUpDatafileInput.safeParse({ userName, password, demo: cli.demo });
    if (!admin.success) {
      console.error(
        `${cli.datafile} was not created: ${issuesOf(admin.error)
          .map((i) => i.message)
          .join(' ')} (SYNC_ADMIN_PASSWORD, SYNC_ADMIN_USER)`,
      );
      process.exitCode = 1;
      return;
    }
  }
  if (exists && cli.demo) console.warn('--demo only applies when creating a datafile; this one exists, so it is opened as it is.');

  let credentialKey: Buffer | undefined;
  try {
    credentialKey = loadOrCreateCredentialKey(cli.credentialKeyFile.file);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (cli.credentialKeyFile.explicit) {
      console.error(`The central server could not start: ${message}`);
      process.exitCode = 1;
      return;
    }
    console.warn(`Sites will need a full password check after each restart: ${message}`);
  }

  let running: RunningServer;
  try {
    running = await startServer({
      credentialKey,
      datafile: cli.datafile,
      setup: exists ? undefined : { admin: { userName, password: password! }, demo: cli.demo },
      port: cli.port,
      host: cli.host,
      tls: cli.tls,
      allowedHosts: cli.allowedHosts,
      logger: { level: cli.logLevel },
    });
  } catch (error) {
    console.error(`The central server could not start: ${error instanceof AppFailure || error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
    return;
  }
  if (!exists) console.log(`Created ${cli.datafile}${cli.demo ? ' with the demo system' : ''}.`);
  console.log(`Central server listening on ${running.url}`);
  console.log(
    `Open ${running.url} in a browser for the Synchronisation window (log in${exists ? '' : ` as ${userName}`}). ` +
      'Remote sites sync with the same address.',
  );

  let backups: ScheduledBackups | undefined;
  if (cli.backup) {
    const log = running.server.log;
    backups = startScheduledBackups(running.core.datafile.sqlite, {
      ...cli.backup,
      onBackup: (result) => log.info({ backup: result.file, bytes: result.bytes, removed: result.removed }, 'Datafile backed up'),
      onError: (error) => log.error({ err: error, backupDir: cli.backup!.folder }, 'The datafile could not be backed up'),
    });
    console.log(`Backing up the datafile into ${cli.backup.folder} every 24 hours, keeping the newest ${cli.backup.keep}.`);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      console.error(`${signal} again: stopping now.`);
      process.exit(1);
    }
    stopping = true;
    console.log(`${signal}: finishing calls in progress and closing the datafile...`);
    // A backup in progress finishes before the datafile closes.
    (backups?.stop() ?? Promise.resolve())
      .then(() => running.stop())
      .then(
        () => {
          console.log('Central server stopped.');
          process.exitCode = 0;
        },
        (error: unknown) => {
          console.error('The central server did not stop cleanly:', error);
          process.exitCode = 1;
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) void main();
