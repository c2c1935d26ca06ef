/**
 * The desktop app while connected to a server: each window keeps its own login there (one
 * HttpApiClient, so one session cookie, per ApiSession), exactly as each window has its own login
 * on a local datafile. Payloads are validated with the contract's schemas here, before anything is
 * sent, so a window gets the same validation errors whether it works locally or on a server.
 * No electron import: DatafileHost uses it and tests drive it directly.
 */
import { appError, type Result } from '../../shared/errors';
import { validateInput } from '../../shared/validate';
import { type ApiSession, isOperationName } from '../api/core-api';
import { HttpApiClient, type HttpApiClientOptions } from '../http/api-client';

/** Logging out of the server when the app leaves it must not hold up the switch for long. */
const LOGOUT_TIMEOUT_MS = 3000;

export class ServerConnection {
  private readonly clients = new Map<ApiSession, HttpApiClient>();

  private constructor(
    readonly url: string,
    private readonly options: HttpApiClientOptions,
  ) {}

  /**
   * Checks that `url` is one of our servers (it answers whoAmI with a contract Result) before the
   * app gives up its local datafile for it.
   */
  static async connect(url: string, options: HttpApiClientOptions = {}): Promise<Result<ServerConnection>> {
    const probe = new HttpApiClient(url, options);
    const who = await probe.whoAmI({});
    if (!who.ok) return who;
    return { ok: true, value: new ServerConnection(url, options) };
  }

  async dispatch(session: ApiSession, operation: string, rawInput: unknown): Promise<Result<unknown>> {
    if (!isOperationName(operation)) {
      return { ok: false, error: appError('validation_failed', 'That operation does not exist.') };
    }
    const input = validateInput(operation, rawInput);
    if (!input.ok) return input;
    return this.clientOf(session).call(operation, input.value);
  }

  /** The window is gone: its login on the server is ended, without waiting for the answer. */
  forget(session: ApiSession): void {
    const client = this.clients.get(session);
    this.clients.delete(session);
    if (client?.hasSession) void this.logOut(client);
  }

  /** The app leaves this server: every window's login there is ended. */
  close(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    return Promise.all(clients.filter((c) => c.hasSession).map((c) => this.logOut(c))).then(() => undefined);
  }

  private clientOf(session: ApiSession): HttpApiClient {
    let client = this.clients.get(session);
    if (!client) {
      client = new HttpApiClient(this.url, this.options);
      this.clients.set(session, client);
    }
    return client;
  }

  private async logOut(client: HttpApiClient): Promise<void> {
    await client.call('logout', {}, { timeoutMs: LOGOUT_TIMEOUT_MS });
  }
}
