/** Central and remote datafiles talking real HTTP on 127.0.0.1, for the sync tests. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Core, openCore, type RemoteOptions } from '../../main/core';
import { sha256Hex } from '../../main/services/passwords';
import { type RunningServer, type StartServerOptions, startServer } from '../../main/hosts/server';
import { ADMIN, adminOf, fastHasher, tempDir, unchangedDraft } from '../helpers/core';

export const KAWAKAWA = 2;
export const WAIKATO = 3;
export const AUCKLAND = 4;
export const KOPU = 5;

/** Sign-in limits loose enough that only the rate-limit tests ever reach them. */
export const noLimits: StartServerOptions['signInLimits'] = {
  perName: { slowAfter: 1000, delayMs: 0, maxDelayMs: 0, lockAfter: 1000, lockMs: 1000, windowMs: 60_000 },
  perAddress: { slowAfter: 1000, delayMs: 0, maxDelayMs: 0, lockAfter: 1000, lockMs: 1000, windowMs: 60_000 },
};

export interface Central {
  core: Core;
  running: RunningServer;
  url: string;
  stop(): Promise<void>;
}

export async function startCentral(options: Partial<StartServerOptions> & { demo?: boolean } = {}): Promise<Central> {
  const { demo = true, ...rest } = options;
  const core =
    rest.core ??
    (await openCore(path.join(tempDir('central-'), 'central.sqlite'), {
      create: true,
      hasher: rest.hasher ?? fastHasher,
      setup: { admin: ADMIN, demo },
    }));
  const running = await startServer({ port: 0, signInLimits: noLimits, connectionRecordIntervalMs: 0, ...rest, core });
  return {
    core,
    running,
    url: running.url,
    stop: async () => {
      await running.stop();
      core.close();
    },
  };
}

/** Sets a site's password on the central as an administrator would (confirming if the site is in use). */
export async function setSitePassword(core: Core, siteId: number, password: string): Promise<void> {
  const admin = await adminOf(core);
  const result = await core.sites.saveSite(admin, {
    ...unchangedDraft(core, siteId),
    password,
    confirmations: ['change_password_of_active_site'],
  });
  if (result.status !== 'saved') throw new Error(`password not saved: ${JSON.stringify(result)}`);
}

export interface SyncCallOptions {
  siteName?: string;
  password?: string;
  /** Sent as the Basic password instead of sha256(password). */
  passwordSha256?: string;
  hardwareId?: string;
  appName?: string;
  appVersion?: string;
  version?: string;
  /** Replace or remove (undefined) any header. */
  headers?: Record<string, string | undefined>;
  method?: string;
  body?: string;
}

export function basic(siteName: string, secret: string): string {
  return `Basic ${Buffer.from(`${siteName}:${secret}`, 'utf8').toString('base64')}`;
}

export function syncHeadersFor(options: SyncCallOptions = {}): Record<string, string> {
  const headers: Record<string, string | undefined> = {
    authorization: basic(options.siteName ?? 'Waikato', options.passwordSha256 ?? sha256Hex(options.password ?? 'waikato password')),
    'msupply-site-uuid': options.hardwareId ?? 'waikato-device',
    'app-name': options.appName ?? 'Open mSupply Desktop',
    'app-version': options.appVersion ?? '2.6.0',
    version: options.version ?? '14',
    ...options.headers,
  };
  return Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined));
}

export interface SyncAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export async function syncCall(baseUrl: string, route: string, options: SyncCallOptions = {}): Promise<SyncAnswer> {
  const response = await fetch(`${baseUrl}${route}`, {
    method: options.method ?? 'GET',
    headers: syncHeadersFor(options),
    body: options.body,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export function siteRow(core: Core, siteId: number) {
  return core.datafile.sqlite
    .prepare(
      `select hardware_id as hardwareId, type, app_name as appName, app_version as appVersion, sync_version as syncVersion,
              first_connected_at as firstConnectedAt, last_connected_at as lastConnectedAt, version, uuid
       from site where id = ?`,
    )
    .get(siteId) as {
    hardwareId: string;
    type: string;
    appName: string | null;
    appVersion: string | null;
    syncVersion: number | null;
    firstConnectedAt: string | null;
    lastConnectedAt: string | null;
    version: number;
    uuid: string;
  };
}

/** A remote site's own datafile (not the demo system: a fresh install that is pointed at a central). */
export async function newRemote(remote: RemoteOptions = {}): Promise<Core> {
  return openCore(path.join(tempDir('remote-'), 'remote.sqlite'), {
    create: true,
    hasher: fastHasher,
    setup: { admin: ADMIN },
    remote: { hardwareId: 'remote-device-1', retry: { attempts: 2, firstTimeoutMs: 2000, retryPauseMs: 10 }, ...remote },
  });
}

/** A self-signed certificate for 127.0.0.1, or null where openssl is missing. */
export function selfSignedCertificate(): { cert: string; key: string; certFile: string; keyFile: string } | null {
  const dir = tempDir('cert-');
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
  } catch {
    return null;
  }
  return { cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8'), certFile, keyFile };
}
