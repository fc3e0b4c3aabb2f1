import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { expect } from 'vitest';
import { runCommand } from '../../src/commands/run-command.ts';
import {
  Account,
  ChannelEndpoint,
  Contact,
  ContactIdentity,
  Group,
  User,
} from '../../src/db/entities/index.ts';
import { userActor } from '../../src/domain/actor.ts';
import { dashboardTiles } from '../../src/queries/dashboard-tiles.ts';
import { loadDigestData } from '../../src/queries/digest-data.ts';
import { myInbox } from '../../src/queries/my-inbox.ts';
import { searchConversations } from '../../src/queries/search-conversations.ts';
import { teamInbox } from '../../src/queries/team-inbox.ts';
import { toViewer } from '../../src/use-cases/load.ts';
import type { TestDb } from '../support/test-db.ts';
import { checkApi } from './privacy-api.ts';
import {
  CONTACTS,
  type ContactKey,
  GROUPS,
  type GroupKey,
  type MConv,
  type Model,
  mayView,
  USERS,
  type UserKey,
} from './privacy-model.ts';
import type { PrivacyWorld } from './privacy-world.ts';

/** One sequence's world: its own account, groups, Slack channels and identities, so runs never meet. */
export interface Run {
  db: TestDb;
  world: PrivacyWorld;
  tag: string;
  groupIds: Record<GroupKey, string>;
  slackChannels: Record<GroupKey, string>;
  teamsChannels: Record<GroupKey, string>;
  whatsapp: Record<GroupKey, string>;
  phones: Record<ContactKey, string>;
  secrets: number;
  relinks: number;
}

const initialGroups: Record<UserKey, GroupKey[]> = {
  ada: ['g1', 'g2'],
  bob: ['g1'],
  carol: ['g1'],
  dan: ['g1', 'g2'],
};

export async function seedRun(db: TestDb, world: PrivacyWorld): Promise<{ model: Model; real: Run }> {
  const tag = randomBytes(4).toString('hex').toUpperCase();
  const em = db.em();
  const account = em.create(Account, { name: `Privacy ${tag}` });
  const groups = {} as Record<GroupKey, Group>;
  for (const g of GROUPS) {
    groups[g] = em.create(Group, {
      account,
      name: `${g}-${tag}`,
      slackChannelId: `C${tag}${g.toUpperCase()}`,
      teamsTeamId: `team-${tag}-${g}`,
      teamsChannelId: `19:${tag}${g}@thread.tacv2`,
    });
  }
  const whatsapp = {} as Record<GroupKey, string>;
  for (const g of GROUPS) {
    whatsapp[g] = `PN${tag}${g}`;
    em.create(ChannelEndpoint, {
      account,
      group: groups[g],
      channel: 'whatsapp',
      address: whatsapp[g],
      name: 'WA',
    });
    const sms = `+1555${Number.parseInt(tag, 16) % 1_000_000}${g === 'g1' ? 1 : 2}`;
    em.create(ChannelEndpoint, { account, group: groups[g], channel: 'sms', address: sms, name: 'SMS' });
  }
  const model: Model = { users: {} as Model['users'], contacts: {} as Model['contacts'], convs: [] };
  for (const u of USERS) {
    const slackId = `U${tag}${u.toUpperCase()}`;
    const teamsId = world.teams.addUser({ name: `${u} ${tag}` }).aadObjectId;
    const user = em.create(User, {
      account,
      name: `${u[0]!.toUpperCase()}${u.slice(1)}`,
      email: `${u}.${tag.toLowerCase()}@acme.test`,
      role: u === 'ada' ? 'admin' : 'agent',
      groupIds: initialGroups[u].map((g) => groups[g].id),
      slackUserId: slackId,
      teamsUserId: teamsId,
    });
    model.users[u] = {
      key: u,
      id: user.id,
      role: user.role,
      groups: [...initialGroups[u]],
      active: true,
      slackId,
      retired: [],
      teamsId,
      teamsRetired: [],
    };
  }
  const phones = {} as Record<ContactKey, string>;
  for (const [i, k] of CONTACTS.entries()) {
    phones[k] = `+1666${Number.parseInt(tag, 16) % 1_000_000}${i}`;
    const contact = em.create(Contact, { account, name: `Contact ${k} ${tag}` });
    for (const channel of ['whatsapp', 'sms'])
      em.create(ContactIdentity, { account, contact, channel, address: phones[k], identified: true });
    model.contacts[k] = { key: k, id: contact.id, defaults: null };
  }
  await em.flush();
  const groupIds = { g1: groups.g1.id, g2: groups.g2.id };
  const slackChannels = { g1: groups.g1.slackChannelId!, g2: groups.g2.slackChannelId! };
  const teamsChannels = { g1: groups.g1.teamsChannelId!, g2: groups.g2.teamsChannelId! };
  return {
    model,
    real: {
      db,
      world,
      tag,
      groupIds,
      slackChannels,
      teamsChannels,
      whatsapp,
      phones,
      secrets: 0,
      relinks: 0,
    },
  };
}

export const newSecret = (r: Run) => `S${r.tag}x${++r.secrets}`;

const secretsIn = (r: Run, text: string) => text.match(new RegExp(`S${r.tag}x\\d+`, 'g')) ?? [];
const convOfSecret = (m: Model, s: string) => m.convs.find((c) => c.secrets.includes(s));

/**
 * R17/R31/R34 on every surface, for every user and every chat identity, against the model: what
 * the Slack workspace shows now (channels, direct messages, App Home), what the queries behind
 * the inboxes, search and tiles return, the digest, and the command answers.
 */
