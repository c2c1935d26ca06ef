/**
 * The list of a window (sites, stores): a single-selection grid whose rows are virtualised, so ten
 * thousand sites render only the rows on screen. Arrow keys, Home/End and Page Up/Down move the
 * selection; Enter or a double-click opens the selected row; a column header button sorts.
 */
import { useEffect, useRef, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import { observeElementRect, useVirtualizer, type Rect, type Virtualizer } from '@tanstack/react-virtual';

export interface Column<Row> {
  key: string;
  header: string;
  cell: (row: Row) => ReactNode;
  /** CSS grid track, e.g. "6rem" or "2fr". */
  width?: string;
}

export interface TableSort {
  column: string;
  direction: 'asc' | 'desc';
}

export interface DataTableProps<Row> {
  label: string;
  columns: Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => number;
  selectedKey: number | null;
  onSelect: (key: number) => void;
  onActivate?: (row: Row) => void;
  sort?: TableSort | null;
  onSort?: (column: string) => void;
  emptyText?: string;
  /** Height used before the list has been laid out (and in environments without layout). */
  fallbackHeight?: number;
  className?: string;
  /** The grid element, for a window that moves the focus to its list (after opening, after a dialog closes). */
  gridRef?: RefObject<HTMLDivElement | null>;
}

const rowHeight = 28;

export function DataTable<Row>(props: DataTableProps<Row>) {
  const { rows, columns, rowKey, selectedKey, onSelect, onActivate, sort, onSort } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  const fallback: Rect = { width: 800, height: props.fallbackHeight ?? 420 };
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 8,
    initialRect: fallback,
    // Before layout (or without one, as in jsdom) the list measures 0px and would show no rows.
    observeElementRect: (instance: Virtualizer<HTMLDivElement, Element>, cb: (rect: Rect) => void) =>
      observeElementRect(instance, (rect) => cb(rect.height > 0 ? rect : fallback)),
  });
  const template = columns.map((c) => c.width ?? '1fr').join(' ');
  const selectedIndex = selectedKey === null ? -1 : rows.findIndex((r) => rowKey(r) === selectedKey);
  const idPrefix = useRef(`grid-${Math.random().toString(36).slice(2)}`).current;

  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);

  const moveTo = (index: number) => {
    if (rows.length === 0) return;
    const clamped = Math.max(0, Math.min(rows.length - 1, index));
    onSelect(rowKey(rows[clamped]!));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.target !== event.currentTarget) return;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight || fallback.height) / rowHeight) - 1);
    const from = selectedIndex;
    switch (event.key) {
      case 'ArrowDown':
        moveTo(from < 0 ? 0 : from + 1);
        break;
      case 'ArrowUp':
        moveTo(from < 0 ? 0 : from - 1);
        break;
      case 'Home':
        moveTo(0);
        break;
      case 'End':
        moveTo(rows.length - 1);
        break;
      case 'PageDown':
        moveTo(from + page);
        break;
      case 'PageUp':
        moveTo(from - page);
        break;
      case 'Enter': {
        const row = rows[selectedIndex];
        if (row && onActivate) onActivate(row);
        break;
      }
      default:
        return;
    }
    event.preventDefault();
  };

  return (
    <div
      ref={(element) => {
        gridRef.current = element;
        if (props.gridRef) props.gridRef.current = element;
      }}
      role="grid"
      aria-label={props.label}
      aria-rowcount={rows.length + 1}
      aria-colcount={columns.length}
      aria-activedescendant={selectedIndex >= 0 ? `${idPrefix}-${rowKey(rows[selectedIndex]!)}` : undefined}
      tabIndex={0}
      className={`data-table ${props.className ?? ''}`}
      onKeyDown={onKeyDown}
    >
      <div role="rowgroup" className="data-table-head">
        <div role="row" aria-rowindex={1} className="data-table-row" style={{ gridTemplateColumns: template }}>
          {columns.map((column) => {
            const sorted = sort?.column === column.key ? sort.direction : null;
            return (
              <div
                key={column.key}
                role="columnheader"
                aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
                className="data-table-header"
              >
                {onSort ? (
                  <button type="button" className="header-button" onClick={() => onSort(column.key)}>
                    {column.header}
                    <span aria-hidden="true" className="sort-mark">
                      {sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}
                    </span>
                  </button>
                ) : (
                  column.header
                )}
              </div>
            );
          })}
        </div>
      </div>
      <div ref={scrollRef} role="rowgroup" className="data-table-body">
        {rows.length === 0 && props.emptyText ? <div className="data-table-empty">{props.emptyText}</div> : null}
        <div className="data-table-spacer" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]!;
            const key = rowKey(row);
            const selected = key === selectedKey;
            return (
              // The grid itself takes the focus and the keys (arrows, Enter) and points at the
              // selected row with aria-activedescendant; a click on a row selects it and focuses the grid.
              // eslint-disable-next-line jsx-a11y/click-events-have-key-events, jsx-a11y/interactive-supports-focus
              <div
                key={key}
                id={`${idPrefix}-${key}`}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={selected}
                className={`data-table-row${selected ? ' selected' : ''}`}
                style={{ gridTemplateColumns: template, height: item.size, transform: `translateY(${item.start}px)` }}
                onClick={() => {
                  onSelect(key);
                  gridRef.current?.focus();
                }}
                onDoubleClick={() => onActivate?.(row)}
              >
                {columns.map((column) => (
                  <div key={column.key} role="gridcell" className="data-table-cell">
                    {column.cell(row)}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
