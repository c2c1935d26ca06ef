/**
 * The languages the app speaks, as both the windows (renderer/i18n) and the desktop menu
 * (main/electron/menu-language.ts) offer them: each named in itself, and the system's or browser's
 * preferred languages matched to one of them.
 */
import { type UiLanguage, uiLanguages } from '../operations';

/** The pseudo-locale: for testing only, offered in the picker only when asked for. */
export const pseudoLanguage = 'en-XA';
/** The contract's languages (a user's saved choice is one of them). */
export type Language = UiLanguage;
/** The languages a person chooses from (the pseudo-locale is not one of them). */
export const languages = uiLanguages.filter((l): l is Exclude<UiLanguage, typeof pseudoLanguage> => l !== pseudoLanguage);
export type SpokenLanguage = (typeof languages)[number];

/** Each language named in itself, as pickers do, so a person finds theirs whatever is showing. */
export const languageNames: Record<Language, string> = {
  en: 'English',
  fr: 'Français',
  es: 'Español',
  'en-XA': '[Ƥşèúδô]',
};

export function isLanguage(value: unknown): value is Language {
  return (uiLanguages as readonly unknown[]).includes(value);
}

/** The first of the preferred languages (BCP 47 tags, best first) that the app speaks; English otherwise. */
export function matchLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    if (isLanguage(tag)) return tag;
    const base = tag.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}
