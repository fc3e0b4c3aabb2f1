import { describe, expect, it } from 'vitest';
import { notLinkedText } from '../../../adapters/surfaces/slack/linked-user.ts';
import { Message } from '../../../src/db/entities/index.ts';
import { seedContact } from '../../support/fixtures.ts';
import { createTestRedis } from '../../support/redis.ts';
import { createTestDb } from '../../support/test-db.ts';
import { addInvoice, addUser, openConv, reload, workspace } from '../../use-cases/management/support.ts';
import {
  buttonPress,
  HEADER_TS,
  interactivityApp,
  linkSlackUsers,
  modalSubmission,
  pickedUsers,
} from './interactivity-support.ts';

const db = await createTestDb();
const redis = createTestRedis();
const ws = await workspace(db);
await linkSlackUsers(db, [
  [ws.admin, 'U_ADA'],
  [ws.alice, 'U_ALICE'],
  [ws.bob, 'U_BOB'],
  [ws.carol, 'U_CAROL'],
]);
const slack = interactivityApp(db, redis, {
  U_STRANGER: { name: 'Sam Stranger', email: 'sam@elsewhere.test' },
});

interface ModalInput {
  block_id?: string;
  element?: { initial_users?: string[]; initial_option?: { value: string } };
}
interface ModalView {
  callback_id: string;
  private_metadata: string;
  title: { text: string };
  blocks: ModalInput[];
}

/** The modal the last `views.open` call showed. */
const lastModal = () => slack.slack.callsOf('views.open').at(-1) as { trigger_id: string; view: ModalView };
const inputElement = (view: ModalView, blockId: string) =>
  view.blocks.find((b) => b.block_id === blockId)?.element;

