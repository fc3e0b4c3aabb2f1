import fc from 'fast-check';
import { expect } from 'vitest';
import { callAs } from '../http/conversations-api-support.ts';
import { appFor } from './privacy-api.ts';
import {
  isActiveMember,
  type MConv,
  type Model,
  mayView,
  openConvOf,
  USERS,
  type UserKey,
} from './privacy-model.ts';
import { checkEverySurface, newSecret, type Run } from './privacy-run.ts';

/**
 * Issue 12: the same random sequences, with actions taken through the admin API as a named user
 * (X-Parley-User). Each is checked against the model — allowed exactly when the user may see the
 * conversation (and the rule of the action allows it), refused with 403 to the group's others and
 * 404 outside it — and then every surface is checked as after any other step.
 */
type Cmd = fc.AsyncCommand<Model, Run>;

const pick = (m: Model, i: number) => m.convs[i % m.convs.length]!;
const hasConv = (m: Model) => m.convs.length > 0;

/** A refusal's status when the user may not see the conversation (R17: 403 in the group, 404 outside). */
const hiddenStatus = (m: Model, u: UserKey, c: MConv) => (isActiveMember(m, u, c.group) ? 403 : 404);

function apiCommand(label: string, run: (m: Model, r: Run, step: string) => Promise<void>): Cmd {
  return {
    check: hasConv,
    toString: () => label,
    async run(m, r) {
      await run(m, r, label);
      await r.world.settle();
      await checkEverySurface(m, r, label);
    },
  };
}

async function post(m: Model, r: Run, u: UserKey, path: string, body?: unknown) {
  const res = await callAs(appFor(r.db), m.users[u].id, 'POST', path, body);
  return { status: res.status, text: await res.text() };
}

const user = fc.constantFrom(...USERS);
const convIndex = fc.nat(50);

export const apiCommands = [
  fc.tuple(user, convIndex).map(([u, i]) =>
    apiCommand(`${u} notes conversation ${i} through the API`, async (m, r, step) => {
      const c = pick(m, i);
      const secret = newSecret(r);
      const res = await post(m, r, u, `/conversations/${c.id}/notes`, { text: `note ${secret}` });
      if (!m.users[u].active) return expect(res.status, `${step}: ${res.text}`).toBe(403);
      if (!mayView(m, u, c)) return expect(res.status, `${step}: ${res.text}`).toBe(hiddenStatus(m, u, c));
      expect(res.status, `${step}: ${res.text}`).toBe(201);
      c.secrets.push(secret);
    }),
  ),
  fc.tuple(user, convIndex, fc.boolean()).map(([u, i, close]) =>
    apiCommand(
      `${u} ${close ? 'closes' : 'reopens'} conversation ${i} through the API`,
      async (m, r, step) => {
        const c = pick(m, i);
        const res = await post(m, r, u, `/conversations/${c.id}/${close ? 'close' : 'reopen'}`);
        if (!m.users[u].active) return expect(res.status, `${step}: ${res.text}`).toBe(403);
        if (!mayView(m, u, c)) return expect(res.status, `${step}: ${res.text}`).toBe(hiddenStatus(m, u, c));
        const allowed = close
          ? c.status === 'open' && (m.users[u].role === 'admin' || c.assignees.includes(u))
          : c.status === 'closed' && openConvOf(m, c.contact, c.group) === undefined;
        expect(res.status === 200, `${step}: ${res.status} ${res.text}`).toBe(allowed);
        if (allowed) c.status = close ? 'closed' : 'open';
      },
    ),
  ),
  fc.tuple(user, convIndex, fc.subarray([...USERS], { maxLength: 2 })).map(([u, i, assignees]) =>
    apiCommand(
      `${u} assigns conversation ${i} to ${assignees.join(',') || 'nobody'} through the API`,
      async (m, r, step) => {
        const c = pick(m, i);
        const res = await post(m, r, u, `/conversations/${c.id}/assign`, {
          assigneeIds: assignees.map((a) => m.users[a].id),
        });
        if (!m.users[u].active) return expect(res.status, `${step}: ${res.text}`).toBe(403);
        if (!mayView(m, u, c)) return expect(res.status, `${step}: ${res.text}`).toBe(hiddenStatus(m, u, c));
        const allowed = assignees.every((a) => mayView(m, a, c));
        expect(res.status === 200, `${step}: ${res.status} ${res.text}`).toBe(allowed);
        if (allowed) c.assignees = [...assignees];
      },
    ),
  ),
];
