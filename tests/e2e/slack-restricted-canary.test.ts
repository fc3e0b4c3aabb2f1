import { beforeAll, describe, expect, it } from 'vitest';
import { Conversation, User } from '../../src/db/entities/index.ts';
import { userActor } from '../../src/domain/actor.ts';
import { restrictVisibility } from '../../src/use-cases/restrict-visibility.ts';
import { inbound } from '../adapters/whatsapp/payloads.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { eventually, slackHarness } from '../support/slack-app.ts';
import { createTestDb } from '../support/test-db.ts';

const db = await createTestDb();
const h = slackHarness(db);
let ws: Workspace;
const CANARY = 'CANARY-7f3a9 my card number';
const LATER = 'CANARY-later-b81c';

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { slackUserId: 'U_ALICE' });
  await db.em().nativeUpdate(User, { id: ws.bob.id }, { slackUserId: 'U_BOB' });
});

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
  await h.event({ type: 'app_home_opened', user: 'U_BOB', tab: 'home', channel: 'D_U_BOB' });
  await eventually(() => h.slack.homes.has('U_BOB'));
  return `${h.slack.readableBy('U_BOB', ['C_SUPPORT'])}\n${answers.join('\n')}`;
}

describe('a restricted conversation on Slack (R31, R17)', () => {
  it('R31: its text never reaches a user outside its list on any Slack surface, and lifting the restriction restores the thread', async () => {
    await h.whatsappWebhook(inbound({ waId: '15550300001', name: 'Erin' }, 'text', { body: CANARY }));
    const header = await eventually(() =>
      h.slack.posts.find(
        (p) => !p.thread_ts && h.slack.threadOf('C_SUPPORT', p.ts).some((r) => r.text.includes(CANARY)),
      ),
    );
    const conv = await db
      .em()
      .findOneOrFail(Conversation, { number: { $gt: 0 } }, { orderBy: { number: 'desc' } });

    await restrictVisibility({ em: db.em(), dispatch: h.services.dispatch }, userActor(ws.alice.id), {
      conversationId: conv.id,
      visibleToIds: [ws.alice.id],
    });
    // The shared thread becomes a content-free stub; Alice gets the conversation in her DM.
    await eventually(() => !h.slack.threadOf('C_SUPPORT', header.ts).some((p) => p.text.includes('CANARY')));
    await eventually(() => h.slack.posts.some((p) => p.channel === 'D_U_ALICE' && p.text.includes(CANARY)));
    const stub = h.slack.posts.find((p) => p.ts === header.ts)!;
    expect(JSON.stringify([stub.text, stub.blocks])).not.toMatch(/Erin|CANARY/);

    // A new customer message goes to Alice's DM only.
    await h.whatsappWebhook(inbound({ waId: '15550300001', name: 'Erin' }, 'text', { body: LATER }));
    await eventually(() => h.slack.posts.some((p) => p.channel === 'D_U_ALICE' && p.text.includes(LATER)));

    const seen = await bobSees();
    // Bob searched for words of it, never for its unique marks.
    expect(seen).not.toContain('7f3a9');
    expect(seen).not.toContain('b81c');
    expect(seen).not.toContain(`#${conv.number}`);

    // Alice sees it in her App Home and can find it.
    const aliceSearch = await h.command('U_ALICE', 'search CANARY');
    expect(await aliceSearch.text()).toContain(`#${conv.number}`);

    // Lifting the restriction draws the channel thread again, with everything in it.
    await restrictVisibility({ em: db.em(), dispatch: h.services.dispatch }, userActor(ws.alice.id), {
      conversationId: conv.id,
      visibleToIds: null,
    });
    await eventually(() =>
      h.slack.posts.some((p) => p.channel === 'C_SUPPORT' && p.thread_ts && p.text.includes(LATER)),
    );
    expect(h.slack.posts.some((p) => p.channel === 'D_U_ALICE' && p.text.includes(CANARY))).toBe(false);
  });
});
