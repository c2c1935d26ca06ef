/**
 * Every failure the app can report, defined once. Each transport (IPC, HTTP) sends these values
 * unchanged, so the renderer shows the same words whichever way it talks to the datafile.
 */

export const errorMessages = {
  validation_failed: 'Some of the values entered are not valid.',
  not_logged_in: 'Please log in first.',
  invalid_credentials: 'The user name or password is incorrect.',
  too_many_attempts: 'Too many failed attempts. Wait a few minutes and try again.',
  permission_denied:
    'You do not have permission to edit sync settings. An administrator can give it in the Users window: Edit user > Permissions > Admin.',
  site_not_found: 'That site no longer exists. It may have been deleted by someone else.',
  store_not_found: 'One of the chosen stores no longer exists.',
  site_name_required: 'Site name is required.',
  site_name_taken: 'Another site already has this site name. Site names must be unique.',
  site_changed: 'This site was changed by someone else since you opened it. Reload the site to see their changes, then make yours again.',
  site_has_stores: 'This site still has stores. Remove its stores first; they will move to the central server site.',
  site_is_active: 'This is the active site on this datafile and cannot be deleted. That would break your datafile.',
  site_is_central: 'The central server site cannot be deleted.',
  mobile_site_one_store: 'A mobile site has one store. Remove stores until one is left, or make the site standalone.',
  user_not_found: 'That user no longer exists.',
  user_name_taken: 'Another user already has this user name. User names must be unique.',
  user_disabled: 'This user is disabled. An administrator can enable it in the Users window.',
  last_administrator:
    'This is the last administrator (Admin permission). Give another user the Admin permission first, so someone can still edit sync settings.',
  own_admin_permission: 'You cannot remove your own Admin permission or disable yourself. Another administrator can do it.',
  central_store_removal: 'Stores on the central server site cannot be removed. Add them to another site to move them there.',
  not_central_server: 'The hardware ID can only be reset on the central server.',
  datafile_not_found: 'The datafile was not found.',
  datafile_not_ours: 'This file is not an mSupply sync datafile.',
  datafile_too_new: 'This datafile was last used by a newer version of the app. Update the app to open it; the datafile has not been changed.',
  datafile_in_use: 'This datafile is already open in another window or program.',
  sync_not_configured: 'Sync is not set up on this datafile.',
  sync_is_running: 'A sync is running. Wait for it to finish, then try again.',
  sites_edited_on_central:
    'This datafile is a remote site: sites and their stores are edited on the central server, and arrive here when this site syncs.',
  sync_not_on_central: 'This datafile is the central server: it does not sync with another server. Remote sites sync with it.',
  store_not_on_this_site:
    'That store is not active on this site, so its stock cannot be edited here. Stock is edited on the site where its store is active.',
  first_sync_not_finished:
    'This datafile’s first sync has not finished, so it does not know yet which stores are on this site: no stock can be edited here yet. Sync again; once it has finished, this site’s stores are here to edit.',
  stock_line_not_found: 'That stock line no longer exists. It may have been deleted, here or by a sync.',
  /** The desktop app connected to a server (main/http/api-client.ts); the message names the URL. */
  server_unreachable: 'Unable to reach the server. Check the address and the network.',
  server_not_recognised:
    'The server answered, but not as an mSupply Sync Sites server. Check the address: it should be the one the server shows when it starts.',
  backup_failed: 'The datafile could not be backed up. The datafile itself has not been changed.',
  server_busy: 'The server is checking many passwords at the moment. Try again in a few seconds.',
  internal_error: 'Something went wrong. The change was not saved. Please try again.',
} as const;

export type ErrorCode = keyof typeof errorMessages;

export interface AppError {
  code: ErrorCode;
  message: string;
  /** Safe, structured details for the window (for example which fields were invalid). Never secrets. */
  data?: unknown;
}

export function appError(code: ErrorCode, message?: string, data?: unknown): AppError {
  return data === undefined ? { code, message: message ?? errorMessages[code] } : { code, message: message ?? errorMessages[code], data };
}

/** Thrown inside services; transports turn it into an {@link AppError} value. */
export class AppFailure extends Error {
  readonly error: AppError;
  constructor(code: ErrorCode, message?: string, data?: unknown) {
    super(message ?? errorMessages[code]);
    this.name = 'AppFailure';
    this.error = appError(code, message, data);
  }
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(errorMessages, value);
}

export function isAppError(value: unknown): value is AppError {
  return (
    typeof value === 'object' &&
    value !== null &&
    isErrorCode((value as { code?: unknown }).code) &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** A contract Result as it arrives over a wire (HTTP, IPC): checked, since the other end may not be ours. */
export function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { ok?: unknown; error?: unknown };
  if (candidate.ok === true) return 'value' in candidate;
  return candidate.ok === false && isAppError(candidate.error);
}
