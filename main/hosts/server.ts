/**
 * The HTTP server of a central datafile: the sync API for remote sites (main/sync/central) and,
 * unless turned off, the administrators' API and the browser workstation (main/http). Used by the
 * headless `npm run server`, by tests, and by the desktop app's in-app central (in-app-central.ts),
 * which turns the administrators' API off.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { centralServerPort } from '../../db/settings';
import { type Core, openCore } from '../core';
import { acquireDatafileLock, canonicalPath, type DatafileLock, type LockOptions } from '../services/datafile-lock';
import type { SetupOptions } from '../services/datafile-setup';
import type { PasswordHasher } from '../services/passwords';
import { type AdminApiOptions, registerAdminApi } from '../http/admin-api';
import { findRendererFolder } from '../http/renderer-folder';
import { type CentralServerOptions, createCentralServer } from '../sync/central/sync-server';
import { isFirstSyncUnderway } from '../services/datafile-role';

export interface StartServerOptions extends Omit<CentralServerOptions, 'https'> {
  /** An already open datafile (the desktop app's). It stays open when the server stops. */
  core?: Core;
  /**
   * Otherwise the datafile to open; it is closed when the server stops. The server holds the same
   * lock on it as the desktop app, so a second program on the same datafile is refused.
   */
  datafile?: string;
  /** Lock options (tests); the program is named "the central server (npm run server)". */
  lock?: LockOptions;
  /** Needed only when `datafile` does not exist yet: the first administrator (and demo data). */
  setup?: SetupOptions;
  hasher?: PasswordHasher;
  /** Default: the datafile's central_server_port setting, else 2048. 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1: only this machine. Use 0.0.0.0 to accept remote sites on the network. */
  host?: string;
  /** The administrators' HTTP API and the browser workstation (default on); false turns it off. */
  adminApi?: Partial<AdminApiOptions> | false;
  /** PEM certificate and key (contents or file paths via certFile/keyFile): serve HTTPS. */
  tls?: { cert: string | Buffer; key: string | Buffer } | { certFile: string; keyFile: string };
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:2048 */
  url: string;
  port: number;
  server: FastifyInstance;
  core: Core;
  /** Stops accepting calls, waits for those in progress, and closes the datafile if it opened it. */
  stop(): Promise<void>;
}

function readTls(tls: StartServerOptions['tls']): CentralServerOptions['https'] {
  if (!tls) return undefined;
  if ('certFile' in tls) return { cert: fs.readFileSync(tls.certFile), key: fs.readFileSync(tls.keyFile) };
  return tls;
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const https = readTls(options.tls);
  let core = options.core;
  const ownsCore = !core;
  let lock: DatafileLock | undefined;
  if (!core) {
    if (!options.datafile) throw new Error('startServer needs an open core or a datafile path.');
    const file = canonicalPath(options.datafile);
    lock = acquireDatafileLock(file, { program: 'the central server (npm run server)', ...options.lock });
    try {
      core = await openCore(file, { create: options.setup !== undefined, setup: options.setup, hasher: options.hasher });
    } catch (error) {
      lock.release();
      throw error;
    }
  }
  const closeOwned = (opened: Core) => {
    if (!ownsCore) return;
    opened.close();
    lock?.release();
  };
  try {
    // A datafile half-way through its first sync (cut short) starts too, so that a browser can finish
    // it with Sync now; meanwhile its sync API refuses remote sites (it is no central server).
    if (!core.sites.isCentralServer() && !isFirstSyncUnderway(core.datafile.sqlite)) {
      const active = core.sites.getSite({ siteId: core.sites.activeSiteId() });
      throw new Error(
        `This datafile is not the central server: its active site is "${active.name}". ` +
          'Only a datafile whose active site is the central server site can serve remote sites.',
      );
    }
    const server = createCentralServer(core, { ...options, https });
    if (options.adminApi !== false) {
      // Administrators' browsers (and desktop apps connected to this server) use the same contract here.
      await registerAdminApi(server, core, {
        secure: https !== undefined,
        rendererDir: findRendererFolder(),
        logError: (operation, error) => server.log.error({ err: error, operation }, 'Admin API call failed'),
        ...options.adminApi,
      });
    }
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? centralServerPort(core.datafile.sqlite);
    try {
      await server.listen({ host, port });
    } catch (error) {
      await server.close();
      throw error;
    }
    const address = server.server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const openCoreRef = core;
    let stopped: Promise<void> | undefined;
    return {
      url: `${https ? 'https' : 'http'}://${shownHost}:${address.port}`,
      port: address.port,
      server,
      core,
      stop: () => {
        stopped ??= server.close().then(() => closeOwned(openCoreRef));
        return stopped;
      },
    };
  } catch (error) {
    closeOwned(core);
    throw error;
  }
}
