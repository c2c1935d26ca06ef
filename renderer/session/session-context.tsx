/** Who is logged in, what they may do and which site is active: read by every window. */
import { createContext, useContext } from 'react';
import type { WhoAmI } from '../../shared/contract';

export interface Session {
  whoAmI: WhoAmI;
  canEdit: boolean;
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
