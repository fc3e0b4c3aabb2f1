import type { Group } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { addNote } from './add-note.ts';
import type { UseCaseContext } from './context.ts';
import { type SendReplyInput, type SendReplyResult, sendReply } from './send-reply.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** R41: how a group's plain thread messages are read. */
export type ReplyMode = Group['replies'];

export interface ThreadWritingInput extends Omit<SendReplyInput, 'template' | 'channel'> {
  /**
   * The message is nothing but mentions of teammates ("@bob"): it is meant for them, so it stays a
   * note even where plain messages are replies. The surface knows its own mention markup.
   */
  onlyMentions: boolean;
}

export type ThreadWriting =
  | { became: 'reply'; reply: SendReplyResult }
  | {
      became: 'note';
      /** `explicit`: the group's replies are explicit (R41); `mentions`: the message only mentioned teammates. */
      because: 'explicit' | 'mentions';
      /**
       * Whether the surface should tell the author why. A mention-only note, each time; in an
       * explicit group, where every plain message is a note, only at their first one in the conversation.
       */
      tell: boolean;
      conversationId: string;
      messageId: string;
    };

/**
 * R29 / R41: a plain message someone wrote in a conversation's place on a chat surface (its
 * thread, or their private place for a restricted one). In a `thread` group it is a reply to the
 * customer; in an `explicit` group it is a note, and only an explicit action (`!reply`, the Reply
 * dialog, "Send to customer") reaches the customer. Both surfaces come through here, so neither
 * can forget the group's mode. The use-cases it calls check the user (R33) and visibility (R17).
 */
export async function writeInThread(
  ctx: UseCaseContext,
  actor: Actor,
  input: ThreadWritingInput,
): Promise<ThreadWriting> {
  const { onlyMentions, ...message } = input;
  const facts = await threadFacts(ctx, input.conversationId, actor);
  if (facts.mode === 'thread' && !onlyMentions)
    return { became: 'reply', reply: await sendReply(ctx, actor, message) };
  const because = facts.mode === 'explicit' ? 'explicit' : 'mentions';
  const note = await addNote(ctx, actor, { ...message, keptAsNote: because });
  return {
    became: 'note',
    because,
    tell: because === 'mentions' || !facts.keptExplicitBefore,
    conversationId: note.conversationId,
    messageId: note.messageId,
  };
}

/**
 * In one named statement (planned once per connection; a reply is the web's busiest chat event):
 * the group's mode, and whether this author already had a plain message kept as a note in an
 * explicit group here. `thread` for a conversation not found (the use-case then answers not found).
 */
async function threadFacts(
  ctx: UseCaseContext,
  conversationId: string,
  actor: Actor,
): Promise<{ mode: ReplyMode; keptExplicitBefore: boolean }> {
  // Not an id: the use-case it goes on to refuses it with its own message.
  if (!UUID.test(conversationId)) return { mode: 'thread', keptExplicitBefore: false };
  const pool = await ctx.em.getConnection().getNativeClient();
  const { rows } = await pool.query<{ replies: ReplyMode; kept_before: boolean }>({
    name: 'parley_thread_writing_facts',
    // The note lookup runs only for an explicit group (CASE is evaluated lazily).
    text: `select g.replies, case when g.replies = 'explicit' then exists (
             select 1 from message m where m.conversation_id = c.id and m.author_id = $2
               and m.kind = 'note' and m.meta->>'keptAsNote' = 'explicit') else false end as kept_before
           from conversation c join groups g on g.id = c.group_id where c.id = $1`,
    values: [conversationId, actor.kind === 'user' ? actor.userId : null],
  });
  return { mode: rows[0]?.replies ?? 'thread', keptExplicitBefore: rows[0]?.kept_before === true };
}
