/**
 * The remote side of sync: "Enabling sync" points this datafile at a central server as one of its
 * sites, and "Check connection" asks the central who it thinks this site is.
 *
 * Check connection changes none of this datafile's settings except one: on the first successful
 * answer it remembers the central's `id` for the site (remote_sync.centralSiteUuid). From then on an
 * answer with another `id` is "Site mismatch", so the datafile cannot be silently re-pointed at a
 * different site (a rebuilt central, a recreated site, a URL now pointing elsewhere) before its first
 * sync. Enabling sync again keeps the remembered id unless the site name itself is changed.
 */
import path from 'node:path';
import packageJson from '../../package.json';
import type { Datafile } from '../../db/datafile';
import { getSetting, type RemoteSyncSettings, setSetting } from '../../db/settings';
import type { ConnectionCheck, ConnectionOutcome, ParsedInputs, RemoteSyncView } from '../../shared/contract';
import { AppFailure } from '../../shared/errors';
import { nameKey } from '../../shared/names';
import type { RemoteSyncOperations } from '../core';
import { type Actor, requireEditSyncSettings } from '../services/actor';
import { hardwareId as machineHardwareId } from '../services/machine-id';
import { sha256Hex } from '../services/passwords';
import { NodeFetchClient, type SyncHttpClient, type SyncHttpResponse, SyncTransportError } from './http-client';
import { REMOTE_APP_NAME, SYNC_API_VERSION, syncHeaders, syncRoutes } from './protocol';
import type { RemoteStoreSyncOptions } from './remote-store-sync';
import { defaultRetryPolicy, requestWithRetry, type RetryPolicy } from './request-with-retry';
import { isCentralDatafileInUse } from '../services/datafile-role';
import { parseJson, shown } from './answer-text';

export interface RemoteSyncOptions {
  /** This machine's hardware ID (msupply-site-uuid). Default: derived from the OS machine ID. */
  hardwareId?: string | (() => string);
  /** Where a random hardware ID is kept when the OS has no machine ID. Default: beside the datafile. */
  hardwareIdFallbackFile?: string;
  /** Node's fetch by default. */
  nodeClient?: SyncHttpClient;
  /** Electron's net client, when running inside Electron; used unless the site's checkbox asks for Node's. */
  electronClient?: SyncHttpClient;
  retry?: Partial<RetryPolicy>;
  appVersion?: string;
  sleep?: (ms: number) => Promise<void>;
  /** Batch sizes and waits of sync runs (remote-store-sync.ts). */
  storeSync?: RemoteStoreSyncOptions;
}

export const connectionMessages: Record<Exclude<ConnectionOutcome, 'connected'>, string> = {
  site_name_not_found: 'Site name not found',
  site_incorrect_password: 'Incorrect password',
  site_incorrect_hardware_id: 'Incorrect hardware ID',
  site_has_no_store: 'Site has no store',
  api_version_incompatible: 'Sync API version is not compatible',
  site_mismatch: 'Site mismatch',
  unable_to_connect: 'Unable to connect to server',
  invalid_url: 'Invalid url',
  certificate_not_trusted: "The server's certificate is not trusted",
  timed_out: 'The server did not answer in time',
  too_many_attempts: 'Too many failed attempts: the central server refuses this site for a while. Try again later.',
  server_error: 'The central server answered with an error',
};

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

function outcome(kind: Exclude<ConnectionOutcome, 'connected'>, message = connectionMessages[kind]): ConnectionCheck {
  return { outcome: kind, message };
}



export class RemoteSync implements RemoteSyncOperations {
  private cachedHardwareId: string | undefined;
  private readonly nodeClient: SyncHttpClient;
  readonly retry: RetryPolicy;

