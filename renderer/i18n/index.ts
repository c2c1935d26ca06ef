/**
 * The window's languages: i18next with one JSON file per namespace and language (as Open mSupply
 * does), English, French and Spanish, and a pseudo-locale (en-XA) made from the English strings at
 * start-up: accented and about a third longer, so a string that skipped translation stands out and
 * layouts are seen with longer words. English is the default until a language is chosen, so the
 * tests that find elements by their English words keep doing so.
 */
import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { type Language, languages, matchLanguage, pseudoLanguage } from '../../shared/locales/languages';
import { pseudoResources } from './pseudo';
import { resources } from '../../shared/locales/resources';

export { isLanguage, languageNames, languages, pseudoLanguage, type Language } from '../../shared/locales/languages';

export const namespaces = Object.keys(resources.en) as (keyof (typeof resources)['en'])[];

/** The first of the browser's (or system's) languages that the app speaks; English otherwise. */
export function detectLanguage(
  preferred: readonly string[] = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]),
): Language {
  return matchLanguage(preferred);
}

export const i18n: I18n = i18next.createInstance();
void i18n.use(initReactI18next).init({
  resources: { ...resources, [pseudoLanguage]: pseudoResources(resources.en) },
  lng: 'en',
  fallbackLng: false,
  supportedLngs: [...languages, pseudoLanguage],
  ns: namespaces,
  defaultNS: 'common',
  keySeparator: false,
  nsSeparator: ':',
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});

/** Shows the window in `language`: every string, every date and number, and `<html lang>`. */
export async function setLanguage(language: Language): Promise<void> {
  await i18n.changeLanguage(language);
  if (typeof document !== 'undefined') document.documentElement.lang = language;
}

i18n.on('languageChanged', (language) => {
  if (typeof document !== 'undefined') document.documentElement.lang = language;
});
