/**
 * The remote side's link to its central server: "Enabling sync" points this datafile at a central
 * server as one of its sites, "Check connection" asks the central who it thinks this site is, and
 * every sync call carries the same credentials and headers (headers()).
 *
 * Check connection changes none of this datafile's settings except one: on the first successful
 * answer it remembers the central's `id` for the site (remote_sync.centralSiteUuid). From then on an
 * answer with another `id` is "Site mismatch", so the datafile cannot be silently re-pointed at a
 * different site (a rebuilt central, a recreated site, a URL now pointing elsewhere). Sync runs
 * apply the same guard through acceptSiteIdentity(). Enabling sync again keeps the remembered id
 * unless the site name itself is changed.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import packageJson from '../../../package.json';
import type { Datafile } from '../../../db/datafile';
import { getSetting, type RemoteSyncSettings, setSetting } from '../../../db/settings';
import type { ConnectionCheck, ParsedInputs, RemoteSyncView } from '../../../shared/contract';
import { AppFailure } from '../../../shared/errors';
import { nameKey } from '../../../shared/names';
import { type Actor, requireEditSyncSettings } from '../../services/actor';
import { activeSiteId, isCentralDatafileInUse } from '../../services/datafile-role';
import { hardwareId as machineHardwareId } from '../../services/machine-id';
import { sha256Hex } from '../../services/passwords';
import { type SyncHttpClient, type SyncHttpRequest, SyncTransportError } from '../../net/http-client';
import { NodeHttpClient } from '../../net/node-http-client';
import { defaultRetryPolicy, requestWithRetry, type RetryPolicy } from '../../net/request-with-retry';
import { REMOTE_APP_NAME, SYNC_API_VERSION, syncHeaders, syncRoutes } from '../protocol';
import { connectionMessages, readCentralAnswer, transportFailure } from './central-answer';

export interface RemoteConnectionOptions {
  /** This machine's hardware ID (msupply-site-uuid). Default: derived from the OS machine ID. */
  hardwareId?: string | (() => string);
  /** Where a random hardware ID is kept when the OS has no machine ID. Default: beside the datafile. */
  hardwareIdFallbackFile?: string;
  /** Node's own client (node-http-client.ts) by default. */
  nodeClient?: SyncHttpClient;
  /** Electron's net client, when running inside Electron; used unless the site's checkbox asks for Node's. */
  electronClient?: SyncHttpClient;
  retry?: Partial<RetryPolicy>;
  appVersion?: string;
  sleep?: (ms: number) => Promise<void>;
}

export interface RemoteConnectionEvents {
  /** Enabling sync saved new settings: a first sync is worth running soon. */
  enabled: [];
}

/** A central server URL: http or https, no credentials in it; stored without a trailing slash. */
export function parseCentralUrl(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password || url.search || url.hash || !url.hostname) return null;
  return url.toString().replace(/\/+$/, '');
}

export const notConfiguredMessage = 'Sync is not set up on this datafile. Use Enabling sync first.';

export class RemoteConnection {
  readonly events = new EventEmitter<RemoteConnectionEvents>();
  private cachedHardwareId: string | undefined;
  private readonly nodeClient: SyncHttpClient;
  readonly retry: RetryPolicy;

  constructor(
    private readonly datafile: Datafile,
    private readonly options: RemoteConnectionOptions = {},
  ) {
    this.nodeClient = options.nodeClient ?? new NodeHttpClient();
    this.retry = { ...defaultRetryPolicy, ...options.retry };
  }

  private get sqlite() {
    return this.datafile.sqlite;
  }

  /** Computed on first use: reading the OS machine ID starts a process, which a test core never needs. */
  hardwareId(): string {
    if (this.cachedHardwareId === undefined) {
      const given = this.options.hardwareId;
      this.cachedHardwareId =
        typeof given === 'string'
          ? given
          : typeof given === 'function'
            ? given()
            : machineHardwareId({
                fallbackFile:
                  this.options.hardwareIdFallbackFile ?? path.join(path.dirname(path.resolve(this.datafile.path)), '.msupply-sync-sites-hardware-id'),
              });
    }
    return this.cachedHardwareId;
  }

  /** The active site's "Use js node HTTP client" checkbox picks Node's client; so does running outside Electron. */
  httpClient(): SyncHttpClient {
    if (!this.options.electronClient) return this.nodeClient;
    const row = this.sqlite.prepare('select use_js_node_http_client as useNode from site where id = ?').get(activeSiteId(this.sqlite)) as
      { useNode: number } | undefined;
    return row?.useNode === 1 ? this.nodeClient : this.options.electronClient;
  }

  /** Sends one request with the retry policy (growing timeouts, bounded 503 waits). */
  send(request: Omit<SyncHttpRequest, 'timeoutMs'>) {
    return requestWithRetry(this.httpClient(), request, this.retry, this.options.sleep);
  }

