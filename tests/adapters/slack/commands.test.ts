import { beforeAll, describe, expect, it } from 'vitest';
import { Conversation, Message, User } from '../../../src/db/entities/index.ts';
import { inbound } from '../../adapters/whatsapp/payloads.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { settled } from '../../support/settled.ts';
import { eventually, slackHarness } from '../../support/slack-app.ts';
import { createTestDb } from '../../support/test-db.ts';

const db = await createTestDb();
const h = slackHarness(db);
let ws: Workspace;

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  for (const [u, id] of [
    [ws.alice, 'U_ALICE'],
    [ws.bob, 'U_BOB'],
    [ws.admin, 'U_ADA'],
    [ws.carol, 'U_CAROL'],
  ] as const) {
    await db.em().nativeUpdate(User, { id: u.id }, { slackUserId: id });
  }
});

let customer = 15550500000;
async function newConversation(text: string) {
  const waId = String(++customer);
  await h.whatsappWebhook(inbound({ waId, name: `Customer ${waId}` }, 'text', { body: text }));
  const header = await eventually(() =>
    h.slack.posts.find(
      (p) => !p.thread_ts && h.slack.threadOf('C_SUPPORT', p.ts).some((r) => r.text === text),
    ),
  );
  // Parley has recorded the thread (a reply in a thread it has not recorded yet waits for the sweep).
  await settled(h.services);
  const msg = await db.em().findOneOrFail(Message, { text }, { populate: ['conversation'] });
  return { header, conv: msg.conversation };
}

const answer = async (res: Response) => {
  expect(res.status).toBe(200);
  return ((await res.json()) as { text: string; response_type: string }).text;
};

// Tests wait for the queues to settle before they look for what must not have happened.
describe('/parley and !commands in Slack (R30, R33)', { timeout: 30_000 }, () => {
  it('R30: help lists every command, privately', async () => {
    const res = await h.command('U_ALICE', 'help');
    const text = await answer(res);
    for (const cmd of [
      'reply',
      'note',
      'assign',
      'unassign',
      'visibility',
      'close',
      'reopen',
      'delete',
      'new',
      'search',
      'inbox',
      'dashboard',
      'read',
      'ai',
      'link',
    ]) {
      expect(text).toContain(cmd);
    }
  });

  it('R30: assign and close by number from anywhere; the header follows', async () => {
    const { header, conv } = await newConversation('Please call me');
    expect(await answer(await h.command('U_ALICE', `assign #${conv.number} <@U_BOB|bob>`))).toContain('Bob');
    expect(await answer(await h.command('U_BOB', `close #${conv.number}`))).toContain(`#${conv.number}`);
    const after = await db.em().findOneOrFail(Conversation, conv.id);
    expect(after.status).toBe('closed');
    expect(after.assigneeIds).toEqual([ws.bob.id]);
    await eventually(() =>
      JSON.stringify(h.slack.posts.find((p) => p.ts === header.ts)?.blocks).includes('Reopen'),
    );
  });

  it('R30: `!note` in the thread adds a private note to that conversation; it is never sent to the customer', async () => {
    const { header, conv } = await newConversation('Note-worthy');
    const typed = h.slack.personWrites('C_SUPPORT', 'U_ALICE', '!note VIP, handle with care', header.ts);
    const res = await h.event({
      type: 'message',
      channel: 'C_SUPPORT',
      user: 'U_ALICE',
      text: typed.text,
      ts: typed.ts,
      thread_ts: header.ts,
    });
    expect(res.status).toBe(200);
    const note = await db.em().findOneOrFail(Message, { conversation: conv.id, kind: 'note' });
    expect(note.text).toBe('VIP, handle with care');
    // Once everything Parley was going to do with it has run, the customer never got it.
    await settled(h.services);
    expect(h.graph.received.some((b) => JSON.stringify(b).includes('VIP'))).toBe(false);
  });

  it('R33: a refusal answers the acting user with the reason, and nothing changes', async () => {
    const { conv } = await newConversation('Sales should not touch this');
    // Carol is in another group.
    const text = await answer(await h.command('U_CAROL', `close #${conv.number}`));
    expect(text).toMatch(/no conversation|not/i);
    await settled(h.services);
    expect((await db.em().findOneOrFail(Conversation, conv.id)).status).toBe('open');
    // A bad command says how to write it.
    expect(await answer(await h.command('U_ALICE', 'asign #1'))).toMatch(/help/i);
    // An unlinked person is told how to link.
    expect(await answer(await h.command('U_NOBODY', 'inbox'))).toContain('/parley link');
  });

  it('R24: deleting a conversation removes its Slack thread everywhere', async () => {
    const { header, conv } = await newConversation('Delete all of this');
    expect(await answer(await h.command('U_ADA', `delete #${conv.number}`))).toContain('confirm');
    expect((await db.em().findOneOrFail(Conversation, conv.id)).status).not.toBe('deleted');
    await answer(await h.command('U_ADA', `delete #${conv.number} confirm`));
    await eventually(() => !h.slack.posts.some((p) => p.ts === header.ts || p.thread_ts === header.ts));
    await settled(h.services);
    expect(JSON.stringify(h.slack.posts)).not.toContain('Delete all of this');
  });
});
