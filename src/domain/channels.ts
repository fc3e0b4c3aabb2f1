/**
 * R1: the customer channels Parley speaks, and what each can carry. A new channel (Messenger,
 * email...) is a new entry here plus an adapter folder; rules read these facts, never the name.
 */
export interface ChannelCapabilities {
  /** Human name for messages shown to users ("WhatsApp"). */
  label: string;
  /** Outbound messages may carry attachments. */
  attachments: boolean;
  /** Pre-approved template messages exist on this channel. */
  templates: boolean;
  /** Free-form messages are allowed only this many hours after the customer's latest message; null = always. */
  serviceWindowHours: number | null;
  maxTextLength: number;
  /** What an address is: a phone number is the same person on every phone channel (R3). */
  addressKind: 'phone' | 'session';
  /** Default outbound messages per second per endpoint (number or widget); endpoint settings may lower or raise it. */
  sendRatePerSecond: number;
  /** Only known customers (with a portal profile) can be reached when they are not in a live session (R7). */
  requiresPortalProfile: boolean;
}

export const channelCapabilities = {
  webchat: {
    label: 'webchat',
    attachments: true,
    templates: false,
    serviceWindowHours: null,
    maxTextLength: 10_000,
    addressKind: 'session',
    sendRatePerSecond: 50,
    requiresPortalProfile: true,
  },
  whatsapp: {
    label: 'WhatsApp',
    attachments: true,
    templates: true,
    serviceWindowHours: 24,
    maxTextLength: 4_096,
    addressKind: 'phone',
    sendRatePerSecond: 80,
    requiresPortalProfile: false,
  },
  sms: {
    label: 'SMS',
    // MMS where the sending number supports it; the adapter fails the delivery with a reason otherwise.
    attachments: true,
    templates: false,
    serviceWindowHours: null,
    // Twilio's limit for one (concatenated) message.
    maxTextLength: 1_600,
    addressKind: 'phone',
    sendRatePerSecond: 1,
    requiresPortalProfile: false,
  },
} as const satisfies Record<string, ChannelCapabilities>;

export type ChannelName = keyof typeof channelCapabilities;

export const channelNames = Object.keys(channelCapabilities) as ChannelName[];

export const isChannelName = (name: string): name is ChannelName => Object.hasOwn(channelCapabilities, name);

/** The capabilities of a channel, or undefined when Parley does not know it. */
export const capabilitiesOf = (name: string): ChannelCapabilities | undefined =>
  isChannelName(name) ? channelCapabilities[name] : undefined;

/** Channels whose addresses are phone numbers: one number is one person across them (R3). */
export const phoneChannels = channelNames.filter((c) => channelCapabilities[c].addressKind === 'phone');
