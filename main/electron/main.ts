/** Entry of Electron main (bundled to dist/main/main.js, package.json "main"). */
import { app, dialog } from 'electron';
import { startDesktopApp } from './app';

startDesktopApp().catch((error: unknown) => {
  console.error('The app could not start:', error);
  dialog.showErrorBox('mSupply Sync Sites cannot start', error instanceof Error ? error.message : String(error));
  app.exit(1);
});
