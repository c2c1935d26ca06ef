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
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return null;
    }
    try {
      const { url } = JSON.parse(text) as { url?: unknown };
      if (typeof url !== 'string') return null;
      const parsed = parseServerUrl(url);
      return parsed.ok ? parsed.value : null;
    } catch {
      return null;
    }
  }

  /** Remembers `url`. Failing to remember is not worth failing the connection for, so it is only logged. */
  write(url: string): void {
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      // Written aside and renamed, so a crash never leaves half a file to read next time.
      fs.writeFileSync(temporary, `${JSON.stringify({ url })}\n`, 'utf8');
      fs.renameSync(temporary, this.file);
    } catch (error) {
      fs.rmSync(temporary, { force: true });
      this.logError('Remembering the server address', error);
    }
  }
}
