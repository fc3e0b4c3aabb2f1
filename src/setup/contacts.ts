import type { EntityManager } from '@mikro-orm/postgresql';
import { type Account, Contact, ContactIdentity, Conversation, User } from '../db/entities/index.ts';
import { AppError } from '../domain/errors.ts';
import { parseInput } from '../use-cases/input.ts';
import { currentAccount } from './account.ts';
import { adminApiActor, auditSetup, type SetupActor } from './actor.ts';
import { refuseOnConstraint } from './db-errors.ts';
import { applyChanges } from './patch.ts';
import {
  type ContactCreate,
  type ContactFilter,
  type ContactPatch,
  contactCreateSchema,
  contactFilterSchema,
  contactPatchSchema,
} from './schemas.ts';

export interface ContactRecord {
  contact: Contact;
  identities: ContactIdentity[];
}

/** The webchat identity of a known portal customer (R7: webchat reaches only those). */
export const portalAddress = (externalId: string) => `portal:${externalId}`;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function listContacts(em: EntityManager, input: ContactFilter = {}): Promise<ContactRecord[]> {
  const filter = parseInput(contactFilterSchema, input);
  const account = await currentAccount(em);
  const contacts = await em.find(
    Contact,
    {
      account,
      ...(filter.tag ? { tags: { $contains: [filter.tag] } } : {}),
      ...(filter.name ? { name: { $ilike: `%${escapeLike(filter.name)}%` } } : {}),
    },
    { orderBy: { name: 'asc', id: 'asc' }, limit: filter.limit, offset: filter.offset },
  );
  if (contacts.length === 0) return [];
  const identities = await em.find(
    ContactIdentity,
    { contact: { $in: contacts } },
    { orderBy: { channel: 'asc' } },
  );
  return contacts.map((contact) => ({
    contact,
    identities: identities.filter((i) => i.contact.id === contact.id),
  }));
}

export async function getContact(em: EntityManager, id: string): Promise<ContactRecord> {
  const contact = await em.findOne(Contact, { id });
  if (!contact)
    throw new AppError('not_found', `There is no contact with id ${id}; list the contacts to find its id.`);
  const identities = await em.find(ContactIdentity, { contact }, { orderBy: { channel: 'asc' } });
  return { contact, identities };
}

/** Default assignees and default visibility name users of the account; R18 holds for the defaults too. */
export async function checkContactDefaults(
  tx: EntityManager,
  account: Account,
  contact: Contact,
): Promise<void> {
  const visible = contact.defaultVisibleToIds ?? null;
  const ids = [...new Set([...contact.defaultAssigneeIds, ...(visible ?? [])])];
  if (ids.length > 0) {
    const found = await tx.find(User, { account, id: { $in: ids } }, { fields: ['id'] });
    const unknown = ids.filter((id) => !found.some((u) => u.id === id));
    if (unknown.length > 0) {
      throw new AppError(
        'validation_failed',
        `No such user ${unknown.join(', ')}; list the users for their ids.`,
        {
          issues: [{ path: 'defaultAssigneeIds', message: `unknown user ${unknown.join(', ')}` }],
        },
      );
    }
  }
  if (visible && contact.defaultAssigneeIds.some((id) => !visible.includes(id))) {
    throw new AppError(
      'rule_violation',
      'Default assignees must be on the default visibility list; add them to the list or leave them out.',
      { rule: 'R18' },
    );
  }
}

/** Adds an identity to the contact, refusing one that already reaches another contact. */
export async function addIdentity(
  tx: EntityManager,
  contact: Contact,
  channel: string,
  address: string,
): Promise<ContactIdentity> {
  const existing = await tx.findOne(ContactIdentity, { account: contact.account, channel, address });
  if (existing && existing.contact.id !== contact.id) {
    throw new AppError('conflict', `The ${channel} address ${address} already belongs to another contact.`, {
      contactId: existing.contact.id,
    });
  }
  return existing ?? tx.create(ContactIdentity, { account: contact.account, contact, channel, address });
}

