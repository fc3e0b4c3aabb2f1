/**
 * A plain model of who may see what (R17, R18, R19, R22, R34), written from SPEC.md alone and
 * independent of src/: the property test runs random sequences against Parley and this model side
 * by side, and checks every surface against it after every step.
 */
export const USERS = ['ada', 'bob', 'carol', 'dan'] as const;
export const GROUPS = ['g1', 'g2'] as const;
export const CONTACTS = ['k1', 'k2'] as const;
export type UserKey = (typeof USERS)[number];
export type GroupKey = (typeof GROUPS)[number];
export type ContactKey = (typeof CONTACTS)[number];

export interface MUser {
  key: UserKey;
  id: string;
  role: 'admin' | 'agent';
  groups: GroupKey[];
  active: boolean;
  slackId: string | null;
  /** Slack identities this user had before a relink: they must see nothing of theirs any more (R35). */
  retired: string[];
  /** The user's Teams identity (Entra object id) now, and the ones it had before (R35). */
  teamsId: string | null;
  teamsRetired: string[];
}

export interface MConv {
  id: string;
  number: number;
  group: GroupKey;
  contact: ContactKey;
  status: 'open' | 'closed';
  /** null: the whole group; a list (maybe empty: the group's admins) restricts it. */
  list: UserKey[] | null;
  assignees: UserKey[];
  /** The unique marks written into it (customer messages and replies). */
  secrets: string[];
}

export interface MContact {
  key: ContactKey;
  id: string;
  defaults: UserKey[] | null;
}

export interface Model {
  users: Record<UserKey, MUser>;
  contacts: Record<ContactKey, MContact>;
  /** In the order they were opened. */
  convs: MConv[];
}

export const isActiveMember = (m: Model, u: UserKey, g: GroupKey) =>
  m.users[u].active && m.users[u].groups.includes(g);

/** R17/R34: may this user see this conversation now? */
export function mayView(m: Model, u: UserKey, c: MConv): boolean {
  if (!isActiveMember(m, u, c.group)) return false;
  if (c.list === null) return true;
  return c.list.includes(u) || (c.list.length === 0 && m.users[u].role === 'admin');
}

export const openConvOf = (m: Model, k: ContactKey, g: GroupKey) =>
  m.convs.find((c) => c.contact === k && c.group === g && c.status === 'open');

const latestConvOf = (m: Model, k: ContactKey, g: GroupKey) =>
  m.convs.filter((c) => c.contact === k && c.group === g).at(-1);

/**
 * R19/R34: a new conversation keeps every restriction on the contact in the group — the contact's
 * defaults, its latest conversation's list, the closed conversation a reply was written in — for
 * the users who may be on a list of the group.
 */
export function newListFor(m: Model, k: ContactKey, g: GroupKey, repliedIn?: MConv): UserKey[] | null {
  const lists = [m.contacts[k].defaults, latestConvOf(m, k, g)?.list, repliedIn?.list].filter(
    (l): l is UserKey[] => Array.isArray(l),
  );
  if (lists.length === 0) return null;
  return [...new Set(lists.flat())].filter((u) => isActiveMember(m, u, g));
}

/** R34: a user who leaves groups (or is deactivated) leaves those groups' assignee and visibility lists. */
export function leaveLists(m: Model, u: UserKey, groups: readonly GroupKey[]): void {
  for (const c of m.convs) {
    if (!groups.includes(c.group)) continue;
    c.assignees = c.assignees.filter((a) => a !== u);
    if (c.list) c.list = c.list.filter((a) => a !== u);
  }
}

export function openConv(
  m: Model,
  at: { id: string; number: number },
  k: ContactKey,
  g: GroupKey,
  list: UserKey[] | null,
): MConv {
  const c: MConv = { ...at, group: g, contact: k, status: 'open', list, assignees: [], secrets: [] };
  m.convs.push(c);
  return c;
}

export const sameSet = <T>(a: readonly T[], b: readonly T[]) =>
  a.length === b.length && a.every((x) => b.includes(x));
