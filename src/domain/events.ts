/**
 * What a use-case changed, returned to its caller after commit. The job layer turns these into
 * wake-up calls (deliver, mirror, ai-reply, home-refresh); nothing here is a source of truth.
 */
export type DomainEvent =
  | { type: 'conversation.opened'; conversationId: string; groupId: string }
  | { type: 'conversation.updated'; conversationId: string; groupId: string; change: ConversationChange }
  | {
      type: 'conversation.deleted';
      conversationId: string;
      groupId: string;
      number: number;
      /** Stored attachment files to remove (R24). */
      storageKeys?: string[];
    }
  | {
      type: 'message.created';
      conversationId: string;
      groupId: string;
      messageId: string;
      kind: MessageKind;
      /** Attachments the provider still holds (fetched by the fetch-media job). */
      pendingMedia?: boolean;
      /** A customer message the AI agent should answer (R36). */
      aiAnswers?: boolean;
      /** A customer message in a group with an auto responder (R37). */
      autoResponder?: boolean;
    }
  /** An AI draft was sent, discarded or dropped (R36): its post in the thread is redrawn. */
  | {
      type: 'message.draft_changed';
      conversationId: string;
      groupId: string;
      messageId: string;
      state: string;
    }
  /** The AI agent handed a conversation to a person (R36): the assignees or the group are told. */
  | { type: 'ai.handed_off'; conversationId: string; groupId: string; turnId: string }
  | { type: 'message.media_stored'; conversationId: string; groupId: string; messageId: string }
  | {
      type: 'message.delivery_changed';
      conversationId: string;
      groupId: string;
      messageId: string;
      state: string;
    }
  | { type: 'conversation.read'; conversationId: string; userId: string }
  | { type: 'internal.message_created'; chatId: string; messageId: string; userIds: string[] }
  | { type: 'internal.chat_deleted'; chatId: string; userIds: string[] }
  | { type: 'broadcast.created'; broadcastId: string; messageIds: string[] }
  /** The user's access changed (R34/R35): their dashboards are redrawn, whether they looked lately or not. */
  | { type: 'user.access_changed'; userId: string }
  /** A chat identity is no longer linked (R35): the person is told and their App Home cleared. */
  | { type: 'chat_identity.unlinked'; noticeId: string };

/** `ai_draft`: the AI agent's proposed answer in draft mode, seen only by the team (R36). */
export type MessageKind = 'inbound' | 'reply' | 'note' | 'ai' | 'auto_response' | 'system' | 'ai_draft';

export type ConversationChange =
  | 'assigned'
  | 'visibility'
  | 'closed'
  | 'reopened'
  | 'ai'
  | 'contact'
  | 'invoice';
