import { defineEntity, p } from '@mikro-orm/core';
import { Account } from './account.entity.ts';
import { createdAt, id } from './common.ts';
import { Contact } from './contact.entity.ts';

/**
 * How a contact is reached on one channel (R3): a phone number on WhatsApp or SMS, a portal
 * profile id or an anonymous session on webchat. `identified` is false for anonymous sessions
 * (R16: auto-assignment applies only to identified contacts).
 */
const ContactIdentitySchema = defineEntity({
  name: 'ContactIdentity',
  properties: {
    id: id(),
    account: () => p.manyToOne(Account),
    contact: () => p.manyToOne(Contact).deleteRule('cascade'),
    channel: p.string(),
    address: p.string(),
    identified: p.boolean().default(true),
    createdAt: createdAt(),
  },
  uniques: [{ properties: ['account', 'channel', 'address'] }],
});
export class ContactIdentity extends ContactIdentitySchema.class {}
ContactIdentitySchema.setClass(ContactIdentity);
