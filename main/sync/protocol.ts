/**
 * The facts of mSupply sync API v5 (shared/reference/sync-v5.md) that both ends of this app share:
 * route paths, header names, the sync API versions we speak, and the error codes on the wire.
 * Central and remote import these, so the two ends cannot drift apart.
 */

export const SYNC_API_PREFIX = '/sync/v5';

export const syncRoutes = {
  site: `${SYNC_API_PREFIX}/site`,
  siteStatus: `${SYNC_API_PREFIX}/site_status`,
  initialise: `${SYNC_API_PREFIX}/initialise`,
  queuedRecords: `${SYNC_API_PREFIX}/queued_records`,
  acknowledgedRecords: `${SYNC_API_PREFIX}/acknowledged_records`,
  centralRecords: `${SYNC_API_PREFIX}/central_records`,
} as const;

export const syncHeaders = {
  hardwareId: 'msupply-site-uuid',
  appName: 'app-name',
  appVersion: 'app-version',
  /** Sent by legacy mSupply Mobile instead of app-name / app-version. */
  legacyMobileVersion: 'mobile-version',
  syncVersion: 'version',
  /**
   * Our own addition, ignored by other centrals: `<datafile instance>/<run>` (two UUIDs), sent on
   * every call of one sync run so the central can hold a per-site run lease (see site-run-leases.ts).
   */
  syncRun: 'msupply-sync-run',
} as const;

/**
 * The `version` header values this central accepts. Open mSupply sends 14 at the time of writing;
 * anything from 1 up to that speaks the same site/site_status routes.
 */
export const SUPPORTED_SYNC_VERSIONS = { min: 1, max: 14 } as const;

/** What our own remote sends as `version`. */
export const SYNC_API_VERSION = SUPPORTED_SYNC_VERSIONS.max;

/** Our remote's `app-name`: it does not contain "Mobile", so the central records a standalone site. */
export const REMOTE_APP_NAME = 'mSupply Sync Sites';

/** The app name recorded for a legacy mobile caller that sends only `mobile-version`. */
export const LEGACY_MOBILE_APP_NAME = 'mSupply Mobile';

/** A caller is a mobile site when its app name says so (sync-v5.md: "A name containing Mobile"). */
export function isMobileAppName(appName: string): boolean {
  return appName.includes('Mobile');
}

/**
 * Every error the central answers with, its HTTP status and the words sent with it.
 * site_has_no_store and mobile_site_has_multiple_stores use 400, not 401: the credentials were
 * right, so a client must not ask the person for a new password; the site's stores need fixing on
 * the central server instead.
 */