  settings(): RemoteSyncSettings | undefined {
    return getSetting(this.sqlite, 'remote_sync');
  }

  getRemoteSync(): RemoteSyncView {
    const settings = this.settings();
    return {
      configured: settings !== undefined,
      centralUrl: settings?.centralUrl ?? null,
      siteName: settings?.siteName ?? null,
      hardwareId: this.hardwareId(),
    };
  }

  async enableSync(actor: Actor, input: ParsedInputs['enableSync']): Promise<RemoteSyncView> {
    requireEditSyncSettings(actor);
    const centralUrl = parseCentralUrl(input.centralUrl);
    if (!centralUrl) {
      throw new AppFailure('validation_failed', 'Invalid url', {
        issues: [{ field: 'centralUrl', message: 'Invalid url: enter an http:// or https:// address such as https://central.example.org:2048' }],
      });
    }
    if (isCentralDatafileInUse(this.sqlite)) {
      throw new AppFailure(
        'sync_not_on_central',
        'This datafile is the central server and holds sites and stores: it cannot become a remote site. ' +
          'Create a new datafile for the remote site and enable sync there.',
      );
    }
    const siteName = input.siteName.trim();
    const passwordSha256 = sha256Hex(input.password);
    this.sqlite
      .transaction(() => {
        const previous = this.settings();
        const sameSite = previous !== undefined && nameKey(previous.siteName) === nameKey(siteName);
        const settings: RemoteSyncSettings = { centralUrl, siteName, passwordSha256 };
        if (sameSite && previous.centralSiteUuid) settings.centralSiteUuid = previous.centralSiteUuid;
        setSetting(this.sqlite, 'remote_sync', settings);
      })
      .immediate();
    this.events.emit('enabled');
    return this.getRemoteSync();
  }

  /** The headers of every sync call: credentials, hardware ID, app name and version, sync API version. */
  headers(settings: RemoteSyncSettings): Record<string, string> {
    const basic = Buffer.from(`${settings.siteName}:${settings.passwordSha256}`, 'utf8').toString('base64');
    return {
      authorization: `Basic ${basic}`,
      accept: 'application/json',
      [syncHeaders.hardwareId]: this.hardwareId(),
      [syncHeaders.appName]: REMOTE_APP_NAME,
      [syncHeaders.appVersion]: this.options.appVersion ?? packageJson.version,
      [syncHeaders.syncVersion]: String(SYNC_API_VERSION),
    };
  }

  async checkConnection(): Promise<ConnectionCheck> {
    const settings = this.settings();
    if (!settings) throw new AppFailure('sync_not_configured', notConfiguredMessage);
    const base = parseCentralUrl(settings.centralUrl);
    if (!base) return { outcome: 'invalid_url', message: connectionMessages.invalid_url };
    let answer;
    try {
      answer = readCentralAnswer(await this.send({ method: 'GET', url: `${base}${syncRoutes.site}`, headers: this.headers(settings) }));
    } catch (error) {
      if (!(error instanceof SyncTransportError)) throw error;
      const failure = transportFailure(error);
      return { outcome: failure.outcome, message: failure.outcome === 'server_error' ? "The server's answer was not understood." : failure.message };
    }
    if (!answer.ok) {
      const { outcome, message, busy } = answer.failure;
      return { outcome, message: busy ? 'The central server is busy. Try again in a few minutes.' : message };
    }
    const site = answer.body as { id?: unknown; name?: unknown } | null;
    if (!site || typeof site.id !== 'string' || !site.id || typeof site.name !== 'string') {
      return {
        outcome: 'server_error',
        message: "The server's answer was not understood. Check that the URL is the address of an mSupply central server.",
      };
    }
    if (!this.acceptSiteIdentity(settings, site.id)) return { outcome: 'site_mismatch', message: connectionMessages.site_mismatch };
    return {
      outcome: 'connected',
      message: `Connection successful: the central server knows this site as ${site.name}.`,
      centralSiteName: site.name,
    };
  }

  /**
   * The Site mismatch guard, for Check connection and sync runs alike: false when the central
   * answered as another site record than the one remembered. The first answer's id is remembered,
   * but only while the settings are still the ones the answer was for (Enabling sync may have run
   * meanwhile).
   */
  acceptSiteIdentity(used: RemoteSyncSettings, centralSiteUuid: string): boolean {
    return this.sqlite
      .transaction(() => {
        const current = this.settings();
        const remembered = current?.centralSiteUuid ?? used.centralSiteUuid;
        if (remembered) return remembered === centralSiteUuid;
        if (
          current &&
          current.centralUrl === used.centralUrl &&
          current.siteName === used.siteName &&
          current.passwordSha256 === used.passwordSha256
        ) {
          setSetting(this.sqlite, 'remote_sync', { ...current, centralSiteUuid });
        }
        return true;
      })
      .immediate();
  }
}
