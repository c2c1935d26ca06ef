/** The "Type here to search" box of the mSupply windows; the list filters as the person types. */
import { useTranslation } from 'react-i18next';
import { limits } from '../../shared/operations';

export function SearchBox(props: { label: string; value: string; onChange: (value: string) => void }) {
  const { t } = useTranslation();
  return (
    <input
      type="search"
      className="search"
      aria-label={props.label}
      placeholder={t('search.placeholder')}
      value={props.value}
      maxLength={limits.search}
      onChange={(e) => props.onChange(e.target.value)}
    />
  );
}
