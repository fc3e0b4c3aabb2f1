import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, id } from './common.ts';
import { InternalChat } from './internal-chat.entity.ts';
import { InternalMessage } from './internal-message.entity.ts';
import { User } from './user.entity.ts';

/**
 * R25: one internal message as posted in one user's direct messages with the app on one surface
 * (DESIGN: side effects driven by rows). `ref` is null while the post is being made (the attempt
 * is recorded first, so a retry looks before posting again); `threadKey` lets a reply in that
 * post's thread (Slack) or a quote of it (Teams) find its chat.
 */
const InternalPostSchema = defineEntity({
  name: 'InternalPost',
  properties: {
    id: id(),
    chat: () => p.manyToOne(InternalChat).deleteRule('cascade'),
    message: () => p.manyToOne(InternalMessage).deleteRule('cascade'),
    /** Whose direct messages it is in. */
    user: () => p.manyToOne(User).deleteRule('cascade'),
    surface: p.string(),
    ref: p.json<Record<string, unknown>>().nullable(),
    /** Slack `channel:ts`, Teams `conversation:activityId`; null until posted. */
    threadKey: p.string().nullable(),
    attemptedAt: p.datetime(),
    createdAt: createdAt(),
  },
  uniques: [{ properties: ['message', 'user', 'surface'] }],
  indexes: [{ properties: ['surface', 'threadKey'] }],
});
export class InternalPost extends InternalPostSchema.class {}
InternalPostSchema.setClass(InternalPost);
