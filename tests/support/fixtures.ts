import type { EntityManager } from '@mikro-orm/postgresql';
import {
  Account,
  ChannelEndpoint,
  Contact,
  ContactIdentity,
  Group,
  User,
} from '../../src/db/entities/index.ts';

/**
 * A small workspace most tests start from: one account, one group ("Support") with a WhatsApp
 * number, an SMS number and a webchat widget; an admin, two agents, and an agent of another group.
 */
export async function seedWorkspace(em: EntityManager) {
  const account = em.create(Account, { name: 'Acme' });
  const group = em.create(Group, { account, name: 'Support', slackChannelId: 'C_SUPPORT' });
  const otherGroup = em.create(Group, { account, name: 'Sales' });
  await em.flush();
  const mkUser = (name: string, role: 'admin' | 'agent', groups: Group[]) =>
    em.create(User, {
      account,
      name,
      email: `${name.toLowerCase()}@acme.test`,
      role,
      groupIds: groups.map((g) => g.id),
    });
  const admin = mkUser('Ada', 'admin', [group]);
  const alice = mkUser('Alice', 'agent', [group]);
  const bob = mkUser('Bob', 'agent', [group]);
  const carol = mkUser('Carol', 'agent', [otherGroup]);
  const whatsapp = em.create(ChannelEndpoint, {
    account,
    group,
    channel: 'whatsapp',
    address: 'PNID_SUPPORT',
    name: 'Support WhatsApp',
  });
  const sms = em.create(ChannelEndpoint, {
    account,
    group,
    channel: 'sms',
    address: '+15550001111',
    name: 'Support SMS',
  });
  const webchat = em.create(ChannelEndpoint, {
    account,
    group,
    channel: 'webchat',
    address: 'wid_support',
    name: 'Site chat',
  });
  const salesWhatsapp = em.create(ChannelEndpoint, {
    account,
    group: otherGroup,
    channel: 'whatsapp',
    address: 'PNID_SALES',
    name: 'Sales WhatsApp',
  });
  await em.flush();
  return { account, group, otherGroup, admin, alice, bob, carol, whatsapp, sms, webchat, salesWhatsapp };
}

export type Workspace = Awaited<ReturnType<typeof seedWorkspace>>;

/** A contact with a phone number usable on WhatsApp and SMS (R3). */
export async function seedContact(
  em: EntityManager,
  account: Account,
  opts: { name?: string; phone?: string; portalId?: string; tags?: string[] } = {},
) {
  const contact = em.create(Contact, { account, name: opts.name ?? 'Dana Customer', tags: opts.tags ?? [] });
  const phone = opts.phone ?? `+1555${Math.floor(1_000_000 + Math.random() * 8_999_999)}`;
  em.create(ContactIdentity, { account, contact, channel: 'whatsapp', address: phone });
  em.create(ContactIdentity, { account, contact, channel: 'sms', address: phone });
  if (opts.portalId) {
    contact.portalProfile = { externalId: opts.portalId };
    em.create(ContactIdentity, { account, contact, channel: 'webchat', address: `portal:${opts.portalId}` });
  }
  await em.flush();
  return { contact, phone };
}
