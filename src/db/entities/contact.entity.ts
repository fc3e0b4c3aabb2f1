import { defineEntity, p } from '@mikro-orm/core';
import { Account } from './account.entity.ts';
import { createdAt, id, updatedAt } from './common.ts';

/** A known customer of the site's portal (R7: webchat reaches only these when they are away). */
export interface PortalProfile {
  externalId: string;
  email?: string;
  name?: string;
  attributes?: Record<string, string>;
}

/** A customer. Identities (phone, portal profile, webchat session) live in ContactIdentity. */
const ContactSchema = defineEntity({
  name: 'Contact',
  properties: {
    id: id(),
    account: () => p.manyToOne(Account),
    name: p.string().nullable(),
    tags: p.array().default([]),
    portalProfile: p.json<PortalProfile>().nullable(),
    /** Channels the contact opted out of (SMS STOP). */
    optedOutChannels: p.array().default([]),
    /** R16: users every new conversation from this contact is assigned to. */
    defaultAssigneeIds: p.array().default([]),
    /** R19: users new inbound conversations are restricted to; null means the whole group. */
    defaultVisibleToIds: p.array().nullable(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  indexes: [
    {
      name: 'contact_tags_gin',
      expression: 'create index "contact_tags_gin" on "contact" using gin ("tags")',
    },
    {
      name: 'contact_name_fts',
      expression:
        'create index "contact_name_fts" on "contact" using gin (to_tsvector(\'simple\', coalesce("name", \'\')))',
    },
  ],
});
export class Contact extends ContactSchema.class {}
ContactSchema.setClass(Contact);