export const syncErrors = {
  authorisation_missing: {
    status: 401,
    message: 'This request has no authorisation. Send the site name and password (HTTP Basic).',
  },
  authorisation_invalid: {
    status: 400,
    message: 'The authorisation of this request could not be read. Send HTTP Basic with the site name and password.',
  },
  header_missing: { status: 400, message: 'A required sync header is missing.' },
  header_invalid: { status: 400, message: 'A sync header has a value that could not be read.' },
  api_version_incompatible: { status: 409, message: 'Sync API version is not compatible.' },
  too_many_attempts: {
    status: 429,
    message: 'Too many failed sign-in attempts for this site or from this address. Wait a few minutes and try again.',
  },
  site_name_not_found: { status: 401, message: 'Site name not found.' },
  site_incorrect_password: { status: 401, message: 'Incorrect password.' },
  site_incorrect_hardware_id: { status: 401, message: 'Site hardware ID does not match' },
  site_has_no_store: {
    status: 400,
    message: 'This site has no store. An administrator must add a store to it on the central server.',
  },
  mobile_site_has_multiple_stores: {
    status: 400,
    message: 'A mobile site can have only one store, and this site has more. An administrator must remove the extra stores on the central server.',
  },
  site_changes_went_backwards: {
    status: 409,
    message:
      'The changes this datafile sent are numbered below what the central server has already received from this site: ' +
      "it looks like a restored backup, or a copy of the site's datafile syncing as the same site. Nothing was taken. " +
      'Re-initialise the site (Special page) to recover: changes made here are kept and sent again.',
  },
  site_already_initialised: {
    status: 409,
    message: 'This site has already been initialised. To fetch everything again, an administrator of the remote site must ask for Re-initialise.',
  },
  site_is_central: {
    status: 400,
    message: "This is the central server's own site. Remote sites cannot sync as the central server site.",
  },
  not_central_server: {
    status: 409,
    message:
      'This datafile is not the central server any more (another site was set as its active site), so it does not answer remote sites. ' +
      'An administrator can set the central server site as active again.',
  },
  host_not_allowed: {
    status: 421,
    message: 'This server does not answer to that name. Use the address the server was started with.',
  },
  not_found: { status: 404, message: 'There is no such sync route.' },
  method_not_allowed: { status: 405, message: 'This route does not accept that method.' },
  bad_request: { status: 400, message: 'The request could not be read.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  headers_too_large: { status: 431, message: 'The request headers are too large.' },
  unsupported_media_type: { status: 415, message: 'Send request bodies as JSON (application/json).' },
  request_timeout: { status: 408, message: 'The request took too long to arrive.' },
  sync_is_running: {
    status: 503,
    message: 'Another sync of this site is running. Wait for it to finish, then try again.',
  },
  integration_in_progress: {
    status: 503,
    message: 'The central server is integrating the records this site sent. Try again in a moment.',
  },
  initialisation_in_progress: {
    status: 503,
    message: 'The central server is preparing the initial data of this site. Try again in a moment.',
  },
  sign_in_queue_full: {
    status: 503,
    message:
      "The central server is checking many sites' passwords at the moment (after a restart, or many new sites at once). Try again in a moment.",
  },
  internal_error: { status: 500, message: 'Something went wrong on the central server. Please try again later.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type SyncErrorCode = keyof typeof syncErrors;

/** The wire shape of every error answer: {"error": {"code", "message", "data"}}. */
export interface SyncErrorBody {
  error: { code: string; message: string; data: unknown };
}

/** GET site: what the central tells a remote about the site it authenticated as. */
export interface SiteInfo {
  /** Stable UUID of the site record. */
  id: string;
  siteId: number;
  code: string;
  name: string;
  initialisationStatus: 'new' | 'started' | 'completed' | 'error';
  type: 'standalone' | 'mobile';
  /** Not in mSupply's API: the site's "Use js node HTTP client" setting, applied by the remote site (own-site-settings.ts). */
  useJsNodeHttpClient?: boolean;
  stores: { id: string; code: string; name: string }[];
}

export type SiteStatusCode = 'idle' | 'sync_is_running' | 'integration_in_progress' | 'initialisation_in_progress';

export interface SiteStatus {
  code: SiteStatusCode;
  message: string;
  data: unknown;
}

/** An error answer, thrown inside the central and turned into {@link SyncErrorBody} by its error handler. */
export class SyncApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: SyncErrorCode,
    message?: string,
    readonly data: unknown = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? syncErrors[code].message);
    this.name = 'SyncApiError';
    this.status = syncErrors[code].status;
  }

  toBody(): SyncErrorBody {
    return { error: { code: this.code, message: this.message, data: this.data } };
  }
}

export function errorBody(code: SyncErrorCode, message?: string, data: unknown = null): SyncErrorBody {
  return { error: { code, message: message ?? syncErrors[code].message, data } };
}

/** One record on the wire, in both directions of `queued_records` (sync-v5.md). */
export interface QueuedRecord {
  syncOutId: number;
  tableName: string;
  recordId: string;
  action: 'insert' | 'update' | 'delete' | 'merge';
  /** Absent on delete. */
  recordData?: Record<string, unknown>;
  /**
   * Our addition, pushed by our remote: the version of the line this change was made from; the
   * central refuses it as a conflict when its own is newer. Null for a new line.
   */
  baseVersion?: number | null;
  /** With baseVersion: the site where that version was made (null: not known). */
  baseChangedBy?: number | null;
}