/** Keeps the webchat identity of a portal profile in step with the profile. */
export async function syncPortalIdentity(tx: EntityManager, contact: Contact, previousExternalId?: string) {
  const next = contact.portalProfile?.externalId;
  if (previousExternalId && previousExternalId !== next) {
    await tx.nativeDelete(ContactIdentity, {
      contact,
      channel: 'webchat',
      address: portalAddress(previousExternalId),
    });
  }
  if (next) await addIdentity(tx, contact, 'webchat', portalAddress(next));
}

const uniq = (list: readonly string[]) => [...new Set(list)];
const conflict = 'One of these addresses already belongs to another contact.';

export function createContact(
  em: EntityManager,
  input: ContactCreate,
  actor: SetupActor = adminApiActor,
): Promise<ContactRecord> {
  const data = parseInput(contactCreateSchema, input);
  return refuseOnConstraint(async () => {
    const id = await em.transactional(async (tx) => {
      const account = await currentAccount(tx);
      const contact = tx.create(Contact, {
        account,
        name: data.name ?? null,
        tags: uniq(data.tags),
        portalProfile: data.portalProfile ?? null,
        optedOutChannels: uniq(data.optedOutChannels),
        defaultAssigneeIds: uniq(data.defaultAssigneeIds),
        defaultVisibleToIds: data.defaultVisibleToIds ? uniq(data.defaultVisibleToIds) : null,
      });
      await checkContactDefaults(tx, account, contact);
      for (const i of data.identities) await addIdentity(tx, contact, i.channel, i.address);
      await syncPortalIdentity(tx, contact);
      auditSetup(tx, account, actor, 'contact.created', { contactId: contact.id });
      return contact.id;
    });
    return getContact(em, id);
  }, conflict);
}

export function updateContact(
  em: EntityManager,
  id: string,
  input: ContactPatch,
  actor: SetupActor = adminApiActor,
): Promise<ContactRecord> {
  const patch = parseInput(contactPatchSchema, input);
  return refuseOnConstraint(async () => {
    await em.transactional(async (tx) => {
      const { contact } = await getContact(tx, id);
      const previousPortalId = contact.portalProfile?.externalId;
      const changed = applyChanges(contact, {
        ...patch,
        tags: patch.tags && uniq(patch.tags),
        optedOutChannels: patch.optedOutChannels && uniq(patch.optedOutChannels),
        defaultAssigneeIds: patch.defaultAssigneeIds && uniq(patch.defaultAssigneeIds),
        defaultVisibleToIds: patch.defaultVisibleToIds && uniq(patch.defaultVisibleToIds),
      });
      await checkContactDefaults(tx, contact.account, contact);
      if (changed.includes('portalProfile')) await syncPortalIdentity(tx, contact, previousPortalId);
      if (changed.length > 0)
        auditSetup(tx, contact.account, actor, 'contact.updated', { contactId: id, changed });
    });
    return getContact(em, id);
  }, conflict);
}

/** A contact with conversations is kept: its history refers to it. */
export function deleteContact(
  em: EntityManager,
  id: string,
  actor: SetupActor = adminApiActor,
): Promise<void> {
  const refusal =
    'This contact has conversations and their history refers to it, so it cannot be deleted; edit it instead.';
  return refuseOnConstraint(
    () =>
      em.transactional(async (tx) => {
        const { contact } = await getContact(tx, id);
        const conversations = await tx.count(Conversation, { contact });
        if (conversations > 0) throw new AppError('conflict', refusal, { conversations });
        auditSetup(tx, contact.account, actor, 'contact.deleted', { contactId: id });
        await tx.nativeDelete(ContactIdentity, { contact });
        tx.remove(contact);
        await tx.flush();
      }),
    refusal,
  );
}
