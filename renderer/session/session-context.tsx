/** Who is logged in, what they may do and which site is active: read by every window. */
import { createContext, useContext } from 'react';
import type { WhoAmI } from '../../shared/contract';

export interface Session {
  whoAmI: WhoAmI;
  /** May change sync settings (the Admin permission). */
  canEdit: boolean;
  /** May change sites and stores: the permission, on a datafile that is not a remote site. */
  canEditSites: boolean;
  /** Why the sites windows are view-only, when they are. */
  sitesViewOnlyMessage: string;
  /** Reads whoAmI again, e.g. after the active site changed. */
  refresh(): Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession must be used inside a logged-in window.');
  return session;
}

export const viewOnlyMessage =
  'You can view sites but not change them: you do not have the permission to edit sync settings. ' +
  'An administrator can give it in Users: Edit user > Permissions > Admin.';

/** What a logged-in window may do, from whoAmI. */
export function sessionOf(whoAmI: WhoAmI, refresh: () => Promise<void>): Session {
  const canEdit = whoAmI.permissions.editSyncSettings;
  const { isRemoteSite, centralServerName, activeSiteName } = whoAmI.datafile;
  return {
    whoAmI,
    canEdit,
    canEditSites: canEdit && !isRemoteSite,
    sitesViewOnlyMessage: isRemoteSite
      ? `Sites are edited on the central server, "${centralServerName}". This datafile is the remote site "${activeSiteName}" and shows the sites as the central server sent them.`
      : viewOnlyMessage,
    refresh,
  };
}
