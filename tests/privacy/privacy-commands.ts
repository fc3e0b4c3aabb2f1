import fc from 'fast-check';
import { expect } from 'vitest';
import { Conversation } from '../../src/db/entities/index.ts';
import { userActor } from '../../src/domain/actor.ts';
import { isAppError } from '../../src/domain/errors.ts';
import { adminApiActor } from '../../src/setup/actor.ts';
import { updateContact } from '../../src/setup/contacts.ts';
import { updateUser } from '../../src/setup/users.ts';
import { assignConversation } from '../../src/use-cases/assign-conversation.ts';
import { closeConversation } from '../../src/use-cases/close-conversation.ts';
import { receiveInbound } from '../../src/use-cases/receive-inbound.ts';
import { reopenConversation } from '../../src/use-cases/reopen-conversation.ts';
import { restrictVisibility } from '../../src/use-cases/restrict-visibility.ts';
import { sendReply } from '../../src/use-cases/send-reply.ts';
import { startConversation } from '../../src/use-cases/start-conversation.ts';
import {
  CONTACTS,
  type ContactKey,
  GROUPS,
  type GroupKey,
  isActiveMember,
  leaveLists,
  type MConv,
  type Model,
  mayView,
  newListFor,
  openConv,
  openConvOf,
  sameSet,
  USERS,
  type UserKey,
} from './privacy-model.ts';
import { checkEverySurface, newSecret, type Run } from './privacy-run.ts';

type Cmd = fc.AsyncCommand<Model, Run>;

const ctx = (r: Run) => ({ em: r.db.em(), dispatch: r.world.dispatch });
const keyOf = (m: Model, id: string) => USERS.find((u) => m.users[u].id === id)!;
const idsOf = (m: Model, keys: readonly UserKey[]) => keys.map((k) => m.users[k].id);
const pick = (m: Model, i: number) => m.convs[i % m.convs.length]!;
/** Whether `u` would see a conversation of group `g` with this list (R17/R34). */
const wouldSee = (m: Model, u: UserKey, g: GroupKey, list: UserKey[] | null) =>
  mayView(m, u, {
    id: '',
    number: 0,
    group: g,
    contact: 'k1',
    status: 'open',
    list,
    assignees: [],
    secrets: [],
  });

/** Runs a Parley action: its result, or null when it was refused with an AppError (anything else fails). */
async function attempt<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (e) {
    if (isAppError(e)) return null;
    throw e;
  }
}

/** The conversation a message landed in, checked against the model: the expected one, or a new one with the expected list. */
async function landed(
  m: Model,
  r: Run,
  result: { conversationId: string },
  expected: { join: MConv } | { open: UserKey[] | null; k: ContactKey; g: GroupKey },
  secret: string,
  step: string,
): Promise<void> {
  if ('join' in expected) {
    expect(result.conversationId, `${step}: joins #${expected.join.number}`).toBe(expected.join.id);
    expected.join.secrets.push(secret);
    return;
  }
  const conv = await r.db.em().findOneOrFail(Conversation, result.conversationId);
  const list = conv.visibleToIds ? conv.visibleToIds.map((id) => keyOf(m, id)) : null;
  const want = expected.open;
  expect(
    list === null || want === null ? list === want : sameSet(list, want),
    `${step}: new #${conv.number} visible to ${JSON.stringify(list)}, expected ${JSON.stringify(want)}`,
  ).toBe(true);
  openConv(m, { id: conv.id, number: conv.number }, expected.k, expected.g, want).secrets.push(secret);
}

/** A command: a label, when it applies, and what it does to Parley and to the model. */
function command(
  label: string,
  run: (m: Model, r: Run, step: string) => Promise<void>,
  check = (_m: Model) => true,
): Cmd {
  return {
    check,
    toString: () => label,
    async run(m, r) {
      await run(m, r, label);
      await r.world.settle();
      await checkEverySurface(m, r, label);
    },
  };
}

const user = fc.constantFrom(...USERS);
const group = fc.constantFrom(...GROUPS);
const contact = fc.constantFrom(...CONTACTS);
const convIndex = fc.nat(50);
const userList = fc.subarray([...USERS], { minLength: 0, maxLength: 3 });
const hasConv = (m: Model) => m.convs.length > 0;

