/**
 * The central server inside the desktop app: while the open datafile's active site is the central
 * server site, remote sites can reach it on the `central_server_port` setting. Setting another site
 * as active, or changing the port, stops or moves it. The desktop datafile host owns it and hands
 * it to the contract handlers as their CentralServerControl.
 */
import { centralServerPort } from '../../db/settings';
import type { CentralServerStatus } from '../../shared/contract';
import type { CentralServerControl } from '../api/core-api';
import type { Core } from '../core';
import { loadOrCreateCredentialKey } from '../services/credential-key';
import { type RunningServer, type StartServerOptions, startServer } from './server';

export interface CentralHostOptions {
  /** Default 0.0.0.0: remote sites on the network must reach it. */
  host?: string;
  /** Passed to startServer (tests use cheap limits); the admin HTTP API stays off in the desktop app. */
  serverOptions?: Omit<StartServerOptions, 'core' | 'port' | 'host' | 'adminApi'>;
  log?: (message: string) => void;
  /**
   * The key of verified site credentials (the app's userData), so a restart of the app does not
   * cost every remote site a scrypt check. Unreadable: said in the log, and sites are checked again.
   */
  credentialKeyFile?: string;
}

export class CentralServerHost implements CentralServerControl {
  private running: RunningServer | null = null;
  private problem: string | null = null;
  private port: number;
  /** Reconciliations run one after another, so a quick succession of changes cannot start two servers. */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly onSitesChanged = () => void this.reconcile();

  constructor(
    private readonly core: Core,
    private readonly options: CentralHostOptions = {},
  ) {
    this.port = this.configuredPort();
    core.sites.events.on('sitesChanged', this.onSitesChanged);
  }

  private configuredPort(): number {
    return centralServerPort(this.core.datafile.sqlite);
  }

  status(): CentralServerStatus {
    return {
      running: this.running !== null,
      port: this.running?.port ?? this.port,
      url: this.running?.url ?? null,
      problem: this.problem,
    };
  }

  /** Starts or stops the server to match the datafile: running exactly while it is the central server. */
  reconcile(): Promise<void> {
    this.queue = this.queue.then(() => this.reconcileNow()).catch(() => undefined);
    return this.queue;
  }

  private async reconcileNow(): Promise<void> {
    const wanted = !this.closed && this.core.datafile.sqlite.open && this.core.sites.isCentralServer();
    const port = this.core.datafile.sqlite.open ? this.configuredPort() : this.port;
    if (this.running && (!wanted || port !== this.port)) {
      await this.running.stop();
      this.running = null;
      this.options.log?.('The central server stopped.');
    }
    this.port = port;
    if (!wanted || this.running) return;
    try {
      this.credentialKey ??= this.loadCredentialKey();
      this.running = await startServer({
        ...this.options.serverOptions,
        credentialKey: this.credentialKey ?? undefined,
        core: this.core,
        port,
        host: this.options.host ?? '0.0.0.0',
        adminApi: false,
        // Remote sites reach it under whatever name they were given; it serves only the sync API,
        // whose every call carries the site's credentials.
        allowedHosts: 'any',
      });
      this.problem = null;
      this.options.log?.(`The central server is listening on ${this.running.url}.`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.problem =
        code === 'EADDRINUSE'
          ? `Port ${port} is already used by another program. Choose another port for the central server.`
          : code === 'EACCES'
            ? `This app may not listen on port ${port}. Choose a port above 1024.`
            : 'The central server could not start.';
      this.options.log?.(`${this.problem} (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  private credentialKey: Buffer | null | undefined;

  private loadCredentialKey(): Buffer | null {
    if (!this.options.credentialKeyFile) return null;
    try {
      return loadOrCreateCredentialKey(this.options.credentialKeyFile);
    } catch (error) {
      this.options.log?.(`Verified site credentials will not survive a restart: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.core.sites.events.off('sitesChanged', this.onSitesChanged);
    await this.reconcile();
  }
}
