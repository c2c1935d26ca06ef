/** The "Type here to search" box of the mSupply windows; the list filters as the person types. */
import { limits } from '../../shared/operations';

export function SearchBox(props: { label: string; value: string; onChange: (value: string) => void }) {
  return (
    <input
      type="search"
      className="search"
      aria-label={props.label}
      placeholder="Type here to search"
      value={props.value}
      maxLength={limits.search}
      onChange={(e) => props.onChange(e.target.value)}
    />
  );
}
