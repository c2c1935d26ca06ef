/**
 * The window's languages: i18next with one JSON file per namespace and language (as Open mSupply
 * does), English, French and Spanish, and a pseudo-locale (en-XA) made from the English strings at
 * start-up: accented and about a third longer, so a string that skipped translation stands out and
 * layouts are seen with longer words. English is the default until a language is chosen, so the
 * tests that find elements by their English words keep doing so.
 */
import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { type UiLanguage, uiLanguages } from '../../shared/operations';
import { pseudoResources } from './pseudo';
import { resources } from './resources';

/** The pseudo-locale: for testing only, offered in the picker only when asked for. */
export const pseudoLanguage = 'en-XA';
/** The contract's languages (a user's saved choice is one of them). */
export type Language = UiLanguage;
export const languages = uiLanguages.filter((l): l is Exclude<UiLanguage, typeof pseudoLanguage> => l !== pseudoLanguage);

/** Each language named in itself, as pickers do, so a person finds theirs whatever is showing. */
export const languageNames: Record<Language, string> = {
  en: 'English',
  fr: 'Français',
  es: 'Español',
  'en-XA': '[Ƥşèúδô]',
};

export const namespaces = Object.keys(resources.en) as (keyof (typeof resources)['en'])[];

export function isLanguage(value: unknown): value is Language {
  return (uiLanguages as readonly unknown[]).includes(value);
}

/** The first of the browser's (or system's) languages that the app speaks; English otherwise. */
export function detectLanguage(
  preferred: readonly string[] = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]),
): Language {
  for (const tag of preferred) {
    if (isLanguage(tag)) return tag;
    const base = tag.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
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