/** Our addition to `initialise`: an administrator of the remote site asked to fetch everything again. */
export interface InitialiseBody {
  reinitialise?: boolean;
}

/**
 * Our addition to a site's queue: a change the site pushed that the central accepted but could not
 * integrate (its store moved, or the line changed since), answered back with the reason so the
 * site keeps it for review. recordId is the syncOutId it was pushed with.
 */
export const REFUSED_CHANGE_TABLE = 'refused_change';

export interface RefusedChangeData {
  pushedAs: number;
  storeId: number | null;
  tableName: string;
  recordId: string;
  action: 'insert' | 'update' | 'delete';
  /** The pushed line as JSON text; null for a delete. */
  data: string | null;
  baseVersion: number | null;
  baseChangedBy: number | null;
  code: RefusedRecord['code'];
  message: string;
}

export interface QueuedRecordsAnswer {
  /** Records in the site's queue, this batch included. */
  queueLength: number;
  /**
   * The newest central change (central_records cursor) when this batch was read. Which stores are on
   * the site follows from the central changes up to it: the site applies those first, then the batch.
   * Added to v5's answer here; a central that does not send it leaves the order as it was.
   */
  centralCursor?: number;
  data: QueuedRecord[];
}

/**
 * Our additions to v5's queued_records and acknowledged_records, so a site can ask for the next
 * part of a store's data while it applies the part it has (the lines of a "send this store's data"
 * entry all carry the entry's syncOutId and come in line id order):
 * - `GET queued_records?limit=N&streamEntry=E&streamAfter=ID` answers the entry's lines after
 *   line ID (which the site was handed), as the next part of the same stream; when they end before
 *   N, the answer goes on with the queue after entry E, as the next pull would once E is
 *   acknowledged. `data` is empty when the stream is no longer as the site last saw it (then the
 *   site pulls as usual).
 * - The acknowledgement then says how far each streamed entry was applied (`appliedUpTo`), since
 *   more of it may have been handed out already. Without it, an entry is acknowledged up to the
 *   end of the latest answer, as v5 does.
 */
export const streamAheadQuery = { entry: 'streamEntry', after: 'streamAfter' } as const;

/**
 * Records a site asks for per pull unless told otherwise (`GET queued_records?limit=`). The central
 * reads a site's first batch ahead at this size (store-sync.ts), so a site asking for another size
 * only goes without that.
 */
export const DEFAULT_PULL_BATCH = 10_000;

export interface AcknowledgeBody {
  syncIDs: number[];
  /** Per streamed entry in this acknowledgement: the last of its lines the site applied. */
  appliedUpTo?: { syncOutId: number; recordId: string }[];
}

export interface PushBody {
  /** Records the remote still has to send after this batch; 0 lets the central integrate. */
  queueLength: number;
  data: QueuedRecord[];
}

/** Why the central refused one pushed record; the remote keeps the record and shows the message. */
export interface RefusedRecord {
  syncOutId: number;
  storeId: number | null;
  code: 'store_not_active_on_site' | 'unknown_table' | 'invalid_record' | 'conflict';
  message: string;
}

export interface PushAnswer {
  integrationStarted: boolean;
  /** Our addition: records not accepted, each with the reason in words. Absent when none. */
  refused?: RefusedRecord[];
}

export interface CentralRecord {
  /** The cursor: the remote asks for records after the highest ID it has applied. */
  ID: number;
  tableName: string;
  recordId: string;
  action: 'insert' | 'update' | 'delete';
  recordData?: Record<string, unknown>;
}

export interface CentralRecordsAnswer {
  maxCursor: number;
  data: CentralRecord[];
}

export interface InitialiseAnswer {
  queueLength: number;
}
