import type { EntityManager } from '@mikro-orm/postgresql';
import { AiTurn, type Conversation } from '../db/entities/index.ts';

/** R36: the AI agent's caps, counted from its turns in PostgreSQL. */

/** Answers (sent or drafted) the AI agent has given in this conversation. */
export const answersGiven = (em: EntityManager, conv: Conversation) =>
  em.count(AiTurn, { conversation: conv, status: { $in: ['answered', 'drafted'] } });

/** The start of the UTC day `now` is in: the daily token budget resets there. */
export const utcDayStart = (now: Date) =>
  new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));

/** Model tokens (in and out) the group's AI agent spent since `since`. */
export async function tokensSpent(em: EntityManager, groupId: string, since: Date): Promise<number> {
  const [row] = await em
    .getConnection()
    .execute<{ total: string | null }[]>(
      'select sum(input_tokens + output_tokens) as total from ai_turn where group_id = ? and created_at >= ?',
      [groupId, since],
      'all',
      em.getTransactionContext(),
    );
  return Number(row?.total ?? 0);
}
