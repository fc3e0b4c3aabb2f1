import { describe, expect, it } from 'vitest';
import {
  AuditEvent,
  Contact,
  ContactIdentity,
  Conversation,
  Message,
} from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { mergeContacts } from '../../../src/use-cases/merge-contacts.ts';
import { seedContact } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { ctxAt, customerWrites } from '../messages/support.ts';
import { addInvoice, openConv, reload, workspace } from './support.ts';

/** R43: merging two contacts that are one person; the conflict rule; who may; what never widens. */
const db = await createTestDb();
const ws = await workspace(db);
const admin = () => userActor(ws.admin.id);

async function twoContacts() {
  const a = await seedContact(db.em(), ws.account, { name: 'Dana Smith', tags: ['vip'] });
  const b = await seedContact(db.em(), ws.account, { name: 'D. Smith', tags: ['late-payer'] });
  return { keep: a.contact, merge: b.contact, keepPhone: a.phone, mergePhone: b.phone };
}
const contactOf = async (conversationId: string) =>
  (await db.em().fork().findOneOrFail(Conversation, { id: conversationId })).contact.id;

describe('R43: merging contacts', () => {
  it('R43: identities, conversations, tags, opt-outs and default assignees move to the kept contact; the other is gone; audited', async () => {
    const { keep, merge, mergePhone } = await twoContacts();
    await db
      .em()
      .nativeUpdate(
        Contact,
        { id: merge.id },
        { optedOutChannels: ['sms'], defaultAssigneeIds: [ws.bob.id] },
      );
    const closedOne = await openConv(db, ws, { contactId: merge.id, status: 'closed' });
    // R24: a deleted conversation's row stays, naming the contact.
    const deleted = await openConv(db, ws, { contactId: merge.id, status: 'closed' });
    await db.em().nativeUpdate(Conversation, { id: deleted.id }, { status: 'deleted' });
    const result = await mergeContacts(ctxAt(db), admin(), { keepId: keep.id, mergeId: merge.id });
    expect(result).toMatchObject({ keptId: keep.id, moved: 1, closed: [] });
    expect(await contactOf(closedOne.id)).toBe(keep.id);
    expect(await contactOf(deleted.id)).toBe(keep.id);
    const em = db.em().fork();
    expect(await em.count(Contact, { id: merge.id })).toBe(0);
    const kept = await em.findOneOrFail(Contact, { id: keep.id });
    expect([kept.name, [...kept.tags].sort(), kept.optedOutChannels, kept.defaultAssigneeIds]).toEqual([
      'Dana Smith',
      ['late-payer', 'vip'],
      ['sms'],
      [ws.bob.id],
    ]);
    const identities = await em.find(ContactIdentity, { address: mergePhone });
    expect(identities.map((i) => i.contact.id)).toEqual([keep.id, keep.id]);
    expect(
      await em.count(AuditEvent, { action: 'contact.merged', data: { keptId: keep.id, mergedId: merge.id } }),
    ).toBe(1);
    // The merged number's next message reaches the kept contact.
    const next = await customerWrites(db, { from: mergePhone, text: 'Me again' });
    expect(await contactOf(next.conversationId)).toBe(keep.id);
  });

  it('R43: both open in one group: the one with the latest message stays open, the other is closed saying where it goes on', async () => {
    const { keep, merge, keepPhone, mergePhone } = await twoContacts();
    const older = await customerWrites(db, {
      from: keepPhone,
      text: 'First',
      at: new Date(Date.now() - 3_600_000),
    });
    const latest = await customerWrites(db, { from: mergePhone, text: 'Later' });
    const result = await mergeContacts(ctxAt(db), admin(), { keepId: keep.id, mergeId: merge.id });
    const [shut, stays] = [await reload(db, older.conversationId), await reload(db, latest.conversationId)];
    expect([shut.status, stays.status]).toEqual(['closed', 'open']);
    expect(result.closed).toEqual([
      { conversationId: shut.id, number: shut.number, continuesIn: stays.number },
    ]);
    const line = await db
      .em()
      .fork()
      .findOneOrFail(Message, { conversation: shut.id, kind: 'system' }, { orderBy: { seq: 'desc' } });
    expect(line.text).toContain(`goes on in #${stays.number}`);
    // The next message from either number joins the open one.
    const next = await customerWrites(db, { from: keepPhone, text: 'Still there?' });
    expect(next.conversationId).toBe(stays.id);
  });

  it('R43, R21: the one to close owes an invoice, so the other closes; when both owe, the merge is refused and nothing changes', async () => {
    const one = await twoContacts();
    const owing = await openConv(db, ws, { contactId: one.keep.id });
    await addInvoice(db, owing, 'INV-M-1');
    const fresh = await openConv(db, ws, { contactId: one.merge.id });
    await mergeContacts(ctxAt(db), admin(), { keepId: one.keep.id, mergeId: one.merge.id });
    expect([(await reload(db, owing.id)).status, (await reload(db, fresh.id)).status]).toEqual([
      'open',
      'closed',
    ]);

    const two = await twoContacts();
    const a = await openConv(db, ws, { contactId: two.keep.id });
    const b = await openConv(db, ws, { contactId: two.merge.id });
    await addInvoice(db, a, 'INV-M-2');
    await addInvoice(db, b, 'INV-M-3');
    await expect(
      mergeContacts(ctxAt(db), admin(), { keepId: two.keep.id, mergeId: two.merge.id }),
    ).rejects.toThrow(/INV-M-2.*INV-M-3/);
    expect([(await reload(db, a.id)).status, (await reload(db, b.id)).status]).toEqual(['open', 'open']);
    expect(await contactOf(b.id)).toBe(two.merge.id);
  });

  it('R33: an agent cannot merge; R17/R34: a restricted conversation keeps its list, and default visibility never widens', async () => {
    const { keep, merge } = await twoContacts();
    await expect(
      mergeContacts(ctxAt(db), userActor(ws.alice.id), { keepId: keep.id, mergeId: merge.id }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await db.em().nativeUpdate(Contact, { id: keep.id }, { defaultVisibleToIds: [ws.alice.id, ws.bob.id] });
    await db.em().nativeUpdate(Contact, { id: merge.id }, { defaultVisibleToIds: [ws.bob.id, ws.admin.id] });
    const restricted = await openConv(db, ws, {
      contactId: merge.id,
      visibleTo: [ws.admin],
      status: 'closed',
    });
    await mergeContacts(ctxAt(db), admin(), { keepId: keep.id, mergeId: merge.id });
    expect((await reload(db, restricted.id)).visibleToIds).toEqual([ws.admin.id]);
    expect((await db.em().fork().findOneOrFail(Contact, { id: keep.id })).defaultVisibleToIds).toEqual([
      ws.bob.id,
    ]);
  });
});
