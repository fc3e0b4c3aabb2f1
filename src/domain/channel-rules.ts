import type { ChannelCapabilities } from './channels.ts';

/** What the R7 send rules look at, gathered by the use-case before anything is written. */
export interface SendFacts {
  capabilities: ChannelCapabilities;
  contactName: string;
  /** The contact has an identity (number, session) on this channel. */
  hasIdentity: boolean;
  hasPortalProfile: boolean;
  /** Replying in a conversation the customer is writing in on this channel (a live webchat session). */
  inLiveConversation: boolean;
  optedOut: boolean;
  isTemplate: boolean;
  hasAttachments: boolean;
  textLength: number;
  /** The customer's latest inbound message on this channel and number, for the service window. */
  lastInboundAt: Date | null;
  now: Date;
}

export type RefusalCode =
  | 'no_portal_profile'
  | 'no_identity'
  | 'opted_out'
  | 'templates_unsupported'
  | 'attachments_unsupported'
  | 'text_too_long'
  | 'window_closed';

export interface SendRefusal {
  code: RefusalCode;
  message: string;
}

const HOUR_MS = 3_600_000;

/**
 * R7: whether a message may be sent on a channel, and if not, why and what to do instead.
 * Pure: every fact comes in, so the rule is tested without a database.
 */
export function sendRefusal(f: SendFacts): SendRefusal | null {
  const caps = f.capabilities;
  const who = f.contactName;
  const channel = caps.label;
  if (caps.requiresPortalProfile && !f.hasPortalProfile && !f.inLiveConversation) {
    return {
      code: 'no_portal_profile',
      message: `${who} has no portal profile, so a ${channel} message cannot reach them. Use another channel they have.`,
    };
  }
  if (!f.hasIdentity && !(caps.requiresPortalProfile && f.hasPortalProfile)) {
    return {
      code: 'no_identity',
      message: `${who} has no ${channel} address. Pick a channel they have.`,
    };
  }
  if (f.optedOut) {
    return {
      code: 'opted_out',
      message: `${who} opted out of ${channel} (STOP), so Parley will not message them there until they opt back in. Use another channel.`,
    };
  }
  if (f.isTemplate && !caps.templates) {
    return {
      code: 'templates_unsupported',
      message: `${channel} has no template messages. Send a plain message.`,
    };
  }
  if (f.hasAttachments && !caps.attachments) {
    return {
      code: 'attachments_unsupported',
      message: `${channel} cannot carry attachments. Send text only.`,
    };
  }
  if (f.textLength > caps.maxTextLength) {
    return {
      code: 'text_too_long',
      message: `The message is ${f.textLength} characters; ${channel} allows ${caps.maxTextLength}. Shorten it or split it.`,
    };
  }
  if (caps.serviceWindowHours !== null && !f.isTemplate) {
    const windowMs = caps.serviceWindowHours * HOUR_MS;
    const open = f.lastInboundAt !== null && f.now.getTime() - f.lastInboundAt.getTime() < windowMs;
    if (!open) {
      return {
        code: 'window_closed',
        message: `${who} has not written on ${channel} in the last ${caps.serviceWindowHours} hours, so a free-form message is not allowed. Send a template message instead.`,
      };
    }
  }
  return null;
}