export const privacyCommands = [
  fc.tuple(contact, group).map(([k, g]) =>
    command(`customer ${k} writes to ${g}`, async (m, r, step) => {
      const secret = newSecret(r);
      const res = await receiveInbound(
        ctx(r),
        { kind: 'provider', channel: 'whatsapp' },
        {
          channel: 'whatsapp',
          endpointAddress: r.whatsapp[g],
          from: { address: r.phones[k], identified: true },
          provider: 'whatsapp',
          providerMessageId: `wamid.${secret}`,
          text: `customer says ${secret}`,
        },
      );
      const open = openConvOf(m, k, g);
      await landed(m, r, res, open ? { join: open } : { open: newListFor(m, k, g), k, g }, secret, step);
    }),
  ),
  fc.tuple(user, convIndex).map(([u, i]) =>
    command(
      `${u} replies in conversation ${i}`,
      async (m, r, step) => {
        const c = pick(m, i);
        const secret = newSecret(r);
        const res = await attempt(() =>
          sendReply(ctx(r), userActor(m.users[u].id), {
            conversationId: c.id,
            text: `agent says ${secret}`,
            channel: 'sms',
          }),
        );
        const open = c.status === 'open' ? c : openConvOf(m, c.contact, c.group);
        const list = open ? null : newListFor(m, c.contact, c.group, c);
        const allowed = mayView(m, u, c) && (open ? mayView(m, u, open) : wouldSee(m, u, c.group, list));
        expect(!!res, `${step}: ${allowed ? 'refused' : 'allowed'} (#${c.number})`).toBe(allowed);
        if (res)
          await landed(
            m,
            r,
            res,
            open ? { join: open } : { open: list, k: c.contact, g: c.group },
            secret,
            step,
          );
      },
      hasConv,
    ),
  ),
  fc.tuple(user, contact, group).map(([u, k, g]) =>
    command(`${u} starts a conversation with ${k} in ${g}`, async (m, r, step) => {
      const secret = newSecret(r);
      const res = await attempt(() =>
        startConversation(ctx(r), userActor(m.users[u].id), {
          groupId: r.groupIds[g],
          contactId: m.contacts[k].id,
          channel: 'sms',
          text: `agent starts ${secret}`,
        }),
      );
      const open = openConvOf(m, k, g);
      const list = open ? null : newListFor(m, k, g);
      const allowed = isActiveMember(m, u, g) && (open ? mayView(m, u, open) : wouldSee(m, u, g, list));
      expect(!!res, `${step}: ${allowed ? 'refused' : 'allowed'}`).toBe(allowed);
      if (res) await landed(m, r, res, open ? { join: open } : { open: list, k, g }, secret, step);
    }),
  ),
  fc.tuple(user, convIndex, userList).map(([u, i, listed]) =>
    command(
      `${u} restricts conversation ${i} to ${listed.join(',') || 'themselves'}`,
      async (m, r, step) => {
        const c = pick(m, i);
        const res = await attempt(() =>
          restrictVisibility(ctx(r), userActor(m.users[u].id), {
            conversationId: c.id,
            visibleToIds: idsOf(m, listed),
          }),
        );
        const next = [...new Set([u, ...listed])];
        const allowed = mayView(m, u, c) && next.every((x) => isActiveMember(m, x, c.group));
        expect(!!res, `${step}: ${allowed ? 'refused' : 'allowed'} (#${c.number})`).toBe(allowed);
        if (!res) return;
        c.list = next;
        c.assignees = c.assignees.filter((a) => next.includes(a));
      },
      hasConv,
    ),
  ),
  fc.tuple(user, convIndex).map(([u, i]) =>
    command(
      `${u} lifts the restriction of conversation ${i}`,
      async (m, r, step) => {
        const c = pick(m, i);
        const res = await attempt(() =>
          restrictVisibility(ctx(r), userActor(m.users[u].id), { conversationId: c.id, visibleToIds: null }),
        );
        expect(!!res, `${step} (#${c.number})`).toBe(mayView(m, u, c));
        if (res) c.list = null;
      },
      hasConv,
    ),
  ),
  fc.tuple(user, convIndex, fc.boolean()).map(([u, i, close]) =>
    command(
      `${u} ${close ? 'closes' : 'reopens'} conversation ${i}`,
      async (m, r, step) => {
        const c = pick(m, i);
        const actor = userActor(m.users[u].id);
        const res = await attempt(() =>
          close
            ? closeConversation(ctx(r), actor, { conversationId: c.id })
            : reopenConversation(ctx(r), actor, { conversationId: c.id }),
        );
        // Who may close or reopen is R20/R23's business; privacy asks that nobody off the list can.
        if (!mayView(m, u, c)) expect(res, `${step}: allowed (#${c.number})`).toBeNull();
        if (!res) return;
        if (!close) expect(openConvOf(m, c.contact, c.group), `${step}: two open`).toBeUndefined();
        c.status = close ? 'closed' : 'open';
      },
      hasConv,
    ),
  ),
  fc.tuple(user, convIndex, fc.subarray([...USERS], { maxLength: 2 })).map(([u, i, assignees]) =>
    command(
      `${u} assigns conversation ${i} to ${assignees.join(',') || 'nobody'}`,
      async (m, r, step) => {
        const c = pick(m, i);
        const res = await attempt(() =>
          assignConversation(ctx(r), userActor(m.users[u].id), {
            conversationId: c.id,
            assigneeIds: idsOf(m, assignees),
          }),
        );
        const allowed = mayView(m, u, c) && assignees.every((a) => mayView(m, a, c));
        expect(!!res, `${step}: ${allowed ? 'refused' : 'allowed'} (#${c.number})`).toBe(allowed);
        if (res) c.assignees = [...assignees];
      },
      hasConv,
    ),
  ),
  fc.tuple(user, fc.subarray([...GROUPS])).map(([u, groups]) =>
    command(`an admin puts ${u} in groups [${groups.join(',')}]`, async (m, r) => {
      await updateUser(
        r.db.em(),
        m.users[u].id,
        { groupIds: groups.map((g) => r.groupIds[g]) },
        adminApiActor,
        {
          dispatch: r.world.dispatch,
        },
      );
      const x = m.users[u];
      if (x.active)
        leaveLists(
          m,
          u,
          x.groups.filter((g) => !groups.includes(g)),
        );
      x.groups = [...groups];
    }),
  ),
  fc.tuple(user, fc.boolean()).map(([u, active]) =>
    command(`an admin ${active ? 'reactivates' : 'deactivates'} ${u}`, async (m, r) => {
      await updateUser(r.db.em(), m.users[u].id, { active }, adminApiActor, { dispatch: r.world.dispatch });
      if (!active && m.users[u].active) leaveLists(m, u, m.users[u].groups);
      m.users[u].active = active;
    }),
  ),
  fc.tuple(user, fc.constantFrom('admin' as const, 'agent' as const)).map(([u, role]) =>
    command(`an admin makes ${u} ${role}`, async (m, r) => {
      await updateUser(r.db.em(), m.users[u].id, { role }, adminApiActor, { dispatch: r.world.dispatch });
      m.users[u].role = role;
    }),
  ),
  fc.tuple(user, fc.boolean()).map(([u, unlink]) =>
    command(`an admin ${unlink ? 'unlinks' : 'relinks'} ${u}'s Slack identity`, async (m, r) => {
      const next = unlink ? null : `U${r.tag}R${++r.relinks}`;
      await updateUser(r.db.em(), m.users[u].id, { slackUserId: next }, adminApiActor, {
        dispatch: r.world.dispatch,
      });
      const x = m.users[u];
      if (x.slackId && x.slackId !== next) x.retired.push(x.slackId);
      x.slackId = next;
    }),
  ),
  fc.tuple(user, fc.boolean()).map(([u, unlink]) =>
    command(`an admin ${unlink ? 'unlinks' : 'relinks'} ${u}'s Teams identity`, async (m, r) => {
      const next = unlink
        ? null
        : r.world.teams.addUser({ name: `${u} relinked ${++r.relinks}` }).aadObjectId;
      await updateUser(r.db.em(), m.users[u].id, { teamsUserId: next }, adminApiActor, {
        dispatch: r.world.dispatch,
      });
      const x = m.users[u];
      if (x.teamsId && x.teamsId !== next) x.teamsRetired.push(x.teamsId);
      x.teamsId = next;
    }),
  ),
  fc.tuple(contact, fc.option(userList, { nil: null })).map(([k, listed]) =>
    command(
      `an admin sets ${k}'s default visibility to ${listed ? `[${listed.join(',')}]` : 'the group'}`,
      async (m, r) => {
        await updateContact(r.db.em(), m.contacts[k].id, { defaultVisibleToIds: listed && idsOf(m, listed) });
        m.contacts[k].defaults = listed && [...listed];
      },
    ),
  ),
];
