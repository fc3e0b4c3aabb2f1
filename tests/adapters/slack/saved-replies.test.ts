import { beforeAll, describe, expect, it } from 'vitest';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { settled } from '../../support/settled.ts';
import { eventually, slackHarness } from '../../support/slack-app.ts';
import { createTestDb } from '../../support/test-db.ts';
import { linkSlackUsers } from './interactivity-support.ts';

/**
 * R40 on Slack: `/parley saved …` saves, lists and removes saved replies; `!saved <name>` in a
 * thread and the Reply… dialog's picker send one, placeholders filled in, as the agent's reply.
 */
const db = await createTestDb();
const h = slackHarness(db);
let ws: Workspace;

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await linkSlackUsers(db, [
    [ws.alice, 'U_ALICE'],
    [ws.admin, 'U_ADA'],
  ]);
});

const answer = async (res: Response) => {
  expect(res.status).toBe(200);
  return ((await res.json()) as { text: string }).text;
};
const sentTexts = () => h.graph.sent.map((s) => s.body.text?.body).filter((t): t is string => !!t);
let customer = 15550400000;

describe('R40: saved replies in Slack', { timeout: 60_000 }, () => {
  it('R40: saved with /parley saved add, listed, and sent in a thread with !saved, placeholders filled in', async () => {
    expect(
      await answer(
        await h.command('U_ALICE', 'saved add greet Hi {contact.firstName}, {agent.firstName} here'),
      ),
    ).toBe('Saved your saved reply `greet`.');
    expect(await answer(await h.command('U_ALICE', 'saved add team hours We are open 9–17'))).toContain(
      'Only an admin',
    );
    expect(await answer(await h.command('U_ADA', 'saved add team hours We are open 9–17'))).toBe(
      'Saved the team’s saved reply `hours`.',
    );
    const list = await answer(await h.command('U_ALICE', 'saved'));
    expect(list).toContain('`greet` (yours): Hi {contact.firstName}');
    expect(list).toContain('`hours`: We are open 9–17');

    const waId = String(++customer);
    const header = await h.customerThread(waId, 'When are you open?');
    await h.writesInThread('U_ALICE', '!saved greet', header.ts);
    await eventually(() => sentTexts().includes(`Hi Customer, Alice here`));
    expect(await answer(await h.command('U_ALICE', 'saved nope'))).toContain('Which conversation?');
    await h.writesInThread('U_ALICE', '!saved nope', header.ts);
    const told = h.slack.ephemerals.filter((e) => e.user === 'U_ALICE').map((e) => e.text);
    expect(told.at(-1)).toMatch(/no saved reply "nope".*greet/s);
  });

  it('R40: the Reply… dialog offers the saved replies; one picked is sent, a text and a pick together are refused on the field', async () => {
    await h.command('U_ALICE', 'saved add thanks Thanks, {contact.name}!');
    const header = await h.customerThread(String(++customer), 'Got it, thanks');
    await h.pressButton('U_ALICE', header, 'conv_reply');
    const { view } = h.slack.callsOf('views.open').at(-1)!.args as {
      view: { blocks: { block_id?: string; element?: { options?: { value: string }[] } }[] } & Record<
        string,
        unknown
      >;
    };
    const options = view.blocks.find((b) => b.block_id === 'saved')?.element?.options?.map((o) => o.value);
    expect(options).toEqual(expect.arrayContaining(['thanks', 'hours']));

    const pick = {
      saved: {
        type: 'static_select',
        selected_option: { value: 'thanks', text: { type: 'plain_text', text: 'thanks' } },
      },
    };
    const both = await h.submitModal('U_ALICE', view, {
      saved: pick,
      reply: { text: { type: 'plain_text_input', value: 'And my own words' } },
    });
    expect(JSON.stringify(await both.json())).toContain('one of them, not both');
    await h.submitModal('U_ALICE', view, {
      saved: pick,
      reply: { text: { type: 'plain_text_input', value: '' } },
    });
    const name = `Customer ${customer}`;
    await eventually(() => sentTexts().includes(`Thanks, ${name}!`));
    await settled(h.services);
    expect(sentTexts()).not.toContain('And my own words');
  });
});
