import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { SavedReply, User } from '../db/entities/index.ts';
import { sameName } from '../db/same-name.ts';
import { AppError } from '../domain/errors.ts';
import { parseInput } from '../use-cases/input.ts';
import { savedReplyName, savedReplyText } from '../use-cases/saved-replies.ts';
import { currentAccount } from './account.ts';
import { adminApiActor, auditSetup, type SetupActor } from './actor.ts';
import { refuseOnConstraint } from './db-errors.ts';
import { applyChanges } from './patch.ts';
import { strictObject } from './strict-object.ts';

/**
 * R40 from the admin API, the CLI and the workspace file: the team's saved replies and any
 * user's own, managed without an acting chat user, audited as setup changes. The names and texts
 * are checked as in chat (saved-replies.ts): one-word names, known placeholders only.
 */
export const savedReplyCreateSchema = strictObject({
  name: savedReplyName,
  text: savedReplyText,
  /** The user whose own it is; null or absent: the team's. */
  ownerId: z.uuid().nullable().optional(),
});
export const savedReplyPatchSchema = strictObject({
  name: savedReplyName.optional(),
  text: savedReplyText.optional(),
});
export type SavedReplyCreate = z.input<typeof savedReplyCreateSchema>;

export async function listSavedReplies(em: EntityManager, opts: { ownerId?: string | null } = {}) {
  const account = await currentAccount(em);
  const owner = opts.ownerId === undefined ? {} : { owner: opts.ownerId };
  return em.find(SavedReply, { account, ...owner }, { orderBy: { name: 'asc' }, populate: ['owner'] });
}

export async function getSavedReply(em: EntityManager, id: string): Promise<SavedReply> {
  const reply = await em.findOne(SavedReply, { id }, { populate: ['owner'] });
  if (!reply)
    throw new AppError('not_found', `There is no saved reply with id ${id}; list them to find its id.`);
  return reply;
}

const taken = (name: string) =>
  `A saved reply named "${name}" (in any case) already exists for that owner; pick another name or change that one.`;

export function createSavedReply(
  em: EntityManager,
  input: SavedReplyCreate,
  actor: SetupActor = adminApiActor,
): Promise<SavedReply> {
  const data = parseInput(savedReplyCreateSchema, input);
  return refuseOnConstraint(
    () =>
      em.transactional(async (tx) => {
        const account = await currentAccount(tx);
        const owner = data.ownerId ? await ownerOf(tx, data.ownerId) : null;
        const reply = tx.create(SavedReply, { account, owner, name: data.name, text: data.text });
        await tx.flush();
        auditSetup(tx, account, actor, 'saved_reply.created', { savedReplyId: reply.id, name: reply.name });
        return reply;
      }),
    taken(data.name),
  );
}

export function updateSavedReply(
  em: EntityManager,
  id: string,
  input: z.input<typeof savedReplyPatchSchema>,
  actor: SetupActor = adminApiActor,
): Promise<SavedReply> {
  const patch = parseInput(savedReplyPatchSchema, input);
  return refuseOnConstraint(
    () =>
      em.transactional(async (tx) => {
        const reply = await getSavedReply(tx, id);
        const changed = applyChanges(reply, patch);
        if (changed.length > 0) {
          await tx.flush();
          auditSetup(tx, reply.account, actor, 'saved_reply.updated', { savedReplyId: id, changed });
        }
        return reply;
      }),
    taken(patch.name ?? ''),
  );
}

export function deleteSavedReply(
  em: EntityManager,
  id: string,
  actor: SetupActor = adminApiActor,
): Promise<void> {
  return em.transactional(async (tx) => {
    const reply = await getSavedReply(tx, id);
    auditSetup(tx, reply.account, actor, 'saved_reply.deleted', { savedReplyId: id, name: reply.name });
    tx.remove(reply);
  });
}

/** A saved reply by owner (null: the team's) and name, any case; the CLI and the workspace file name them so. */
export async function findSavedReplyByName(em: EntityManager, ownerId: string | null, name: string) {
  const account = await currentAccount(em);
  return em.findOne(SavedReply, {
    account,
    owner: ownerId,
    ...sameName(name),
  });
}

async function ownerOf(em: EntityManager, id: string): Promise<User> {
  const user = await em.findOne(User, { id });
  if (!user) throw new AppError('not_found', `There is no user with id ${id} to own the saved reply.`);
  return user;
}
