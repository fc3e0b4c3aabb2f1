import { defineEntity, p } from '@mikro-orm/core';
import { Account } from './account.entity.ts';
import { ChannelEndpoint } from './channel-endpoint.entity.ts';
import { createdAt, id } from './common.ts';
import { Group } from './group.entity.ts';
import type { Attachment, TemplateRef } from './message.entity.ts';
import { User } from './user.entity.ts';

/** R8: one message sent to many contacts (a list or a tag), with per-recipient results. */
const BroadcastSchema = defineEntity({
  name: 'Broadcast',
  properties: {
    id: id(),
    account: () => p.manyToOne(Account),
    group: () => p.manyToOne(Group),
    endpoint: () => p.manyToOne(ChannelEndpoint),
    createdBy: () => p.manyToOne(User),
    text: p.text().nullable(),
    template: p.json<TemplateRef>().nullable(),
    /** What the user asked for: `{ contactIds }` or `{ tag }`. */
    target: p.json<{ contactIds?: string[]; tag?: string }>(),
    attachments: p.json<Attachment[]>().default('[]'),
    /** `sending` while recipients are pending (the broadcast worker sends them in batches), then `finished`. */
    state: p.string().default('finished'),
    total: p.integer().default(0),
    /** When the next batch is due; the reconciler wakes a broadcast whose wake-up was lost past this. */
    nextBatchDueAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
    /** The creator's progress message on each chat surface: `{ slack: {...}, teams: {...} }` (refs). */
    progressPosts: p.json<Record<string, Record<string, unknown>>>().default('{}'),
    /** The counts last drawn in the progress message, so an unchanged redraw is skipped. */
    progressShown: p.string().nullable(),
    progressShownAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
  indexes: [
    {
      name: 'broadcast_sending_idx',
      expression:
        'create index "broadcast_sending_idx" on "broadcast" ("next_batch_due_at") where "state" = \'sending\'',
    },
  ],
});
export class Broadcast extends BroadcastSchema.class {}
BroadcastSchema.setClass(Broadcast);
