/**
 * Warns before the page is left (refresh, Back, closing the tab) while a draft holds unsaved edits:
 * the browser asks "Leave site? Changes you made may not be saved." Inside Electron the window has no
 * Back and the app does not reload on its own, so this matters in a browser.
 */
import { useEffect } from 'react';

export function useLeaveWarning(dirty: boolean): void {
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers show the dialog only when returnValue is set.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);
}
