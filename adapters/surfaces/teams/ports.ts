/**
 * The seams inside the Teams adapter (issue 10): the Bot Connector client the surface draws
 * through, the inbound handlers the SDK host calls, and the card action verbs both sides use.
 * Only files in this folder import the Teams SDK.
 */

/** An activity Parley sends (a message, a card, or an edit of one). */
export interface OutboundActivity {
  type: 'message';
  text?: string;
  /** Teams renders `markdown` (default), `plain` or `xml` (its HTML subset). */
  textFormat?: 'markdown' | 'plain' | 'xml';
  attachments?: OutboundAttachment[];
  /** Shown in notifications and the chat list instead of the card. */
  summary?: string;
  entities?: unknown[];
  channelData?: Record<string, unknown>;
}

export interface OutboundAttachment {
  contentType: string;
  content?: unknown;
  contentUrl?: string;
  name?: string;
}

/** A person in a Teams conversation's roster (what the Bot Connector says of them). */
export interface TeamsMember {
  /** The Bot Framework id (`29:...`). */
  id: string;
  /** The Entra object id: what Parley stores as User.teamsUserId. */
  aadObjectId: string | null;
  name: string | null;
  email: string | null;
  /** A guest from another organisation (Teams' userRole `guest`): their email proves nothing here. */
  guest: boolean;
}

/**
 * The Bot Connector REST API as Parley uses it (teams-api.ts). Every call is paced and held
 * through the shared place limits; a 429 (with or without Retry-After) and 412/502/503/504
 * throw SurfaceRetryLater, other refusals throw TeamsApiError. `place` names the rate scope: the
 * thread's conversation id (a channel post's `…;messageid=<root>`), or the personal chat's.
 */
export interface TeamsApi {
  /** A new post in a channel (`19:…@thread.tacv2`): its root activity and its thread's conversation id. */
  createChannelPost(
    channelId: string,
    activity: OutboundActivity,
    /** The conversation whose thread it opens: it waits its turn in the channel's line (place-limits). */
    o?: { waiter?: string },
  ): Promise<{ threadId: string; activityId: string }>;
  /**
   * A message into a conversation (a channel post's thread, a personal chat). `slotTaken`: the
   * caller already took the place's post slot (teams-api.ts `takePostSlot`).
   */
  send(
    conversationId: string,
    activity: OutboundActivity,
    opts?: { slotTaken?: boolean },
  ): Promise<{ activityId: string }>;
  /**
   * Redraws an activity. `background`: a redraw that can wait for posts (a header's count): it
   * leaves Teams' windows' reserve to them (teams-api.ts).
   */
  update(
    conversationId: string,
    activityId: string,
    activity: OutboundActivity,
    opts?: { background?: boolean },
  ): Promise<void>;
  delete(conversationId: string, activityId: string): Promise<void>;
  /**
   * The bot's personal chat with a user (by Entra object id); Teams answers with the same
   * conversation every time. Throws TeamsApiError `app_not_installed` when the app is not
   * installed for that user.
   */
  openPersonalChat(teamsUserId: string): Promise<string>;
  /** One member of a conversation's roster, or null when Teams does not know them there. */
  member(conversationId: string, userId: string): Promise<TeamsMember | null>;
}

/**
 * What the SDK host (teams-app.ts) hands each activity to, after checking its token and claiming
 * its id (activity-claims.ts). Handlers commit what the activity means and return quickly; slow
 * work goes to jobs. A thrown error releases the claim so Teams' retry runs it again.
 */
export interface TeamsInbound {
  /** A message: a reply in a conversation's thread, a command, anything in the personal chat. */
  message(activity: InboundActivity): Promise<void>;
  /** A message edited or deleted in Teams (`messageUpdate` / `messageDelete`). */
  messageChanged(activity: InboundActivity, change: 'edited' | 'deleted'): Promise<void>;
  /** `adaptiveCard/action` (Action.Execute), `task/fetch` and `task/submit` (dialogs). */
  invoke(activity: InboundActivity): Promise<{ status: number; body?: unknown }>;
  /** The app was installed or removed for a user, team or chat (`installationUpdate`, `conversationUpdate`). */
  installation?(activity: InboundActivity): Promise<void>;
}

/** The fields of an inbound activity Parley reads (the SDK's Activity, narrowed). */
export interface InboundActivity {
  id: string;
  type: string;
  name?: string;
  text?: string;
  textFormat?: string;
  replyToId?: string;
  serviceUrl: string;
  timestamp?: string;
  from: { id: string; aadObjectId?: string; name?: string };
  recipient: { id: string; name?: string };
  conversation: { id: string; conversationType?: string; tenantId?: string };
  channelData?: {
    tenant?: { id: string };
    team?: { id: string; aadGroupId?: string };
    channel?: { id: string };
    eventType?: string;
  };
  attachments?: { contentType: string; contentUrl?: string; content?: unknown; name?: string }[];
  entities?: { type: string; [k: string]: unknown }[];
  value?: unknown;
}

/**
 * The verbs of the conversation card's Action.Execute buttons (cards/ → inbound/). Each carries
 * `{ conversationId }` in its data (an AI draft's, `draftId` too); dialog submits carry the
 * dialog's inputs too.
 */
export const CARD_VERBS = {
  assignMe: 'parley.assign_me',
  assign: 'parley.assign',
  visibility: 'parley.visibility',
  close: 'parley.close',
  reopen: 'parley.reopen',
  note: 'parley.note',
  /** The personal chat's "Reply…" dialog (a personal chat has no thread to reply in). */
  reply: 'parley.reply',
  /** The dashboard's filters and refresh (cards/dashboard-card.ts). */
  dashboard: 'parley.dashboard',
  /**
   * An AI draft's buttons (R36, cards/item-message.ts): Send and Discard act at once
   * (Action.Execute, data `{ draftId, conversationId }`); Edit… opens a dialog with its text.
   */
  aiDraftSend: 'parley.ai_draft_send',
  aiDraftDiscard: 'parley.ai_draft_discard',
  aiDraftEdit: 'parley.ai_draft_edit',
} as const;

/**
 * What a Teams thread's SurfaceThread.ref holds (teams-thread.ts reads and writes it; inbound/
 * finds a conversation by `conversation`). A channel post's thread is the channel's conversation
 * id with `;messageid=<root>`; a personal chat has no threads, so there `conversation` is the chat
 * and every item is a message in it, marked with the conversation's number.
 */
export interface TeamsThreadRefShape {
  kind: 'channel' | 'personal';
  /** Where items go: `19:…@thread.tacv2;messageid=<root>` or the personal chat's id. */
  conversation: string;
  /** The header card's activity id (the channel post's root, or the card in the personal chat). */
  root: string;
  /** The Parley conversation id. */
  conversation_id: string;
  /** The Teams channel (`19:…@thread.tacv2`) for a channel post. */
  channel?: string;
  /** The team's Microsoft 365 group id, when known: Graph reads the post's replies with it. */
  team?: string;
  /** The Entra object id of the user whose personal chat this is. */
  user?: string;
}
