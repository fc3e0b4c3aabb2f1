import { Account } from './account.entity.ts';
import { AiTurn } from './ai-turn.entity.ts';
import { AuditEvent } from './audit-event.entity.ts';
import { Broadcast } from './broadcast.entity.ts';
import { BroadcastRecipient } from './broadcast-recipient.entity.ts';
import { ChannelEndpoint } from './channel-endpoint.entity.ts';
import { ChatUnlinkNotice } from './chat-unlink-notice.entity.ts';
import { Checkout } from './checkout.entity.ts';
import { Contact } from './contact.entity.ts';
import { ContactIdentity } from './contact-identity.entity.ts';
import { Conversation } from './conversation.entity.ts';
import { CsatSurvey } from './csat-survey.entity.ts';
import { Group } from './group.entity.ts';
import { InternalChat } from './internal-chat.entity.ts';
import { InternalMessage } from './internal-message.entity.ts';
import { InternalPost } from './internal-post.entity.ts';
import { Invoice } from './invoice.entity.ts';
import { Message } from './message.entity.ts';
import { PaymentEvent } from './payment-event.entity.ts';
import { ReadState } from './read-state.entity.ts';
import { SavedReply } from './saved-reply.entity.ts';
import { SlaWait } from './sla-wait.entity.ts';
import { SurfacePost } from './surface-post.entity.ts';
import { SurfaceThread } from './surface-thread.entity.ts';
import { TeamsActivity } from './teams-activity.entity.ts';
import { TeamsPersonalChat } from './teams-personal-chat.entity.ts';
import { TeamsPostedActivity } from './teams-posted-activity.entity.ts';
import { User } from './user.entity.ts';
import { WebchatSession, WebchatUpload } from './webchat-session.entity.ts';

export type { PortalProfile } from './contact.entity.ts';
export type { AiAgentSettings, AutoResponderSettings, OpeningHours } from './group.entity.ts';
export type { LineItem } from './invoice.entity.ts';
export type { Attachment, TemplateRef } from './message.entity.ts';
export {
  Account,
  AiTurn,
  AuditEvent,
  Broadcast,
  BroadcastRecipient,
  ChannelEndpoint,
  ChatUnlinkNotice,
  Checkout,
  Contact,
  ContactIdentity,
  Conversation,
  CsatSurvey,
  Group,
  InternalChat,
  InternalMessage,
  InternalPost,
  Invoice,
  Message,
  PaymentEvent,
  ReadState,
  SavedReply,
  SlaWait,
  SurfacePost,
  SurfaceThread,
  TeamsActivity,
  TeamsPersonalChat,
  TeamsPostedActivity,
  User,
  WebchatSession,
  WebchatUpload,
};

/** Every entity, listed explicitly for the ORM config (no folder discovery). */
export const entities = [
  Account,
  AiTurn,
  Group,
  User,
  Contact,
  ContactIdentity,
  ChannelEndpoint,
  Conversation,
  Message,
  CsatSurvey,
  Invoice,
  Checkout,
  PaymentEvent,
  ReadState,
  InternalChat,
  InternalMessage,
  InternalPost,
  AuditEvent,
  SavedReply,
  SlaWait,
  Broadcast,
  BroadcastRecipient,
  SurfaceThread,
  SurfacePost,
  WebchatSession,
  WebchatUpload,
  ChatUnlinkNotice,
  TeamsActivity,
  TeamsPersonalChat,
  TeamsPostedActivity,
];
