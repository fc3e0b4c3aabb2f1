import { describe, expect, it } from 'vitest';
import { Account, ChannelEndpoint, Contact, Group } from '../../../src/db/entities/index.ts';
import { setContactDefaults } from '../../../src/use-cases/contact-defaults.ts';
import { newConversationVisibility } from '../../../src/use-cases/new-conversation-visibility.ts';
import { restrictVisibility } from '../../../src/use-cases/restrict-visibility.ts';
import { openConversation } from '../../../src/use-cases/timeline.ts';
import { seedContact } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import {
  addUser,
  as,
  ctxFor,
  lastLine,
  openConv,
  outsider,
  refusal,
  reload,
  timeline,
  workspace,
} from './support.ts';

const db = await createTestDb();
const ws = await workspace(db);

describe('restrictVisibility', () => {
  it('R17: restricting puts the restricting user on the list and tells the timeline who may see it', async () => {
    const conv = await openConv(db, ws);
    const result = await restrictVisibility(ctxFor(db), as(ws.alice), {
      conversationId: conv.id,
      visibleToIds: [ws.bob.id],
    });
    expect((await reload(db, conv.id)).visibleToIds).toEqual([ws.alice.id, ws.bob.id]);
    expect(await lastLine(db, conv.id)).toBe('Alice restricted this conversation to Alice, Bob');
    expect(result.events.map((e) => e.type === 'conversation.updated' && e.change)).toEqual(['visibility']);
  });

  it('R17: after restricting, a group member not on the list is refused the conversation', async () => {
    const conv = await openConv(db, ws);
    await restrictVisibility(ctxFor(db), as(ws.alice), { conversationId: conv.id, visibleToIds: [] });
    const error = await refusal(
      restrictVisibility(ctxFor(db), as(ws.bob), { conversationId: conv.id, visibleToIds: null }),
      'forbidden',
      'R17',
    );
    expect(error.message).toContain(`#${conv.number}`);
  });

  it('R17: every listed user must be an active user of the group; the refusal names who is not', async () => {
    const conv = await openConv(db, ws);
    const error = await refusal(
      restrictVisibility(ctxFor(db), as(ws.alice), { conversationId: conv.id, visibleToIds: [ws.carol.id] }),
      'rule_violation',
      'R17',
    );
    expect(error.message).toContain('Carol');
    expect((await reload(db, conv.id)).visibleToIds).toBeNull();
  });

  it('R18: narrowing the list unassigns the assignees who fall outside it, and says so', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.alice, ws.bob] });
    const result = await restrictVisibility(ctxFor(db), as(ws.alice), {
      conversationId: conv.id,
      visibleToIds: [],
    });
    const after = await reload(db, conv.id);
    expect(after.visibleToIds).toEqual([ws.alice.id]);
    expect(after.assigneeIds).toEqual([ws.alice.id]);
    expect(result.droppedAssigneeIds).toEqual([ws.bob.id]);
    expect(await lastLine(db, conv.id)).toBe(
      'Alice restricted this conversation to Alice; Bob is no longer assigned',
    );
  });

  it('R17: visibleToIds null opens the conversation to the whole group again', async () => {
    const conv = await openConv(db, ws, { visibleTo: [ws.alice] });
    await restrictVisibility(ctxFor(db), as(ws.alice), { conversationId: conv.id, visibleToIds: null });
    expect((await reload(db, conv.id)).visibleToIds).toBeNull();
    expect(await lastLine(db, conv.id)).toBe('Alice made this conversation visible to the whole group');
  });

  it('R19: a conversation that so far holds only an outbound reply can be restricted', async () => {
    const conv = await openConv(db, ws, { direction: 'outbound', messages: ['reply'] });
    expect((await timeline(db, conv.id)).map((m) => m.kind)).toEqual(['reply']);
    await restrictVisibility(ctxFor(db), as(ws.bob), {
      conversationId: conv.id,
      visibleToIds: [ws.alice.id],
    });
    expect((await reload(db, conv.id)).visibleToIds).toEqual([ws.bob.id, ws.alice.id]);
  });
});

describe('setContactDefaults', () => {
  /** A new inbound conversation from the contact, opened the way receive-inbound opens one. */
  async function openInboundFrom(contactId: string, identified = true) {
    return db.em().transactional(async (tx) => {
      const group = await tx.findOneOrFail(Group, ws.group.id);
      const contact = await tx.findOneOrFail(Contact, contactId);
      return openConversation(tx, {
        account: tx.getReference(Account, ws.account.id),
        group,
        contact,
        channel: 'whatsapp',
        endpoint: await tx.findOneOrFail(ChannelEndpoint, ws.whatsapp.id),
        direction: 'inbound',
        identified,
        visibleToIds: await newConversationVisibility(tx, group, contact),
        now: new Date(),
      });
    });
  }

  it("R19: a new inbound conversation takes the contact's default visibility and default assignees", async () => {
    const { contact } = await seedContact(db.em(), ws.account);
    await setContactDefaults(ctxFor(db), as(ws.alice), {
      contactId: contact.id,
      defaultAssigneeIds: [ws.bob.id],
      defaultVisibleToIds: [ws.bob.id],
    });
    const conv = await openInboundFrom(contact.id);
    expect(conv.visibleToIds).toEqual([ws.alice.id, ws.bob.id]);
    expect(conv.assigneeIds).toEqual([ws.bob.id]);
  });

  it('R18: default assignees outside the default visible list are refused', async () => {
    const { contact } = await seedContact(db.em(), ws.account);
    const error = await refusal(
      setContactDefaults(ctxFor(db), as(ws.alice), {
        contactId: contact.id,
        defaultAssigneeIds: [ws.bob.id],
        defaultVisibleToIds: [],
      }),
      'rule_violation',
      'R18',
    );
    expect(error.message).toContain('Bob');
    expect((await db.em().findOneOrFail(Contact, contact.id)).defaultAssigneeIds).toEqual([]);
  });

  it('R19: defaults may only name active users who share a group with the acting user', async () => {
    const { contact } = await seedContact(db.em(), ws.account);
    const error = await refusal(
      setContactDefaults(ctxFor(db), as(ws.alice), {
        contactId: contact.id,
        defaultAssigneeIds: [ws.carol.id],
        defaultVisibleToIds: null,
      }),
      'rule_violation',
      'R19',
    );
    expect(error.message).toContain('Carol');
  });

  it("R33: a user of another account cannot set this account's contact defaults", async () => {
    const { contact } = await seedContact(db.em(), ws.account);
    const stranger = await outsider(db, 'admin');
    await refusal(
      setContactDefaults(ctxFor(db), as(stranger), {
        contactId: contact.id,
        defaultAssigneeIds: [],
        defaultVisibleToIds: null,
      }),
      'not_found',
    );
  });

  it('R33: an inactive user cannot set contact defaults', async () => {
    const { contact } = await seedContact(db.em(), ws.account);
    const gone = await addUser(db, ws, 'Gwen', { active: false });
    await refusal(
      setContactDefaults(ctxFor(db), as(gone), {
        contactId: contact.id,
        defaultAssigneeIds: [],
        defaultVisibleToIds: null,
      }),
      'forbidden',
    );
  });
});