  constructor(
    private readonly datafile: Datafile,
    private readonly options: RemoteSyncOptions = {},
  ) {
    this.nodeClient = options.nodeClient ?? new NodeFetchClient();
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
                  this.options.hardwareIdFallbackFile ??
                  path.join(path.dirname(path.resolve(this.datafile.path)), '.msupply-sync-sites-hardware-id'),
              });
    }
    return this.cachedHardwareId;
  }

  /** The active site's "Use js node HTTP client" checkbox picks Node's client; so does running outside Electron. */
  httpClient(): SyncHttpClient {
    if (!this.options.electronClient) return this.nodeClient;
    const activeSiteId = getSetting(this.sqlite, 'active_site_id');
    const row = this.sqlite.prepare('select use_js_node_http_client as useNode from site where id = ?').get(activeSiteId) as
      | { useNode: number }
      | undefined;
    return row?.useNode === 1 ? this.nodeClient : this.options.electronClient;
  }

  getRemoteSync(): RemoteSyncView {
    const settings = getSetting(this.sqlite, 'remote_sync');
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
        const previous = getSetting(this.sqlite, 'remote_sync');
        const sameSite = previous !== undefined && nameKey(previous.siteName) === nameKey(siteName);
        const settings: RemoteSyncSettings = { centralUrl, siteName, passwordSha256 };
        if (sameSite && previous.centralSiteUuid) settings.centralSiteUuid = previous.centralSiteUuid;
        setSetting(this.sqlite, 'remote_sync', settings);
      })
      .immediate();
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
    const settings = getSetting(this.sqlite, 'remote_sync');
    if (!settings) throw new AppFailure('sync_not_configured', 'Sync is not set up on this datafile. Use Enabling sync first.');
    const base = parseCentralUrl(settings.centralUrl);
    if (!base) return outcome('invalid_url');

    let response: SyncHttpResponse;
    try {
      response = await requestWithRetry(
        this.httpClient(),
        { method: 'GET', url: `${base}${syncRoutes.site}`, headers: this.headers(settings) },
        this.retry,
        this.options.sleep,
      );
    } catch (error) {
      if (!(error instanceof SyncTransportError)) throw error;
      if (error.kind === 'bad_response') return outcome('server_error', "The server's answer was not understood.");
      return outcome(error.kind);
    }
    return this.interpret(response, settings);
  }

  private interpret(response: SyncHttpResponse, settings: RemoteSyncSettings): ConnectionCheck {
    const body = parseJson(response.body);
    if (response.status === 200) {
      const site = body as { id?: unknown; name?: unknown } | undefined;
      if (!site || typeof site.id !== 'string' || !site.id || typeof site.name !== 'string') {
        return outcome(
          'server_error',
          "The server's answer was not understood. Check that the URL is the address of an mSupply central server.",
        );
      }
      if (settings.centralSiteUuid && settings.centralSiteUuid !== site.id) return outcome('site_mismatch');
      if (!settings.centralSiteUuid) this.rememberCentralSite(settings, site.id);
      return {
        outcome: 'connected',
        message: `Connection successful: the central server knows this site as ${site.name}.`,
        centralSiteName: site.name,
      };
    }

    const error = (body as { error?: { code?: unknown; message?: unknown; data?: unknown } } | undefined)?.error;
    const code = typeof error?.code === 'string' ? error.code : '';
    switch (code) {
      case 'site_name_not_found':
      case 'site_incorrect_password':
      case 'site_incorrect_hardware_id':
      case 'site_has_no_store':
      case 'too_many_attempts':
        return outcome(code);
      case 'api_version_incompatible': {
        const range = error?.data as { min?: unknown; max?: unknown } | null | undefined;
        const known = typeof range?.min === 'number' && typeof range.max === 'number';
        return outcome(
          'api_version_incompatible',
          known
            ? `Sync API version is not compatible (the server supports ${range.min} to ${range.max})`
            : connectionMessages.api_version_incompatible,
        );
      }
      default:
        break;
    }
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.location ? ` to ${shown(response.headers.location)}` : '';
      return outcome('server_error', `The server answered with a redirect${location}. Enter that address as the central server URL.`);
    }
    if (response.status === 503) {
      return outcome('server_error', 'The central server is busy. Try again in a few minutes.');
    }
    const serverWords = typeof error?.message === 'string' && error.message ? `: ${shown(error.message)}` : '';
    return outcome('server_error', `The central server answered with an error (HTTP ${response.status})${serverWords}`);
  }

  /** Only while the settings are still the ones the answer was for (Enabling sync may have run meanwhile). */
  private rememberCentralSite(used: RemoteSyncSettings, centralSiteUuid: string): void {
    this.sqlite
      .transaction(() => {
        const current = getSetting(this.sqlite, 'remote_sync');
        if (
          !current ||
          current.centralSiteUuid ||
          current.centralUrl !== used.centralUrl ||
          current.siteName !== used.siteName ||
          current.passwordSha256 !== used.passwordSha256
        ) {
          return;
        }
        setSetting(this.sqlite, 'remote_sync', { ...current, centralSiteUuid });
      })
      .immediate();
  }
}

export function createRemoteSync(datafile: Datafile, options: RemoteSyncOptions = {}): RemoteSync {
  return new RemoteSync(datafile, options);
}
