/** Carries the API (and, on the desktop, the datafile commands) to every window; tests inject their own. */
import { createContext, useContext, type ReactNode } from 'react';
import type { SyncSitesApi } from '../../shared/contract';
import type { DesktopCommands } from '../../shared/bridge';

interface ApiContextValue {
  api: SyncSitesApi;
  desktop: DesktopCommands | null;
}

const ApiContext = createContext<ApiContextValue | null>(null);

export function ApiProvider(props: { api: SyncSitesApi; desktop?: DesktopCommands | null; children: ReactNode }) {
  return <ApiContext.Provider value={{ api: props.api, desktop: props.desktop ?? null }}>{props.children}</ApiContext.Provider>;
}

function useApiContext(): ApiContextValue {
  const value = useContext(ApiContext);
  if (!value) throw new Error('useApi must be used inside <ApiProvider>.');
  return value;
}

export function useApi(): SyncSitesApi {
  return useApiContext().api;
}

/** The desktop-only commands, or null when running in a browser. */
export function useDesktop(): DesktopCommands | null {
  return useApiContext().desktop;
}
