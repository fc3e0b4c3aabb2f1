import { defineEntity, p } from '@mikro-orm/core';
import { Account } from './account.entity.ts';
import { createdAt, id } from './common.ts';

/**
 * R35: a chat identity (a Slack or Teams user) that stopped being linked to a Parley user. The
 * person is told, and what the app showed them (App Home) is cleared; the row is the outbox for
 * that notice, so a lost job only delays it.
 */
const ChatUnlinkNoticeSchema = defineEntity({
  name: 'ChatUnlinkNotice',
  properties: {
    id: id(),
    account: () => p.manyToOne(Account),
    /** The surface name (`slack`, `teams`). */
    surface: p.string(),
    platformUserId: p.string(),
    /** The Parley user they were linked to, for the notice. */
    formerUserName: p.string(),
    createdAt: createdAt(),
    toldAt: p.datetime().nullable(),
  },
  indexes: [
    // The reconciler's look for notices not told yet.
    {
      name: 'chat_unlink_notice_pending_idx',
      expression:
        'create index "chat_unlink_notice_pending_idx" on "chat_unlink_notice" ("created_at") where "told_at" is null',
    },
  ],
});
export class ChatUnlinkNotice extends ChatUnlinkNoticeSchema.class {}
ChatUnlinkNoticeSchema.setClass(ChatUnlinkNotice);
