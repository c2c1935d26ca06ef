/**
 * Tabs of a window (Edit user: Details, Permissions), as WAI-ARIA describes them: the tab list is one
 * stop of the Tab key, Left/Right (and Home/End) move between tabs, and each panel is labelled by
 * its tab. Every panel stays mounted, so a field edited on one tab keeps its value on another.
 */
import { type KeyboardEvent, type ReactNode, useId, useRef } from 'react';

export interface Tab {
  key: string;
  label: string;
  content: ReactNode;
}

export function Tabs(props: { label: string; tabs: Tab[]; current: string; onChange: (key: string) => void }) {
  const id = useId();
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const index = Math.max(
    0,
    props.tabs.findIndex((t) => t.key === props.current),
  );

  const go = (to: number) => {
    const tab = props.tabs[(to + props.tabs.length) % props.tabs.length]!;
    props.onChange(tab.key);
    buttons.current.get(tab.key)?.focus();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const moves: Record<string, number> = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: props.tabs.length - 1 };
    const to = moves[event.key];
    if (to === undefined) return;
    event.preventDefault();
    go(to);
  };

  return (
    <div className="tabs">
      {/* The tabs are the focusable buttons; their arrow keys bubble up to the list (roving focus). */}
      {/* eslint-disable-next-line jsx-a11y/interactive-supports-focus */}
      <div role="tablist" aria-label={props.label} className="tab-list" onKeyDown={onKeyDown}>
        {props.tabs.map((tab) => {
          const selected = tab.key === props.tabs[index]!.key;
          return (
            <button
              key={tab.key}
              ref={(element) => {
                if (element) buttons.current.set(tab.key, element);
                else buttons.current.delete(tab.key);
              }}
              type="button"
              role="tab"
              id={`${id}-tab-${tab.key}`}
              aria-selected={selected}
              aria-controls={`${id}-panel-${tab.key}`}
              tabIndex={selected ? 0 : -1}
              className={`tab${selected ? ' current' : ''}`}
              onClick={() => props.onChange(tab.key)}
            >
              {tab.label}
            </button>
          );
        })}
      </div>
      {props.tabs.map((tab) => (
        <div
          key={tab.key}
          role="tabpanel"
          id={`${id}-panel-${tab.key}`}
          aria-labelledby={`${id}-tab-${tab.key}`}
          hidden={tab.key !== props.tabs[index]!.key}
          className="tab-panel"
        >
          {tab.content}
        </div>
      ))}
    </div>
  );
}
