import { beforeAll, describe, expect, it } from 'vitest';
import { Conversation, User } from '../../src/db/entities/index.ts';
import { inbound } from '../adapters/whatsapp/payloads.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { settled } from '../support/settled.ts';
import { buttonsOf, eventually, slackHarness } from '../support/slack-app.ts';
import { createTestDb } from '../support/test-db.ts';

/**
 * R31/R17 through the doors people use: Meta's signed webhook brings the customer's message, Alice
 * restricts the conversation with `/parley visibility` and lifts it with the header's
 * "Visibility…" button and its modal, all as signed Slack requests; Bob reads everything Slack
 * shows him and everything Parley answers him.
 */
const db = await createTestDb();
const h = slackHarness(db);
let ws: Workspace;
const CANARY = 'CANARY-qz7f3a9 my card number';
const LATER = 'CANARY-later-qzb81c';

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { slackUserId: 'U_ALICE' });
  await db.em().nativeUpdate(User, { id: ws.bob.id }, { slackUserId: 'U_BOB' });
});

/** What Parley answers a slash command (its ephemeral text). */
async function say(user: string, text: string): Promise<string> {
  const res = await h.command(user, text);
  expect(res.status).toBe(200);
  return ((await res.json()) as { text: string }).text;
}

/** Everything Bob can read in Slack, plus what Parley answers him directly. */
async function bobSees(): Promise<string> {
  const answers: string[] = [];
  for (const text of [
    'search card',
    'inbox team',
    'inbox mine',
    'dashboard',
    'search number',
    'search Erin',
  ]) {
    const res = await h.command('U_BOB', text);
    expect(res.status).toBe(200);
    answers.push(await res.text());
  }
  h.slack.homes.delete('U_BOB');
  await h.event({ type: 'app_home_opened', user: 'U_BOB', tab: 'home', channel: 'D_U_BOB' });
  await eventually(() => h.slack.homes.has('U_BOB'));
  await settled(h.services);
  return `${h.slack.readableBy('U_BOB', ['C_SUPPORT'])}\n${answers.join('\n')}`;
}

const inAliceDm = (text: string) =>
  h.slack.posts.filter((p) => p.channel === 'D_U_ALICE' && h.slack.visible(p).includes(text));
const inChannel = (text: string) =>
  h.slack.posts.filter((p) => p.channel === 'C_SUPPORT' && h.slack.visible(p).includes(text));

describe('a restricted conversation on Slack (R31, R17)', () => {
  it('R31: restricted with /parley visibility, its text never reaches a user outside its list on any Slack surface; lifted with the Visibility… modal, the thread comes back for everyone', {
    timeout: 60_000,
  }, async () => {
    await h.whatsappWebhook(inbound({ waId: '15550300001', name: 'Erin' }, 'text', { body: CANARY }));
    const header = await eventually(() =>
      h.slack.posts.find(
        (p) => !p.thread_ts && h.slack.threadOf('C_SUPPORT', p.ts).some((r) => r.text.includes(CANARY)),
      ),
    );
    await settled(h.services);
    const conv = await db
      .em()
      .findOneOrFail(Conversation, { number: { $gt: 0 } }, { orderBy: { number: 'desc' } });
    // Before the restriction Bob reads it: what he cannot read later is not missing by accident.
    const before = await bobSees();
    expect(before).toContain('qz7f3a9');
    expect(before).toContain(`#${conv.number}`);

    // Alice restricts it to herself with the slash command.
    expect(await say('U_ALICE', `visibility #${conv.number} <@U_ALICE>`)).toBe(
      `#${conv.number} is now visible only to you.`,
    );
    expect((await db.em().findOneOrFail(Conversation, conv.id)).visibleToIds).toEqual([ws.alice.id]);
    // The shared thread becomes a content-free stub; Alice gets the conversation in her DM.
    await eventually(() => inAliceDm(CANARY).length > 0);
    await settled(h.services);
    expect(inChannel('CANARY')).toEqual([]);
    const stub = h.slack.posts.find((p) => p.ts === header.ts)!;
    expect(JSON.stringify([stub.text, stub.blocks])).not.toMatch(/Erin|CANARY/);
    expect(inAliceDm(CANARY)).toHaveLength(1);

    // A new customer message goes to Alice's DM only, once.
    await h.whatsappWebhook(inbound({ waId: '15550300001', name: 'Erin' }, 'text', { body: LATER }));
    await eventually(() => inAliceDm(LATER).length > 0);
    await settled(h.services);
    expect(inAliceDm(LATER)).toHaveLength(1);
    expect(inChannel(LATER)).toEqual([]);

    const seen = await bobSees();
    // Bob searched for words of it, never for its unique marks.
    expect(seen).not.toContain('qz7f3a9');
    expect(seen).not.toContain('qzb81c');
    expect(seen).not.toContain(`#${conv.number}`);

    // Alice sees it and can find it.
    expect(await say('U_ALICE', 'search CANARY')).toContain(`#${conv.number}`);

    // Alice lifts the restriction from the header in her DM: the button opens the modal, she saves "everyone".
    const dmHeader = h.slack.posts.find(
      (p) =>
        p.channel === 'D_U_ALICE' &&
        !p.thread_ts &&
        buttonsOf(p).some((b) => b.action_id === 'conv_visibility' && b.value === conv.id),
    );
    expect(dmHeader).toBeDefined();
    expect((await h.pressButton('U_ALICE', dmHeader!, 'conv_visibility')).status).toBe(200);
    const modal = await eventually(() =>
      h.slack.modals.find((m) => m.view.callback_id === 'parley_visibility'),
    );
    expect(h.slack.modals).toHaveLength(1);
    expect(JSON.stringify(modal.view)).toContain(`Who sees #${conv.number}`);
    const saved = await h.submitModal('U_ALICE', modal.view, {
      scope: { scope: { type: 'radio_buttons', selected_option: { value: 'everyone' } } },
      users: { users: { type: 'multi_users_select', selected_users: [] } },
    });
    expect(saved.status).toBe(200);
    // No field errors: the modal closes.
    expect(await saved.text()).toBe('');
    expect((await db.em().findOneOrFail(Conversation, conv.id)).visibleToIds).toBeNull();

    // The channel thread is drawn again with everything in it, once; Alice's DM copy is gone.
    await eventually(() => inChannel(LATER).length > 0);
    await settled(h.services);
    // The conversation's header in the channel, drawn anew, once.
    const headers = h.slack.posts.filter(
      (p) => p.channel === 'C_SUPPORT' && !p.thread_ts && buttonsOf(p).some((b) => b.value === conv.id),
    );
    expect(headers).toHaveLength(1);
    // The stub is gone: the channel holds one thread of it, not a stub and a thread.
    expect(h.slack.posts.find((p) => p.ts === header.ts)).toBeUndefined();
    const thread = h.slack.threadOf('C_SUPPORT', headers[0]!.ts);
    expect(thread.filter((p) => p.text.includes(CANARY))).toHaveLength(1);
    expect(thread.filter((p) => p.text.includes(LATER))).toHaveLength(1);
    expect(inAliceDm('CANARY')).toEqual([]);
    const after = await bobSees();
    expect(after).toContain('qz7f3a9');
    expect(after).toContain('qzb81c');
    expect(after).toContain(`#${conv.number}`);
  });
});
