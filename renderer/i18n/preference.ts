/**
 * Which language the window starts in and how a choice is remembered. Before anyone logs in: the
 * choice made on the login page (kept in this browser), else the browser's (or system's) language.
 * Once a user is known: their preference in the datafile, which follows them to any machine.
 */
import type { WhoAmI } from '../../shared/contract';
import { detectLanguage, i18n, isLanguage, setLanguage, type Language } from './index';

const storageKey = 'msupply-sync-sites.language';

function stored(): Language | null {
  try {
    const value = globalThis.localStorage?.getItem(storageKey);
    return isLanguage(value) ? value : null;
  } catch {
    return null;
  }
}

/** Remembers a choice in this browser, for the next login page. */
export function rememberInBrowser(language: Language): void {
  try {
    globalThis.localStorage?.setItem(storageKey, language);
  } catch {
    // A browser that keeps nothing (private mode, storage full) still shows the choice now.
  }
}

/** ?lang=fr in the address wins (the pseudo-locale is reached so), then the browser's memory, then its languages. */
export function startingLanguage(search = typeof location === 'undefined' ? '' : location.search): Language {
  const asked = new URLSearchParams(search).get('lang');
  if (isLanguage(asked)) return asked;
  return stored() ?? detectLanguage();
}

/**
 * After a login: the user's own preference wins; a user without one keeps the language showing,
 * and it is saved as theirs when they chose it on the login page.
 */
export async function adoptUserLanguage(who: WhoAmI, chosenBeforeLogin: boolean, save: (language: Language) => Promise<unknown>): Promise<void> {
  const preferred = who.user?.language;
  // A language asked for in the address (?lang=en-XA, to test) holds for this page.
  const asked = typeof location === 'undefined' ? null : new URLSearchParams(location.search).get('lang');
  if (isLanguage(asked)) return;
  if (isLanguage(preferred)) {
    if (preferred !== i18n.language) await setLanguage(preferred);
    return;
  }
  const showing = i18n.language;
  if (who.user && chosenBeforeLogin && isLanguage(showing)) await save(showing);
}
