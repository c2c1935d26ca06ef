/**
 * Users of the datafile, their login and their permissions: the rules of the Users window (New,
 * Edit user with its Permissions tab, set a password, disable), and the machine owner's password
 * reset at the command line. The Admin permission is "edit sync settings" (msupply-sync-sites.md:
 * Edit user > Permissions tab > Admin); only administrators manage users. Small CRUD over the typed
 * schema: drizzle's query builder throughout (the raw connection only opens transactions).
 */
import { and, count, eq, ne } from 'drizzle-orm';
import type { ParsedInputs, UserDetails, UserRow } from '../../shared/contract';
import { limits, type UiLanguage, uiLanguages } from '../../shared/operations';
import { AppFailure } from '../../shared/errors';
import { nameKey, nameProblem, normaliseName } from '../../shared/names';
import type { Datafile } from '../../db/datafile';
import { user, userAudit, userPermission } from '../../db/schema';
import { type Actor, EDIT_SYNC_SETTINGS, requireEditSyncSettings } from './actor';
import type { PasswordHasher } from './passwords';

export interface NewUser {
  name: string;
  password: string;
  permissions: string[];
}

type UserRecord = typeof user.$inferSelect;

/** The machine's owner at the command line (`npm run server -- --reset-password`), as the audit log names them. */
const commandLineActor = { userId: null, userName: 'command line (machine owner)' };

export class UserService {
  /** Verified against when a user name is unknown, so both failures cost the same time. */
  private decoyHash: Promise<string> | undefined;

  constructor(
    private readonly datafile: Datafile,
    private readonly hasher: PasswordHasher,
  ) {}

  private get sqlite() {
    return this.datafile.sqlite;
  }

  private get db() {
    return this.datafile.db;
  }

  userCount(): number {
    return this.db.select({ n: count() }).from(user).get()!.n;
  }

  async createUser(actor: Actor, input: NewUser): Promise<Actor> {
    requireEditSyncSettings(actor);
    const name = normaliseName(input.name);
    if (!name) throw new AppFailure('validation_failed', 'User name is required.');
    const nameRule = nameProblem('User name', name);
    if (nameRule) throw new AppFailure('validation_failed', nameRule);
    if (!input.password) throw new AppFailure('validation_failed', 'Password is required.');
    const passwordHash = await this.hasher.hashUserPassword(input.password);
    return this.sqlite
      .transaction(() => {
        const created = this.insertUser(name, passwordHash);
        for (const permission of new Set(input.permissions)) {
          this.db.insert(userPermission).values({ userId: created, permission }).run();
        }
        this.audit(actor, created, 'create', { name: { to: name }, permissions: { to: [...new Set(input.permissions)] } });
        return this.actorFor(created)!;
      })
      .immediate();
  }

  /** Logs a user in. Unknown names and wrong passwords fail alike, in about the same time. */
  async authenticate(userName: string, password: string): Promise<Actor> {
    const record = this.db
      .select()
      .from(user)
      .where(eq(user.nameKey, nameKey(userName)))
      .get();
    if (!record) {
      this.decoyHash ??= this.hasher.hashUserPassword('decoy password that matches nothing');
      await this.hasher.verifyUserPassword(password, await this.decoyHash);
      throw new AppFailure('invalid_credentials');
    }
    const ok = await this.hasher.verifyUserPassword(password, record.passwordHash);
    if (!ok) throw new AppFailure('invalid_credentials');
    // Said only to someone who knows the password: it tells them whom to ask.
    if (record.disabled) throw new AppFailure('user_disabled');
    return this.actorFor(record.id)!;
  }

  /**
   * The user as they are now: permissions are read again on every call, never cached in a session.
   * A disabled (or deleted) user is nobody: their sessions end at their next call.
   */
  actorFor(userId: number): Actor | null {
    const record = this.db.select({ id: user.id, name: user.name, disabled: user.disabled }).from(user).where(eq(user.id, userId)).get();
    if (!record || record.disabled) return null;
    return { userId: record.id, userName: record.name, permissions: this.permissionsOf(record.id) };
  }

