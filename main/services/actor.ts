/** Who is asking: every service call that changes something is made on behalf of an actor. */
import { AppFailure } from '../../shared/errors';

export const EDIT_SYNC_SETTINGS = 'edit_sync_settings';

export interface Actor {
  userId: number | null;
  userName: string;
  permissions: ReadonlySet<string>;
}

/** The app itself, for setup and seeding; never given to a transport. */
export const systemActor: Actor = { userId: null, userName: 'system', permissions: new Set([EDIT_SYNC_SETTINGS]) };

export function canEditSyncSettings(actor: Actor): boolean {
  return actor.permissions.has(EDIT_SYNC_SETTINGS);
}

export function requireEditSyncSettings(actor: Actor): void {
  if (!canEditSyncSettings(actor)) throw new AppFailure('permission_denied');
}
