/**
 * Who is acting. Every use-case takes one and checks it (R33). A user actor names the user; the
 * use-case loads the user's current role and groups itself, so a stale surface cannot widen rights.
 */
export type Actor =
  | { kind: 'user'; userId: string }
  | { kind: 'system'; reason?: string }
  | { kind: 'ai' }
  | { kind: 'provider'; channel: string }
  | { kind: 'contact' };

export const userActor = (userId: string): Actor => ({ kind: 'user', userId });
export const systemActor: Actor = { kind: 'system' };
export const aiActor: Actor = { kind: 'ai' };

export type Role = 'admin' | 'agent';

/** The facts about a user that rules look at. */
export interface Viewer {
  id: string;
  accountId: string;
  role: Role;
  groupIds: readonly string[];
}
