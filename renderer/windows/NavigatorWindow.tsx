/**
 * The Navigator: who is logged in, which site this datafile is, and the Special page whose
 * Synchronisation button (or the Special > Show Sites menu command) opens the sites window; Users
 * (or Special > Users...) opens the Users window.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncStatus } from '../../shared/contract';
import { useApi, useDesktop } from '../api/api-context';
import { LanguagePicker } from '../components/LanguagePicker';
import { rememberInBrowser } from '../i18n/preference';
import { useSession } from '../session/session-context';
import { CentralServerPanel } from '../components/CentralServerPanel';
import { EnableSyncPanel } from '../components/EnableSyncPanel';
import { SyncLogPanel } from '../components/SyncLogPanel';
import { SyncStatusLine } from '../components/SyncStatusLine';
import { UserSignInFailuresPanel } from '../components/SignInFailuresPanel';
import { SitesWindow } from './SitesWindow';
import { StockWindow } from './StockWindow';
import { UsersWindow } from './UsersWindow';

export function NavigatorWindow(props: { onLogOut: () => void }) {
  const session = useSession();
  const api = useApi();
  const desktop = useDesktop();
  const { t } = useTranslation();
  const [sitesOpen, setSitesOpen] = useState(false);
  const [page, setPage] = useState<'special' | 'stock' | 'users'>('special');
  // Enabling sync changes what the status line shows: it starts afresh.
  const [syncSettingsChanges, setSyncSettingsChanges] = useState(0);
  const { whoAmI } = session;

  useEffect(() => {
    if (!desktop) return;
    return desktop.onMenuCommand((command) => {
      if (command === 'show-sites') {
        setPage('special');
        setSitesOpen(true);
      }
      if (command === 'show-users') setPage('users');
      if (command === 'show-navigator') setSitesOpen(false);
    });
  }, [desktop]);

  // A sync can change what this datafile is (a new datafile's first sync makes it a remote site):
  // when a run finishes or the role changes, read whoAmI again so the title and windows follow at once.
  const lastSeen = useRef<string | null>(null);
  const { refresh } = session;
  // The sync log is shown on a remote site, and read again when a run starts or ends.
  const [syncLogVersion, setSyncLogVersion] = useState<string | null>(null);
  const onSyncStatus = useCallback(
    (status: SyncStatus) => {
      const seen = `${status.isCentralServer}|${status.initialised}|${status.lastSuccessAt}`;
      if (lastSeen.current !== null && lastSeen.current !== seen) void refresh();
      lastSeen.current = seen;
      setSyncLogVersion(status.configured && !status.isCentralServer ? `${status.lastAttemptAt}|${status.running}` : null);
    },
    [refresh],
  );

  return (
    <div className="app-frame">
      <header className="app-bar">
        <span className="app-name">mSupply</span>
        <span className="app-bar-item" aria-label={t('nav.active-site')}>
          {t(
            whoAmI.datafile.firstSyncUnderway
              ? 'nav.becoming-remote-site'
              : whoAmI.datafile.isCentralServer
                ? 'nav.central-server'
                : 'nav.remote-site',
            {
              name: whoAmI.datafile.activeSiteName,
              siteId: whoAmI.datafile.activeSiteId,
            },
          )}
        </span>
        <span className="spacer" />
        <span className="app-bar-item">{t('nav.logged-in-as', { name: whoAmI.user?.name })}</span>
        <LanguagePicker
          onChosen={(language) => {
            rememberInBrowser(language);
            void api.setMyLanguage({ language });
          }}
        />
        <button type="button" className="button" onClick={props.onLogOut}>
          {t('nav.log-out')}
        </button>
      </header>
      <div className="app-body">
        <nav className="navigator" aria-label={t('nav.navigator')}>
          <h2>{t('nav.navigator')}</h2>
          <button
            type="button"
            className={`nav-page${page === 'special' ? ' current' : ''}`}
            aria-current={page === 'special' ? 'page' : undefined}
            onClick={() => {
              setPage('special');
              setSitesOpen(false);
            }}
          >
            {t('nav.special')}
          </button>
          <button
            type="button"
            className={`nav-page${page === 'stock' ? ' current' : ''}`}
            aria-current={page === 'stock' ? 'page' : undefined}
            onClick={() => setPage('stock')}
          >
            {t('nav.stock')}
          </button>
          <button
            type="button"
            className={`nav-page${page === 'users' ? ' current' : ''}`}
            aria-current={page === 'users' ? 'page' : undefined}
            onClick={() => setPage('users')}
          >
            {t('nav.users')}
          </button>
        </nav>
        <main className="workspace">
          {page === 'stock' ? (
            <StockWindow onClose={() => setPage('special')} />
          ) : page === 'users' ? (
            <UsersWindow onClose={() => setPage('special')} />
          ) : sitesOpen ? (
            <SitesWindow onClose={() => setSitesOpen(false)} />
          ) : (
            <section className="window special-page" aria-labelledby="special-title">
              <h2 id="special-title">{t('nav.special')}</h2>
              <div className="special-buttons">
                {/* The page's main action has the focus (after logging in, and after closing a window). */}
                <button type="button" className="big-button" aria-describedby="synchronisation-hint" autoFocus onClick={() => setSitesOpen(true)}>
                  {t('special.synchronisation')}
                </button>
                <p id="synchronisation-hint" className="hint">
                  {t('special.synchronisation-hint')}
                </p>
              </div>
              {/* Read top down: how sync is doing, what it did (the log), then how it is set up. */}
              <SyncStatusLine key={syncSettingsChanges} canEdit={session.canEdit} onStatus={onSyncStatus} />
              {syncLogVersion !== null ? <SyncLogPanel version={syncLogVersion} /> : null}
              {/* Keyed by the active site: when the datafile's role changes they start afresh. */}
              <EnableSyncPanel
                key={`enable-${whoAmI.datafile.activeSiteId}`}
                canEdit={session.canEdit}
                onEnabled={() => setSyncSettingsChanges((n) => n + 1)}
              />
              <CentralServerPanel key={`central-${whoAmI.datafile.activeSiteId}`} canEdit={session.canEdit} />
              {session.canEdit ? <UserSignInFailuresPanel /> : null}
            </section>
          )}
        </main>
      </div>
    </div>
  );
}
