import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, id, updatedAt } from './common.ts';
import { Message } from './message.entity.ts';
import { SurfaceThread } from './surface-thread.entity.ts';

/**
 * One message as it stands in one thread on a chat platform (DESIGN: "each message records, per
 * surface, whether it has been mirrored and the platform's message id"). Several messages share a
 * post when they were combined; `shownState` is the delivery state the post shows now, so a
 * changed state is found by comparing it with the message's.
 */
const SurfacePostSchema = defineEntity({
  name: 'SurfacePost',
  properties: {
    id: id(),
    thread: () => p.manyToOne(SurfaceThread).deleteRule('cascade'),
    message: () => p.manyToOne(Message).deleteRule('cascade'),
    /** Platform references of the post (channel, ts). */
    ref: p.json<Record<string, unknown>>().default('{}'),
    shownState: p.string().nullable(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  uniques: [{ properties: ['thread', 'message'] }],
  indexes: [{ properties: ['message'] }],
});
export class SurfacePost extends SurfacePostSchema.class {}
SurfacePostSchema.setClass(SurfacePost);
