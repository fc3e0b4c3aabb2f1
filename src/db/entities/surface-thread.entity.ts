import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, id, updatedAt } from './common.ts';
import { Conversation } from './conversation.entity.ts';

/**
 * Where a conversation is mirrored on a chat platform (R28, R31): the group's channel, or one
 * user's direct messages when the conversation is restricted. `mirroredSeq` is the last message
 * posted there, so the mirror worker knows what is due without a flag per message.
 */
const SurfaceThreadSchema = defineEntity({
  name: 'SurfaceThread',
  properties: {
    id: id(),
    conversation: () => p.manyToOne(Conversation).deleteRule('cascade'),
    surface: p.string(),
    /** The platform place: `channel:<platform channel id>`, or `user:<Parley user id>` for a user's direct messages. */
    place: p.string(),
    /** Platform references (thread ts, header ts, activity ids...). */
    ref: p.json<Record<string, unknown>>().default('{}'),
    mirroredSeq: p.integer().default(0),
    /** The header must be redrawn (status, assignees, unreplied count changed). */
    headerDirty: p.boolean().default(true),
    /** The header as last drawn (JSON), and when: unchanged headers are not redrawn, counts at most every few seconds. */
    headerShown: p.text().nullable(),
    headerShownAt: p.datetime().nullable(),
    /** The thread was reduced to a content-free stub (R31) and waits to be restored or removed. */
    state: p.enum(['active', 'stub', 'removed'] as const).default('active'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  uniques: [{ properties: ['conversation', 'surface', 'place'] }],
  indexes: [
    // An agent's message in a thread names the thread by its channel and ts (Slack).
    {
      name: 'surface_thread_place_ref_idx',
      expression:
        'create index "surface_thread_place_ref_idx" on "surface_thread" ((ref->>\'channel\'), (ref->>\'ts\'))',
    },
    // A message in a Teams channel post's thread names the thread by its conversation id.
    {
      name: 'surface_thread_teams_conversation_idx',
      expression:
        'create index "surface_thread_teams_conversation_idx" on "surface_thread" ((ref->>\'conversation\')) where surface = \'teams\'',
    },
  ],
});
export class SurfaceThread extends SurfaceThreadSchema.class {}
SurfaceThreadSchema.setClass(SurfaceThread);
