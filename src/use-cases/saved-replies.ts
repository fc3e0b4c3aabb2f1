import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { SavedReply, type User } from '../db/entities/index.ts';
import { sameName } from '../db/same-name.ts';
import type { Actor } from '../domain/actor.ts';
import { AppError } from '../domain/errors.ts';
import type { UseCaseContext } from './context.ts';
import { parseInput } from './input.ts';
import { loadActingUser } from './load.ts';

/**
 * R40: saved replies, the team's (admins manage them) and each user's own. Names are one word so
 * `saved <name>` can name one in a command; texts may hold the placeholders below, checked when
 * saved and filled in when sent (send-saved-reply.ts).
 */

export const PLACEHOLDERS = [
  'contact.name',
  'contact.firstName',
  'agent.name',
  'agent.firstName',
  'conversation.number',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const PLACEHOLDER = /\{([^{}\s]*)\}/g;

export const savedReplyName = z
  .string()
  .trim()
  .min(1, 'Give the saved reply a name.')
  .max(60, 'A saved reply’s name is at most 60 characters.')
  .regex(
    /^[\p{L}\p{N}][\p{L}\p{N}_.-]*$/u,
    'A saved reply’s name is one word: letters, digits, `-`, `_` or `.` (e.g. `refund-policy`).',
  );

export const savedReplyText = z
  .string()
  .trim()
  .min(1, 'Write the text of the saved reply.')
  .max(4000, 'A saved reply is at most 4,000 characters.')
  .superRefine((text, ctx) => {
    for (const [, name] of text.matchAll(PLACEHOLDER)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(name!))
        ctx.addIssue({
          code: 'custom',
          message: `{${name}} is not a placeholder. Use ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}.`,
        });
    }
  });

const saveSchema = z.object({ name: savedReplyName, text: savedReplyText, team: z.boolean().default(false) });
const removeSchema = z.object({ name: savedReplyName, team: z.boolean().default(false) });

/** The saved replies a user may send: the team's and their own, by name. */
export function savedRepliesFor(em: EntityManager, user: User): Promise<SavedReply[]> {
  return em.find(
    SavedReply,
    { account: user.account.id, $or: [{ owner: null }, { owner: user.id }] },
    { orderBy: { name: 'asc' } },
  );
}

/** One of them by name (any case); the user's own comes first when both have it. */
export async function findSavedReply(em: EntityManager, user: User, name: string): Promise<SavedReply> {
  const key = name.trim().toLowerCase();
  const all = await savedRepliesFor(em, user);
  const hit =
    all.find((r) => r.owner?.id === user.id && r.name.toLowerCase() === key) ??
    all.find((r) => !r.owner && r.name.toLowerCase() === key);
  if (!hit) {
    const names = all.map((r) => r.name).join(', ');
    throw new AppError(
      'not_found',
      `There is no saved reply "${name}". ${names ? `Yours to use: ${names}.` : 'None is saved yet: `saved add <name> <text>` saves one.'}`,
    );
  }
  return hit;
}

/** Saves (creates, or replaces the text of) a saved reply: one's own, or the team's (admins). */
export async function saveSavedReply(
  ctx: UseCaseContext,
  actor: Actor,
  raw: z.input<typeof saveSchema>,
): Promise<{ reply: SavedReply; created: boolean }> {
  const input = parseInput(saveSchema, raw);
  return ctx.em.transactional(async (tx) => {
    const user = await loadActingUser(tx as EntityManager, actor);
    if (input.team) mustBeAdmin(user);
    const owner = input.team ? null : user;
    const existing = await tx.findOne(SavedReply, {
      account: user.account.id,
      owner: owner ? owner.id : null,
      ...sameName(input.name),
    });
    if (existing) {
      existing.text = input.text;
      return { reply: existing, created: false };
    }
    const reply = tx.create(SavedReply, { account: user.account, owner, name: input.name, text: input.text });
    return { reply, created: true };
  });
}

/** Removes one's own saved reply, or the team's (admins). */
export async function removeSavedReply(
  ctx: UseCaseContext,
  actor: Actor,
  raw: z.input<typeof removeSchema>,
): Promise<void> {
  const input = parseInput(removeSchema, raw);
  await ctx.em.transactional(async (tx) => {
    const user = await loadActingUser(tx as EntityManager, actor);
    if (input.team) mustBeAdmin(user);
    const reply = await tx.findOne(SavedReply, {
      account: user.account.id,
      owner: input.team ? null : user.id,
      ...sameName(input.name),
    });
    if (!reply)
      throw new AppError(
        'not_found',
        `There is no ${input.team ? 'team' : 'personal'} saved reply "${input.name}" to remove.`,
      );
    tx.remove(reply);
  });
}

function mustBeAdmin(user: User): void {
  if (user.role !== 'admin')
    throw new AppError(
      'forbidden',
      'Only an admin can change the team’s saved replies. Save it as your own (without `team`), or ask an admin.',
    );
}

/** The values a saved reply's placeholders take for one conversation and agent. */
export type PlaceholderValues = Record<Placeholder, string>;

const firstWord = (name: string) => name.trim().split(/\s+/)[0] ?? '';

export function placeholderValues(
  contactName: string | null,
  agentName: string,
  number: number,
): PlaceholderValues {
  return {
    'contact.name': contactName ?? '',
    'contact.firstName': contactName ? firstWord(contactName) : '',
    'agent.name': agentName,
    'agent.firstName': firstWord(agentName),
    'conversation.number': String(number),
  };
}

/**
 * The text with its placeholders filled in. A value nobody knows (a contact without a name) is
 * left out, with the space before it: "Hi {contact.firstName}," becomes "Hi,".
 */
export function fillPlaceholders(text: string, values: PlaceholderValues): string {
  return text.replace(/ ?\{([^{}\s]*)\}/g, (whole, name: string) => {
    if (!(name in values)) return whole;
    const value = values[name as Placeholder];
    return value ? `${whole.startsWith(' ') ? ' ' : ''}${value}` : '';
  });
}