  private permissionsOf(userId: number): Set<string> {
    return new Set(
      this.db
        .select({ permission: userPermission.permission })
        .from(userPermission)
        .where(eq(userPermission.userId, userId))
        .all()
        .map((p) => p.permission),
    );
  }

  /** The user's language for the windows; null when they have not chosen one. */
  languageOf(userId: number): UiLanguage | null {
    const record = this.db.select({ language: user.language }).from(user).where(eq(user.id, userId)).get();
    const language = record?.language;
    return (uiLanguages as readonly (string | null | undefined)[]).includes(language) ? (language as UiLanguage) : null;
  }

  /** Any logged-in user chooses their own language: a preference, not a setting of the datafile. */
  setLanguage(actor: Actor, language: UiLanguage): void {
    if (actor.userId === null) return;
    this.db.update(user).set({ language }).where(eq(user.id, actor.userId)).run();
  }

  // ---- the Users window ------------------------------------------------------------------------

  listUsers(actor: Actor): { rows: UserRow[] } {
    requireEditSyncSettings(actor);
    const records = this.db.select().from(user).all();
    const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
    return {
      rows: records.map((r) => this.row(actor, r)).sort((a, b) => collator.compare(a.name, b.name) || a.userId - b.userId),
    };
  }

  getUser(actor: Actor, input: ParsedInputs['getUser']): UserDetails {
    requireEditSyncSettings(actor);
    return this.details(actor, this.requireUser(input.userId));
  }

  /**
   * OK in the Edit user (or New user) window: name, password, the Admin permission and disabled, in
   * one transaction. Refused: a duplicate name, a new user without a password, removing one's own Admin
   * permission or disabling oneself, and leaving the datafile without an enabled administrator.
   */
  async saveUser(actor: Actor, input: ParsedInputs['saveUser']): Promise<UserDetails> {
    requireEditSyncSettings(actor);
    const name = input.name.trim();
    if (!name)
      throw new AppFailure('validation_failed', 'User name is required.', { issues: [{ field: 'name', message: 'User name is required.' }] });
    if (input.userId === null && input.password === undefined) {
      throw new AppFailure('validation_failed', 'A new user needs a password.', {
        issues: [{ field: 'password', message: `A new user needs a password (at least ${limits.userPasswordMin} characters).` }],
      });
    }
    if (input.userId !== null && input.userId === actor.userId) {
      if (!input.admin || input.disabled) throw new AppFailure('own_admin_permission');
    }
    // Hash before the transaction: scrypt is slow and must not hold the write lock.
    const passwordHash = input.password === undefined ? undefined : await this.hasher.hashUserPassword(input.password);

    const savedId = this.sqlite
      .transaction(() => {
        const key = nameKey(name);
        const clash = this.db
          .select({ id: user.id, name: user.name })
          .from(user)
          .where(input.userId === null ? eq(user.nameKey, key) : and(eq(user.nameKey, key), ne(user.id, input.userId)))
          .get();
        if (clash) {
          throw new AppFailure('user_name_taken', `There is already a user called "${clash.name}". User names must be unique (ignoring case).`);
        }
        const changes: Record<string, unknown> = {};
        let id: number;
        if (input.userId === null) {
          id = this.insertUser(name, passwordHash!, input.disabled);
          Object.assign(changes, { name: { to: name }, admin: { to: input.admin }, disabled: { to: input.disabled }, password: { changed: true } });
        } else {
          const existing = this.requireUser(input.userId);
          id = existing.id;
          const wasAdmin = this.permissionsOf(id).has(EDIT_SYNC_SETTINGS);
          if (existing.name !== name) changes.name = { from: existing.name, to: name };
          if (wasAdmin !== input.admin) changes.admin = { from: wasAdmin, to: input.admin };
          if (existing.disabled !== input.disabled) changes.disabled = { from: existing.disabled, to: input.disabled };
          if (passwordHash !== undefined) changes.password = { changed: true };
          this.db
            .update(user)
            .set({ name, nameKey: key, disabled: input.disabled, ...(passwordHash !== undefined ? { passwordHash } : {}) })
            .where(eq(user.id, id))
            .run();
        }
        if (input.admin) {
          this.db.insert(userPermission).values({ userId: id, permission: EDIT_SYNC_SETTINGS }).onConflictDoNothing().run();
        } else {
          this.db
            .delete(userPermission)
            .where(and(eq(userPermission.userId, id), eq(userPermission.permission, EDIT_SYNC_SETTINGS)))
            .run();
        }
        // Checked after the change, inside the transaction, so two administrators demoting each other
        // at once cannot both succeed.
        if (this.enabledAdministrators() === 0) throw new AppFailure('last_administrator');
        if (Object.keys(changes).length > 0) this.audit(actor, id, input.userId === null ? 'create' : 'update', changes);
        return id;
      })
      .immediate();
    return this.details(actor, this.requireUser(savedId));
  }

