/**
 * Asking the person to agree before a risky change: `ask` opens the confirmation dialog and
 * resolves true (confirmed) or false (cancelled), so the action reads top to bottom.
 */
import { useCallback, useRef, useState } from 'react';
import type { Confirmation } from '../../shared/contract';

export interface ConfirmRequest {
  confirmations: Confirmation[];
  /** The confirm button's words (already translated); OK when not given. */
  confirmLabel?: string | undefined;
}

export function useConfirm() {
  const [request, setRequest] = useState<ConfirmRequest | null>(null);
  const resolver = useRef<((confirmed: boolean) => void) | null>(null);

  const ask = useCallback((confirmations: Confirmation[], confirmLabel?: string) => {
    resolver.current?.(false);
    setRequest({ confirmations, confirmLabel });
    return new Promise<boolean>((resolve) => {
      resolver.current = resolve;
    });
  }, []);

  const answer = useCallback((confirmed: boolean) => {
    const resolve = resolver.current;
    resolver.current = null;
    setRequest(null);
    resolve?.(confirmed);
  }, []);

  return { request, ask, answer };
}
