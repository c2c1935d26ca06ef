/** Users of the datafile, their login and their permissions. */
import { count, eq } from 'drizzle-orm';
import { AppFailure } from '../../shared/errors';
import { nameKey, nameProblem, normaliseName } from '../../shared/names';
import type { Datafile } from '../../db/datafile';
import { user, userPermission } from '../../db/schema';
import { type Actor, requireEditSyncSettings } from './actor';
import type { PasswordHasher } from './passwords';

export interface NewUser {
  name: string;
  password: string;
  permissions: string[];
}

export class UserService {
  /** Verified against when a user name is unknown, so both failures cost the same time. */
  private decoyHash: Promise<string> | undefined;

  constructor(
    private readonly datafile: Datafile,
    private readonly hasher: PasswordHasher,
  ) {}

  userCount(): number {
    return this.datafile.db.select({ n: count() }).from(user).get()!.n;
  }

  async createUser(actor: Actor, input: NewUser): Promise<Actor> {
    requireEditSyncSettings(actor);
    const name = normaliseName(input.name);
    if (!name) throw new AppFailure('validation_failed', 'User name is required.');
    const nameRule = nameProblem('User name', name);
    if (nameRule) throw new AppFailure('validation_failed', nameRule);
    if (!input.password) throw new AppFailure('validation_failed', 'Password is required.');
    const passwordHash = await this.hasher.hashUserPassword(input.password);
    return this.datafile.sqlite
      .transaction(() => {
        const key = nameKey(name);
        const clash = this.datafile.db.select({ id: user.id }).from(user).where(eq(user.nameKey, key)).get();
        if (clash) throw new AppFailure('validation_failed', `There is already a user called "${name}".`);
        const created = this.datafile.db.insert(user).values({ name, nameKey: key, passwordHash }).returning({ id: user.id }).get();
        for (const permission of new Set(input.permissions)) {
          this.datafile.db.insert(userPermission).values({ userId: created.id, permission }).run();
        }
        return this.actorFor(created.id)!;
      })
      .immediate();
  }

  /** Logs a user in. Unknown names and wrong passwords fail alike, in about the same time. */
  async authenticate(userName: string, password: string): Promise<Actor> {
    const record = this.datafile.db.select().from(user).where(eq(user.nameKey, nameKey(userName))).get();
    if (!record) {
      this.decoyHash ??= this.hasher.hashUserPassword('decoy password that matches nothing');
      await this.hasher.verifyUserPassword(password, await this.decoyHash);
      throw new AppFailure('invalid_credentials');
    }
    const ok = await this.hasher.verifyUserPassword(password, record.passwordHash);
    if (!ok) throw new AppFailure('invalid_credentials');
    return this.actorFor(record.id)!;
  }

  /** The user as they are now: permissions are read again on every call, never cached in a session. */
  actorFor(userId: number): Actor | null {
    const record = this.datafile.db.select({ id: user.id, name: user.name }).from(user).where(eq(user.id, userId)).get();
    if (!record) return null;
    const permissions = this.datafile.db
      .select({ permission: userPermission.permission })
      .from(userPermission)
      .where(eq(userPermission.userId, userId))
      .all()
      .map((p) => p.permission);
    return { userId: record.id, userName: record.name, permissions: new Set(permissions) };
  }
}