  /**
   * A forgotten password, reset by whoever runs the server on this machine (never over the network):
   * sets the password and enables the user; permissions are unchanged. Audited as the command line.
   */
  async resetPasswordFromCommandLine(userName: string, password: string): Promise<{ userName: string; admin: boolean }> {
    if (password.length < limits.userPasswordMin) {
      throw new AppFailure('validation_failed', `The password must be at least ${limits.userPasswordMin} characters.`);
    }
    if (password.length > limits.userPassword) {
      throw new AppFailure('validation_failed', `The password can be at most ${limits.userPassword} characters.`);
    }
    const passwordHash = await this.hasher.hashUserPassword(password);
    return this.sqlite
      .transaction(() => {
        const record = this.db
          .select()
          .from(user)
          .where(eq(user.nameKey, nameKey(userName)))
          .get();
        if (!record) {
          const names = this.db
            .select({ name: user.name })
            .from(user)
            .all()
            .map((u) => u.name);
          throw new AppFailure('user_not_found', `There is no user called "${userName.trim()}". The users are: ${names.join(', ')}.`);
        }
        this.db.update(user).set({ passwordHash, disabled: false }).where(eq(user.id, record.id)).run();
        const changes: Record<string, unknown> = { password: { changed: true } };
        if (record.disabled) changes.disabled = { from: true, to: false };
        this.audit(commandLineActor, record.id, 'reset_password', changes);
        return { userName: record.name, admin: this.permissionsOf(record.id).has(EDIT_SYNC_SETTINGS) };
      })
      .immediate();
  }

  // ---- helpers -----------------------------------------------------------------------------------

  private insertUser(name: string, passwordHash: string, disabled = false): number {
    const key = nameKey(name);
    const clash = this.db.select({ id: user.id }).from(user).where(eq(user.nameKey, key)).get();
    if (clash) throw new AppFailure('user_name_taken', `There is already a user called "${name}".`);
    return this.db.insert(user).values({ name, nameKey: key, passwordHash, disabled }).returning({ id: user.id }).get().id;
  }

  private enabledAdministrators(): number {
    return this.db
      .select({ n: count() })
      .from(user)
      .innerJoin(userPermission, eq(userPermission.userId, user.id))
      .where(and(eq(userPermission.permission, EDIT_SYNC_SETTINGS), eq(user.disabled, false)))
      .get()!.n;
  }

  private requireUser(userId: number): UserRecord {
    const record = this.db.select().from(user).where(eq(user.id, userId)).get();
    if (!record) throw new AppFailure('user_not_found');
    return record;
  }

  private row(actor: Actor, record: UserRecord): UserRow {
    return {
      userId: record.id,
      name: record.name,
      admin: this.permissionsOf(record.id).has(EDIT_SYNC_SETTINGS),
      disabled: record.disabled,
      isYou: record.id === actor.userId,
    };
  }

  private details(actor: Actor, record: UserRecord): UserDetails {
    return { ...this.row(actor, record), createdAt: record.createdAt };
  }

  private audit(actor: Pick<Actor, 'userId' | 'userName'>, targetUserId: number, action: string, changes: Record<string, unknown>): void {
    this.db
      .insert(userAudit)
      .values({ targetUserId, userId: actor.userId, userName: actor.userName, action, changes: JSON.stringify(changes) })
      .run();
  }
}
