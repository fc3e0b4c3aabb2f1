import { beforeAll, describe, expect, it } from 'vitest';
import { Message, User } from '../../../src/db/entities/index.ts';
import { inbound } from '../../adapters/whatsapp/payloads.ts';
import { seedWorkspace } from '../../support/fixtures.ts';
import { settled } from '../../support/settled.ts';
import { eventually, slackHarness } from '../../support/slack-app.ts';
import { createTestDb } from '../../support/test-db.ts';

const db = await createTestDb();
const h = slackHarness(db);

beforeAll(async () => {
  const ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { slackUserId: 'U_ALICE' });
});

describe('replies Slack never sent as events', { timeout: 30_000 }, () => {
  it('R29: the periodic check finds an agent reply in a recent thread and sends it once', async () => {
    await h.whatsappWebhook(inbound({ waId: '15550400001', name: 'Gus' }, 'text', { body: 'Anyone?' }));
    const header = await eventually(() =>
      h.slack.posts.find(
        (p) => !p.thread_ts && h.slack.threadOf('C_SUPPORT', p.ts).some((r) => r.text === 'Anyone?'),
      ),
    );
    // Alice answers, but Slack's event never reaches Parley.
    h.slack.personWrites('C_SUPPORT', 'U_ALICE', 'Yes, here!', header.ts);
    // The worker's reconcile loop runs the sweep every second.
    await eventually(() => h.graph.sent.some((s) => s.body.text?.body === 'Yes, here!'));
    // More sweeps later: still once.
    for (const sweep of h.services.sweeps) await sweep();
    for (const sweep of h.services.sweeps) await sweep();
    await settled(h.services);
    expect(await db.em().count(Message, { kind: 'reply', text: 'Yes, here!' })).toBe(1);
    expect(h.graph.sent.filter((s) => s.body.text?.body === 'Yes, here!')).toHaveLength(1);
  });
});
