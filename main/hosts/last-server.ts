/**
 * The server address last connected to from this computer, kept in the user-data folder so that
 * File > Connect to server... offers it again. Only the address is kept: never a user name,
 * password or session. No electron import: main passes in the folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseServerUrl } from '../http/api-client';

export class LastServerFile {
  constructor(
    readonly file: string,
    private readonly logError: (what: string, error: unknown) => void = (w, e) => console.error(`${w} failed:`, e),
  ) {}

  /** The remembered address, or null when there is none (or the file is unreadable or edited by hand into nonsense). */
  read(): string | null {
    return this.readEntry()?.url ?? null;
  }

  /**
   * The address to connect to again at start-up: the server the app was on when it last quit (null
   * when it had gone back to a datafile since, with File > Open / New datafile...).
   */
  reconnectUrl(): string | null {
    const entry = this.readEntry();
    return entry?.reconnect ? entry.url : null;
  }

  /** Remembers `url` as the server the app is now on. */
  write(url: string): void {
    this.save({ url, reconnect: true });
  }

  /** The app left the server for a datafile: still offered, but not connected to at start-up. */
  left(): void {
    const url = this.read();
    if (url) this.save({ url, reconnect: false });
  }

  private readEntry(): { url: string; reconnect: boolean } | null {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return null;
    }
    try {
      const { url, reconnect } = JSON.parse(text) as { url?: unknown; reconnect?: unknown };
      if (typeof url !== 'string') return null;
      const parsed = parseServerUrl(url);
      return parsed.ok ? { url: parsed.value, reconnect: reconnect === true } : null;
    } catch {
      return null;
    }
  }

  /** Failing to remember is not worth failing the connection for, so it is only logged. */
  private save(entry: { url: string; reconnect: boolean }): void {
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      // Written aside and renamed, so a crash never leaves half a file to read next time.
      fs.writeFileSync(temporary, `${JSON.stringify(entry)}\n`, 'utf8');
      fs.renameSync(temporary, this.file);
    } catch (error) {
      fs.rmSync(temporary, { force: true });
      this.logError('Remembering the server address', error);
    }
  }
}
