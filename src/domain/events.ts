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
  /** R8: a broadcast was committed; the broadcast job sends its recipients in paced batches. */
  | { type: 'broadcast.created'; broadcastId: string; userId: string }
  /** R8: a batch of a broadcast went out (or it finished): its creator's progress message is redrawn. */
  | { type: 'broadcast.progress'; broadcastId: string; userId: string; finished: boolean }
  /** The user's access changed (R34/R35): their dashboards are redrawn, whether they looked lately or not. */
  | { type: 'user.access_changed'; userId: string }
  /** A chat identity is no longer linked (R35): the person is told and their App Home cleared. */
  | { type: 'chat_identity.unlinked'; noticeId: string }
  /** R38: an invoice or checkout waits for its pay link from the payment provider (the pay-link job opens it). */
  | {
      type: 'payment.link_requested';
      paymentKind: 'invoice' | 'checkout';
      paymentId: string;
      attempt: number;
    }
  /** R38: a voided invoice's live pay link is expired at the provider (the expire-pay-link job). */
  | { type: 'payment.link_cancelled'; paymentKind: 'invoice' | 'checkout'; paymentId: string }
  /** R38: a verified provider event was committed; the payment-event job applies it. */
  | { type: 'payment.event_received'; paymentEventId: string }
  /** R42: a closed conversation's rating request is due; the csat job asks (or records why not). */
  | { type: 'csat.due'; surveyId: string };

/** `ai_draft`: the AI agent's proposed answer in draft mode, seen only by the team (R36). */
export type MessageKind = 'inbound' | 'reply' | 'note' | 'ai' | 'auto_response' | 'system' | 'ai_draft';

export type ConversationChange =
  | 'assigned'
  | 'visibility'
  | 'closed'
  | 'reopened'
  | 'ai'
  | 'contact'
  | 'invoice'
  /** R39: the SLA clock flagged (or stopped flagging) the conversation. */
  | 'sla';
