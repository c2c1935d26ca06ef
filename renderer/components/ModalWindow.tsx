/**
 * A window that opens over the list it came from (Site details, Edit user): a modal dialog that
 * does not vanish on a stray click outside it (Cancel or Escape closes it), and hands the focus
 * back to the list it came from when it closes.
 */
import * as Dialog from '@radix-ui/react-dialog';
import type { ReactNode } from 'react';

export function ModalWindow(props: { className: string; onClose: () => void; onClosedFocus?: () => void; children: ReactNode }) {
  const { onClosedFocus } = props;
  return (
    <Dialog.Root open onOpenChange={(open) => !open && props.onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content
          className={`dialog ${props.className}`}
          onPointerDownOutside={(e) => e.preventDefault()}
          onInteractOutside={(e) => e.preventDefault()}
          onCloseAutoFocus={(e) => {
            if (!onClosedFocus) return;
            e.preventDefault();
            onClosedFocus();
          }}
        >
          {props.children}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
