import { randomUUID } from 'node:crypto';
import { p } from '@mikro-orm/core';

/** Shared column builders: every table has a UUID primary key and a creation time. */
export const id = () =>
  p
    .uuid()
    .primary()
    .onCreate(() => randomUUID());
export const createdAt = () => p.datetime().onCreate(() => new Date());
export const updatedAt = () =>
  p
    .datetime()
    .onCreate(() => new Date())
    .onUpdate(() => new Date());