describe('Slack header buttons', () => {
  it('R30: "Assign to me" assigns the user who pressed it, without a word back', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.bob] });
    const acked = await slack.send(buttonPress('U_ALICE', 'conv_assign_me', conv.id));
    expect(acked).toBeUndefined();
    expect((await reload(db, conv.id)).assigneeIds).toEqual([ws.bob.id, ws.alice.id]);
    expect(slack.toldPrivately('U_ALICE')).toEqual([]);
  });

  it('R30: "Assign…" opens a modal with the current assignees; its submission makes the picked people the assignees', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.bob] });
    await slack.send(buttonPress('U_ALICE', 'conv_assign', conv.id));
    const { trigger_id, view } = lastModal();
    expect(trigger_id).toBe('trigger-conv_assign');
    expect(view.callback_id).toBe('parley_assign');
    expect(view.private_metadata).toBe(conv.id);
    expect(view.title.text).toBe(`Assign #${conv.number}`);
    expect(inputElement(view, 'users')?.initial_users).toEqual(['U_BOB']);

    const acked = await slack.send(
      modalSubmission('U_ALICE', 'parley_assign', conv.id, pickedUsers(['U_ALICE', 'U_ADA'])),
    );
    expect(acked).toBeUndefined();
    expect((await reload(db, conv.id)).assigneeIds).toEqual([ws.alice.id, ws.admin.id]);
  });

  it('R30: an assignee not on Slack, whom the picker cannot show, is named in the modal and stays assigned', async () => {
    const tom = await addUser(db, ws, 'Tom');
    const conv = await openConv(db, ws, { assignees: [tom, ws.bob] });
    await slack.send(buttonPress('U_ALICE', 'conv_assign', conv.id));
    const { view } = lastModal();
    expect(inputElement(view, 'users')?.initial_users).toEqual(['U_BOB']);
    expect(JSON.stringify(view.blocks)).toContain('not on Slack (they stay): Tom');

    await slack.send(modalSubmission('U_ALICE', 'parley_assign', conv.id, pickedUsers(['U_ALICE'])));
    expect((await reload(db, conv.id)).assigneeIds).toEqual([ws.alice.id, tom.id]);
  });

  it("R28: Slack markup in the contact's name shows as plain text in a modal, never as a mention or link", async () => {
    const { contact } = await seedContact(db.em(), ws.account, {
      name: '<!channel> <@U1> <https://x.test|y> & co',
    });
    const conv = await openConv(db, ws, { contactId: contact.id });
    await slack.send(buttonPress('U_ALICE', 'conv_note', conv.id));
    const about = JSON.stringify(lastModal().view.blocks[0]);
    expect(about).toContain('&lt;!channel&gt; &lt;@U1&gt; &lt;https://x.test|y&gt; &amp; co');
    expect(about).not.toContain('<!channel>');
  });

  it('R30: picking nobody in the assign modal unassigns everyone', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.bob, ws.alice] });
    const acked = await slack.send(modalSubmission('U_ALICE', 'parley_assign', conv.id, pickedUsers([])));
    expect(acked).toBeUndefined();
    expect((await reload(db, conv.id)).assigneeIds).toEqual([]);
  });

  it('R33: picking a Slack user not linked to Parley shows a field error naming them, and changes nothing', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.bob] });
    const acked = (await slack.send(
      modalSubmission('U_ALICE', 'parley_assign', conv.id, pickedUsers(['U_ALICE', 'U_STRANGER'])),
    )) as { response_action: string; errors: Record<string, string> };
    expect(acked.response_action).toBe('errors');
    expect(acked.errors.users).toContain('Sam Stranger is not linked to Parley yet');
    expect((await reload(db, conv.id)).assigneeIds).toEqual([ws.bob.id]);
  });

  it('R31: "Visibility…" restricts the conversation to the people picked, the user who did it included', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.bob] });
    await slack.send(buttonPress('U_ALICE', 'conv_visibility', conv.id));
    const { view } = lastModal();
    expect(view.callback_id).toBe('parley_visibility');
    expect(inputElement(view, 'scope')?.initial_option?.value).toBe('everyone');

    const acked = await slack.send(
      modalSubmission('U_ALICE', 'parley_visibility', conv.id, {
        scope: { scope: { type: 'radio_buttons', selected_option: { value: 'list' } } },
        ...pickedUsers(['U_BOB']),
      }),
    );
    expect(acked).toBeUndefined();
    expect((await reload(db, conv.id)).visibleToIds).toEqual([ws.alice.id, ws.bob.id]);

    // Opened again, the modal shows the list; "Everyone in the group" lifts the restriction.
    await slack.send(buttonPress('U_BOB', 'conv_visibility', conv.id));
    expect(inputElement(lastModal().view, 'scope')?.initial_option?.value).toBe('list');
    expect(inputElement(lastModal().view, 'users')?.initial_users).toEqual(['U_ALICE', 'U_BOB']);
    await slack.send(
      modalSubmission('U_BOB', 'parley_visibility', conv.id, {
        scope: { scope: { type: 'radio_buttons', selected_option: { value: 'everyone' } } },
        ...pickedUsers([]),
      }),
    );
    expect((await reload(db, conv.id)).visibleToIds).toBeNull();
  });

  it('R17: someone outside the group on the visibility list is refused on the list field', async () => {
    const conv = await openConv(db, ws);
    const acked = (await slack.send(
      modalSubmission('U_ALICE', 'parley_visibility', conv.id, {
        scope: { scope: { type: 'radio_buttons', selected_option: { value: 'list' } } },
        ...pickedUsers(['U_CAROL']),
      }),
    )) as { response_action: string; errors: Record<string, string> };
    expect(acked.response_action).toBe('errors');
    expect(acked.errors.users).toContain('Carol is not an active user of Support');
    expect((await reload(db, conv.id)).visibleToIds).toBeNull();
  });

  it('R30: "Add note" opens a note modal; its text becomes a private note', async () => {
    const conv = await openConv(db, ws);
    await slack.send(buttonPress('U_BOB', 'conv_note', conv.id));
    expect(lastModal().view.callback_id).toBe('parley_note');
    const acked = await slack.send(
      modalSubmission('U_BOB', 'parley_note', conv.id, {
        note: { text: { type: 'plain_text_input', value: 'VIP, handle with care' } },
      }),
    );
    expect(acked).toBeUndefined();
    const notes = await db.em().find(Message, { conversation: conv.id, kind: 'note' });
    expect(notes.map((n) => [n.text, n.author?.id])).toEqual([['VIP, handle with care', ws.bob.id]]);
  });

  it('R33: a Slack user not linked to Parley is told privately how to link, and nothing changes', async () => {
    const conv = await openConv(db, ws);
    const opened = slack.slack.callsOf('views.open').length;
    for (const actionId of ['conv_assign_me', 'conv_close', 'conv_assign']) {
      await slack.send(buttonPress('U_STRANGER', actionId, conv.id));
    }
    expect(slack.toldPrivately('U_STRANGER')).toEqual([notLinkedText, notLinkedText, notLinkedText]);
    const ephemeral = slack.slack.callsOf('chat.postEphemeral').at(-1)!;
    expect(ephemeral).toMatchObject({ channel: 'C_SUPPORT', thread_ts: HEADER_TS });
    const after = await reload(db, conv.id);
    expect([after.assigneeIds, after.status]).toEqual([[], 'open']);
    expect(slack.slack.callsOf('views.open')).toHaveLength(opened);
  });

  it('R33: an agent of another group pressing a button is refused privately, and nothing changes', async () => {
    const conv = await openConv(db, ws);
    const opened = slack.slack.callsOf('views.open').length;
    await slack.send(buttonPress('U_CAROL', 'conv_assign_me', conv.id));
    await slack.send(buttonPress('U_CAROL', 'conv_assign', conv.id));
    const told = slack.toldPrivately('U_CAROL');
    expect(told).toHaveLength(2);
    expect(told[0]).toContain('is not in your groups');
    expect(slack.slack.callsOf('views.open')).toHaveLength(opened);
    expect((await reload(db, conv.id)).assigneeIds).toEqual([]);
  });

  it('R21: closing with an unpaid invoice is refused privately with the reason', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.alice] });
    await addInvoice(db, conv, 'INV-SLACK-9');
    await slack.send(buttonPress('U_ALICE', 'conv_close', conv.id));
    const told = slack.toldPrivately('U_ALICE');
    expect(told.at(-1)).toContain('INV-SLACK-9');
    expect((await reload(db, conv.id)).status).toBe('open');
  });

  it('R20/R23: Close closes the conversation and Reopen opens it again', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.alice] });
    await slack.send(buttonPress('U_ALICE', 'conv_close', conv.id));
    expect((await reload(db, conv.id)).status).toBe('closed');
    await slack.send(buttonPress('U_ALICE', 'conv_reopen', conv.id));
    expect((await reload(db, conv.id)).status).toBe('open');
  });
});
