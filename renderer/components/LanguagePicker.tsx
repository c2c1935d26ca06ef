/**
 * The language of the window: every window's words, dates and numbers change at once. The choice
 * is reported to `onChosen` (the login page keeps it in the browser, the Navigator in the user's
 * preferences). The pseudo-locale is offered only once it is showing (?lang=en-XA), for testing.
 */
import { useTranslation } from 'react-i18next';
import { isLanguage, languageNames, languages, pseudoLanguage, setLanguage, type Language } from '../i18n';

export function LanguagePicker(props: { onChosen?: (language: Language) => void }) {
  const { t, i18n } = useTranslation();
  const current = isLanguage(i18n.language) ? i18n.language : 'en';
  const offered: Language[] = current === pseudoLanguage ? [...languages, pseudoLanguage] : [...languages];
  return (
    <label className="language-picker">
      <span>{t('language.label')}</span>
      <select
        value={current}
        onChange={(e) => {
          const chosen = e.target.value;
          if (!isLanguage(chosen)) return;
          void setLanguage(chosen);
          props.onChosen?.(chosen);
        }}
      >
        {offered.map((language) => (
          <option key={language} value={language} lang={language}>
            {languageNames[language]}
          </option>
        ))}
      </select>
    </label>
  );
}
