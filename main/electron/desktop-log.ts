/**
 * The desktop app's log file, in the platform's standard place (Electron's `app.getPath('logs')`:
 * ~/Library/Logs/<app> on macOS, <userData>/logs on Windows and Linux): sync runs, sign-in
 * refusals, the central server starting and stopping, and errors. One line per entry, appended;
 * at 1 MB the file is moved aside to main.old.log (one generation kept). Never a secret: anything
 * that looks like a password, cookie, token or authorization value is replaced before writing.
 * No electron import: main passes in the folder.
 */
import fs from 'node:fs';
import path from 'node:path';

export const LOG_FILE_NAME = 'main.log';
const MAX_BYTES = 1024 * 1024;

export type LogLevel = 'info' | 'warn' | 'error';

export interface DesktopLog {
  readonly folder: string;
  readonly file: string;
  info(message: string): void;
  warn(message: string): void;
  error(what: string, error?: unknown): void;
}

/** Replaces the values of anything secret-looking (key=value, "key": "value", Key: value). */
export function withoutSecrets(text: string): string {
  return text.replace(
    /(["']?)(password|passwd|secret|token|cookie|set-cookie|authorization|msupply-site-password|session)(["']?)(\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;&}]+)/gi,
    (_match, open: string, key: string, close: string, separator: string) => `${open}${key}${close}${separator}[hidden]`,
  );
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}${error.stack ? `\n${error.stack.split('\n').slice(1, 6).join('\n')}` : ''}`;
  return String(error);
}

/**
 * A stream for fastify's logger (pino JSON lines) that writes into the desktop log: the in-app
 * central server's refused sync sign-ins and failed requests. Only warnings and errors are passed
 * to pino (level 'warn'), so no request lines.
 */
export function centralServerLogStream(log: DesktopLog): { write(line: string): void } {
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        log.warn(`Central server: ${line.trim()}`);
        return;
      }
      const { level, msg, time: _time, pid: _pid, hostname: _hostname, err, ...details } = entry;
      const text = `Central server: ${String(msg ?? '')}${Object.keys(details).length > 0 ? ` ${JSON.stringify(details)}` : ''}`;
      if (typeof level === 'number' && level >= 50) log.error(text, err === undefined ? undefined : JSON.stringify(err));
      else log.warn(text);
    },
  };
}

export function openDesktopLog(folder: string, options: { alsoToConsole?: boolean; now?: () => Date } = {}): DesktopLog {
  const file = path.join(folder, LOG_FILE_NAME);
  const now = options.now ?? (() => new Date());
  const write = (level: LogLevel, message: string) => {
    const line = `${now().toISOString()} [${level}] ${withoutSecrets(message)}\n`;
    if (options.alsoToConsole) (level === 'error' ? console.error : level === 'warn' ? console.warn : console.log)(line.trimEnd());
    try {
      fs.mkdirSync(folder, { recursive: true });
      if (fs.existsSync(file) && fs.statSync(file).size + line.length > MAX_BYTES) {
        fs.renameSync(file, path.join(folder, 'main.old.log'));
      }
      fs.appendFileSync(file, line, { encoding: 'utf8', mode: 0o600 });
    } catch {
      // A log that cannot be written must not stop the app; the console still has it.
    }
  };
  return {
    folder,
    file,
    info: (message) => write('info', message),
    warn: (message) => write('warn', message),
    error: (what, error) => write('error', error === undefined ? what : `${what}: ${describe(error)}`),
  };
}
