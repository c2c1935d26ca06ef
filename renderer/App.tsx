/**
 * Which window is showing: setting up a new datafile, logging in, or the Navigator once logged in.
 * The session (who is logged in, the active site) is read from the core, never assumed.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WhoAmI } from '../shared/contract';
import type { AppError } from '../shared/errors';
import { useApi, useDesktop } from './api/api-context';
import { SessionContext, type Session, sessionOf } from './session/session-context';
import { LoginWindow } from './windows/LoginWindow';
import { ConnectToServerWindow } from './windows/ConnectToServerWindow';
import { NavigatorWindow } from './windows/NavigatorWindow';
import { SetUpDatafileWindow } from './windows/SetUpDatafileWindow';
import { errorText } from './i18n/words';
import { adoptUserLanguage, rememberInBrowser } from './i18n/preference';
import { type Language, setLanguage } from './i18n';
import type { DesktopCommands } from '../shared/bridge';

/**
 * A language chosen before anyone signs in: kept in this browser for the next login page and, on
 * the desktop, as this computer's language, which the menu follows (main/electron/menu-language.ts).
 */
function rememberOnThisComputer(language: Language, desktop: DesktopCommands | null): void {
  rememberInBrowser(language);
  void desktop?.setDeviceLanguage({ language });
}

type Screen =
  | { name: 'starting' }
  /** Worded when shown, so a change of language words it again. */
  | { name: 'failed'; error: AppError | 'no-datafile' }
  | { name: 'setup'; location: string | null }
  | { name: 'login'; location: string | null }
  | { name: 'navigator'; whoAmI: WhoAmI };

function Screens() {
  const api = useApi();
  const desktop = useDesktop();
  const { t, i18n } = useTranslation();
  const [screen, setScreen] = useState<Screen>({ name: 'starting' });
  const [location, setLocation] = useState<string | null>(null);
  // A language picked on the login page becomes the user's preference if they have none yet.
  const chosenBeforeLogin = useRef(false);
  const signedIn = screen.name === 'navigator';
  const chooseBeforeLogin = useCallback(
    (language: Language) => {
      rememberOnThisComputer(language, desktop);
      chosenBeforeLogin.current = true;
    },
    [desktop],
  );

  // Language > a language in the desktop menu: main has saved it (the user's, or this computer's
  // before sign-in); the window shows it at once.
  useEffect(
    () =>
      desktop?.onLanguageChosen((language) => {
        void setLanguage(language);
        rememberInBrowser(language);
        if (!signedIn) chosenBeforeLogin.current = true;
      }),
    [desktop, signedIn],
  );

  const showSession = useCallback(
    (who: WhoAmI, where: string | null) => {
      if (who.user) {
        void adoptUserLanguage(who, chosenBeforeLogin.current, (language) => api.setMyLanguage({ language }));
        chosenBeforeLogin.current = false;
      }
      setScreen(who.user ? { name: 'navigator', whoAmI: who } : { name: 'login', location: where });
    },
    [api],
  );

  useEffect(() => {
    let current = true;
    const start = async () => {
      let where: string | null = null;
      if (desktop) {
        const status = await desktop.datafileStatus();
        if (!current) return;
        if (!status.ok) return setScreen({ name: 'failed', error: status.error });
        where = status.value.location;
        setLocation(where);
        if (status.value.needsSetup) return setScreen({ name: 'setup', location: where });
        if (!status.value.open) {
          return setScreen({ name: 'failed', error: 'no-datafile' });
        }
      }
      const who = await api.whoAmI({});
      if (!current) return;
      if (!who.ok) return setScreen({ name: 'failed', error: who.error });
      showSession(who.value, where);
    };
    void start();
    return () => {
      current = false;
    };
  }, [api, desktop, showSession]);

  const refresh = useCallback(async () => {
    const who = await api.whoAmI({});
    if (who.ok) showSession(who.value, location);
  }, [api, location, showSession]);

  const logOut = useCallback(async () => {
    await api.logout({});
    setScreen({ name: 'login', location });
  }, [api, location]);

  const whoAmI = screen.name === 'navigator' ? screen.whoAmI : null;
  const session = useMemo<Session | null>(
    // The language is a dependency: the session holds words (why the sites are view-only).
    () => (whoAmI && i18n.language ? sessionOf(whoAmI, refresh) : null),
    [whoAmI, refresh, i18n.language],
  );

  switch (screen.name) {
    case 'starting':
      return <p className="loading">{t('app.opening')}</p>;
    case 'failed':
      return (
        <main className="centre-window">
          <div role="alert" className="window error-line">
            {screen.error === 'no-datafile' ? t('app.no-datafile') : errorText(t, screen.error)}
          </div>
        </main>
      );
    case 'setup':
      return desktop ? (
        <SetUpDatafileWindow
          desktop={desktop}
          location={screen.location}
          onSetUp={async (_status, admin) => {
            const who = await api.login(admin);
            if (who.ok) showSession(who.value, screen.location);
            else setScreen({ name: 'login', location: screen.location });
          }}
          onLanguageChosen={chooseBeforeLogin}
        />
      ) : null;
    case 'login':
      return <LoginWindow location={screen.location} onLoggedIn={(who) => showSession(who, screen.location)} onLanguageChosen={chooseBeforeLogin} />;
    case 'navigator':
      return (
        <SessionContext.Provider value={session}>
          <NavigatorWindow onLogOut={() => void logOut()} />
        </SessionContext.Provider>
      );
  }
}

/**
 * The screens, plus File > Connect to server... on the desktop. It can be asked for on any screen
 * (even with no datafile open); once connected, the screens start again from datafileStatus, as
 * after File > Open datafile..., so nobody stays logged in to what was open before.
 */
export function App() {
  const desktop = useDesktop();
  const [connecting, setConnecting] = useState(false);
  const [opened, setOpened] = useState(0);

  useEffect(
    () =>
      desktop?.onMenuCommand((command) => {
        if (command === 'connect-to-server') setConnecting(true);
      }),
    [desktop],
  );

  return (
    <>
      <Screens key={opened} />
      {desktop && connecting ? (
        <ConnectToServerWindow
          desktop={desktop}
          onConnected={() => {
            setConnecting(false);
            setOpened((n) => n + 1);
          }}
          onCancel={() => setConnecting(false)}
          onLanguageChosen={(language) => rememberOnThisComputer(language, desktop)}
        />
      ) : null}
    </>
  );
}
