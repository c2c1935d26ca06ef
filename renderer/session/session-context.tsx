/** Who is logged in, what they may do and which site is active: read by every window. */
import { createContext, useContext } from 'react';
import type { WhoAmI } from '../../shared/contract';
import { i18n } from '../i18n';

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

/** The English words of the view-only line (tests find it by them). */
export const viewOnlyMessage = i18n.t('sites:view-only', { lng: 'en' });

/** What a logged-in window may do, from whoAmI. */
export function sessionOf(whoAmI: WhoAmI, refresh: () => Promise<void>): Session {
  const canEdit = whoAmI.permissions.editSyncSettings;
  const { isRemoteSite, firstSyncUnderway, centralServerName, activeSiteName } = whoAmI.datafile;
  return {
    whoAmI,
    canEdit,
    canEditSites: canEdit && !isRemoteSite,
    sitesViewOnlyMessage: firstSyncUnderway
      ? i18n.t('sites:view-only-first-sync', { central: centralServerName, site: activeSiteName })
      : isRemoteSite
        ? i18n.t('sites:view-only-remote', { central: centralServerName, site: activeSiteName })
        : i18n.t('sites:view-only'),
    refresh,
  };
}
