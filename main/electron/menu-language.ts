/**
 * The language of the desktop menu and of the dialogs main shows: the signed-in user's language
 * (saved in the datafile), else the one chosen on this computer before anyone signed in (kept in
 * the user-data folder, like the last server's address), else the system's. The words are the
 * `menu` namespace of shared/locales, through i18next as in the windows.
 */
import fs from 'node:fs';
import path from 'node:path';
import i18next from 'i18next';
import { type Language, type SpokenLanguage, isLanguage, languages, matchLanguage } from '../../shared/locales/languages';
import { resources } from '../../shared/locales/resources';

/** A key of the `menu` namespace, with its {{variables}}, worded in one language. */
export type MenuWords = (key: string, values?: Record<string, string | number>) => string;

const translator = i18next.createInstance();
void translator.init({
  resources: Object.fromEntries(languages.map((language) => [language, { menu: resources[language].menu }])),
  lng: 'en',
  fallbackLng: false,
  ns: ['menu'],
  defaultNS: 'menu',
  keySeparator: false,
  nsSeparator: false,
  interpolation: { escapeValue: false },
  initAsync: false,
});

/** The menu's and dialogs' words in `language`. */
export function menuWords(language: SpokenLanguage): MenuWords {
  const t = translator.getFixedT(language, 'menu');
  return (key, values) => t(key, values ?? {});
}

/** The pseudo-locale tests the windows; the menu shows it in English. */
export function spokenLanguage(language: Language): SpokenLanguage {
  return (languages as readonly string[]).includes(language) ? (language as SpokenLanguage) : 'en';
}

export interface MenuLanguageInputs {
  /** The signed-in user's saved language (null: nobody signed in, or no choice saved yet). */
  userLanguage: Language | null;
  /** The language chosen on this computer before anyone signed in. */
  deviceLanguage: Language | null;
  /** The system's languages, best first (app.getPreferredSystemLanguages(), app.getLocale()). */
  systemLanguages: readonly string[];
}

export function menuLanguage(inputs: MenuLanguageInputs): SpokenLanguage {
  return spokenLanguage(inputs.userLanguage ?? inputs.deviceLanguage ?? matchLanguage(inputs.systemLanguages));
}

/**
 * The language chosen before anyone signed in (on the login, set-up or connect window, or from the
 * Language menu), remembered for this computer so the next start opens in it. No user or secret.
 */
export class DeviceLanguageFile {
  constructor(
    readonly file: string,
    private readonly logError: (what: string, error: unknown) => void,
  ) {}

  read(): Language | null {
    try {
      const { language } = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { language?: unknown };
      return isLanguage(language) ? language : null;
    } catch {
      return null;
    }
  }

  /** Failing to remember is not worth failing the choice for (it shows now): it is only logged. */
  write(language: Language): void {
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.writeFileSync(temporary, `${JSON.stringify({ language })}\n`, 'utf8');
      fs.renameSync(temporary, this.file);
    } catch (error) {
      fs.rmSync(temporary, { force: true });
      this.logError('Remembering the language', error);
    }
  }
}
