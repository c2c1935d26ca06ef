/** Entry of Electron main (bundled to dist/main/main.js, package.json "main"). */
import { runDesktopApp } from './app';

void runDesktopApp();