export async function checkEverySurface(m: Model, r: Run, step: string): Promise<void> {
  const { slack } = r.world;
  const owners = new Map<string, UserKey | null>();
  for (const u of USERS) {
    if (m.users[u].slackId) owners.set(m.users[u].slackId!, u);
    for (const old of m.users[u].retired) if (!owners.has(old)) owners.set(old, null);
  }
  const whoSees = (text: string, where: string, allowed: (c: MConv) => boolean) => {
    for (const s of secretsIn(r, text)) {
      const c = convOfSecret(m, s);
      expect(
        c && allowed(c),
        `${step}: ${where} shows ${s} of #${c?.number} (list ${JSON.stringify(c?.list)})`,
      ).toBe(true);
    }
  };
  for (const p of slack.posts) {
    const g = (Object.keys(r.slackChannels) as GroupKey[]).find((k) => r.slackChannels[k] === p.channel);
    if (g) whoSees(slack.visible(p), `channel ${g}`, (c) => c.list === null && c.group === g);
    const sid = p.channel.startsWith('D_') ? p.channel.slice(2) : null;
    if (sid && owners.has(sid)) {
      const u = owners.get(sid)!;
      whoSees(slack.visible(p), `DM of ${u ?? `retired ${sid}`}`, (c) => u !== null && mayView(m, u, c));
    }
  }
  for (const [sid, u] of owners) {
    const home = JSON.stringify(slack.homes.get(sid) ?? '');
    whoSees(home, `App Home of ${u ?? `retired ${sid}`}`, (c) => u !== null && mayView(m, u, c));
  }
  checkTeams(m, r, whoSees);
  for (const g of GROUPS) {
    const digest = await loadDigestData(r.db.em(), r.groupIds[g]);
    for (const item of digest?.oldestUnreplied ?? []) {
      const c = m.convs.find((x) => x.id === item.conversationId);
      expect(c?.list, `${step}: the digest of ${g} lists restricted #${item.number}`).toBeNull();
    }
  }
  for (const u of USERS) if (m.users[u].active) await checkQueries(m, r, u, step);
  await checkApi(m, r.db, step);
}

/**
 * The same on Teams: each group's channel posts (headers, replies, stubs, digests) and each Teams
 * identity's chat with the app (restricted conversations, the dashboard card, notices), retired
 * identities included.
 */
function checkTeams(
  m: Model,
  r: Run,
  whoSees: (text: string, where: string, allowed: (c: MConv) => boolean) => void,
): void {
  const { teams } = r.world;
  for (const g of GROUPS)
    for (const p of teams.posts(r.teamsChannels[g]))
      for (const a of [...(p.root ? [p.root] : []), ...p.replies])
        whoSees(teams.visible(a), `Teams channel ${g}`, (c) => c.list === null && c.group === g);
  const owners = new Map<string, UserKey | null>();
  for (const u of USERS) {
    if (m.users[u].teamsId) owners.set(m.users[u].teamsId!, u);
    for (const old of m.users[u].teamsRetired) if (!owners.has(old)) owners.set(old, null);
  }
  for (const [aad, u] of owners)
    for (const a of teams.chatWith(aad))
      whoSees(
        teams.visible(a),
        `Teams chat of ${u ?? `retired ${aad}`}`,
        (c) => u !== null && mayView(m, u, c),
      );
}

async function checkQueries(m: Model, r: Run, u: UserKey, step: string): Promise<void> {
  const em = r.db.em();
  const viewer = toViewer(await em.findOneOrFail(User, m.users[u].id));
  const ids = (items: { id: string; kind: string }[]) =>
    items
      .filter((i) => i.kind === 'conversation')
      .map((i) => i.id)
      .sort();
  const visibleOpen = m.convs.filter((c) => c.status === 'open' && mayView(m, u, c));
  const team = await teamInbox(em, viewer, { status: 'open', limit: 100 });
  expect(ids(team.items), `${step}: Team inbox of ${u}`).toEqual(visibleOpen.map((c) => c.id).sort());
  const mine = await myInbox(em, viewer, { status: 'open', limit: 100 });
  const assigned = visibleOpen.filter((c) => c.assignees.includes(u));
  expect(ids(mine.items), `${step}: My inbox of ${u}`).toEqual(assigned.map((c) => c.id).sort());
  const tiles = await dashboardTiles(em, viewer);
  expect(
    [tiles.assignedToMe, tiles.unassigned],
    `${step}: tiles of ${u} (assigned to me, unassigned)`,
  ).toEqual([assigned.length, visibleOpen.filter((c) => c.assignees.length === 0).length]);
  const latest = m.convs
    .flatMap((c) => c.secrets)
    .sort((a, b) => Number(a.split('x')[1]) - Number(b.split('x')[1]))
    .at(-1);
  if (latest) {
    const found = await searchConversations(em, viewer, { text: latest, status: 'all', limit: 100 });
    const c = convOfSecret(m, latest)!;
    expect(ids(found.items), `${step}: ${u} searches ${latest}`).toEqual(mayView(m, u, c) ? [c.id] : []);
  }
  const answer = await commandText(em, viewer.id, { kind: 'inbox', view: 'team' });
  const numbers = [...answer.matchAll(/#(\d+)/g)].map((x) => Number(x[1]));
  const allowed = new Set(visibleOpen.map((c) => c.number));
  for (const n of numbers)
    expect(allowed.has(n), `${step}: /parley inbox team of ${u} names #${n}`).toBe(true);
}

async function commandText(em: EntityManager, userId: string, command: { kind: 'inbox'; view: 'team' }) {
  const result = await runCommand({ em }, { command, actor: userActor(userId), surface: 'slack' });
  return JSON.stringify(result);
}
