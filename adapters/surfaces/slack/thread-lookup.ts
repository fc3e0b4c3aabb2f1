import type { EntityManager } from '@mikro-orm/postgresql';

/** A conversation's Slack thread, as a message written in it needs it. */
export interface WrittenInThread {
  state: string;
  conversationId: string;
}

/** The Parley user behind a Slack user (R33): linked and active, linked but deactivated, or nobody yet. */
export type SlackAuthor = { linked: true; activeUserId: string | null } | { linked: false };

/**
 * In one statement on the driver's pool: the conversation thread a Slack message was written in,
 * and who its author is in Parley (the caller links someone nobody has linked yet by email). An agent's reply is the web's busiest Slack event, and the ORM's two
 * lookups (query building, then mapping entities nobody changes) were about 40 % of what the web
 * allocated while answering them (bench/README.md, "Garbage collection").
 */
export async function threadAndAuthor(
  em: EntityManager,
  where: { channel: string; threadTs: string; slackUserId: string },
): Promise<{ thread: WrittenInThread | null; author: SlackAuthor }> {
  const pool = await em.getConnection().getNativeClient();
  const { rows } = await pool.query<{
    state: string | null;
    conversation_id: string | null;
    user_id: string | null;
    user_active: boolean | null;
  }>({
    name: 'parley_slack_thread_and_author',
    text: `select t.state, t.conversation_id, u.id as user_id, u.active as user_active
           from (select 1) one
           left join surface_thread t
             on t.surface = 'slack' and t.ref->>'channel' = $1 and t.ref->>'ts' = $2
           left join users u on u.slack_user_id = $3
           limit 1`,
    values: [where.channel, where.threadTs, where.slackUserId],
  });
  const row = rows[0];
  const thread =
    row?.state && row.conversation_id ? { state: row.state, conversationId: row.conversation_id } : null;
  const author: SlackAuthor = row?.user_id
    ? { linked: true, activeUserId: row.user_active ? row.user_id : null }
    : { linked: false };
  return { thread, author };
}
