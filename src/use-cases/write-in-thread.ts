import type { Group } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { addNote } from './add-note.ts';
import type { UseCaseContext } from './context.ts';
import { type SendReplyInput, type SendReplyResult, sendReply } from './send-reply.ts';

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
  /** `explicit`: the group's replies are explicit (R41); `mentions`: the message only mentioned teammates. */
  | { became: 'note'; because: 'explicit' | 'mentions'; conversationId: string; messageId: string };

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
  const mode = await replyModeOf(ctx, input.conversationId);
  if (mode === 'explicit' || onlyMentions) {
    const note = await addNote(ctx, actor, message);
    return {
      became: 'note',
      because: mode === 'explicit' ? 'explicit' : 'mentions',
      conversationId: note.conversationId,
      messageId: note.messageId,
    };
  }
  return { became: 'reply', reply: await sendReply(ctx, actor, message) };
}

/** The group's mode; `thread` for a conversation not found (the use-case then answers not found). */
async function replyModeOf(ctx: UseCaseContext, conversationId: string): Promise<ReplyMode> {
  const rows = await ctx.em
    .getConnection()
    .execute<{ replies: ReplyMode }[]>(
      'select g.replies from conversation c join groups g on g.id = c.group_id where c.id = ?',
      [conversationId],
    );
  return rows[0]?.replies ?? 'thread';
}
