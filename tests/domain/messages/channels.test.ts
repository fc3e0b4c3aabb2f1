import { describe, expect, it } from 'vitest';
import { type SendFacts, sendRefusal } from '../../../src/domain/channel-rules.ts';
import {
  type ChannelCapabilities,
  capabilitiesOf,
  channelCapabilities,
  channelNames,
  phoneChannels,
} from '../../../src/domain/channels.ts';

const now = new Date('2026-03-01T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);

const facts = (channel: keyof typeof channelCapabilities, over: Partial<SendFacts> = {}): SendFacts => ({
  capabilities: channelCapabilities[channel],
  contactName: 'Dana',
  hasIdentity: true,
  hasPortalProfile: false,
  inLiveConversation: false,
  optedOut: false,
  isTemplate: false,
  hasAttachments: false,
  textLength: 5,
  lastInboundAt: hoursAgo(1),
  now,
  ...over,
});

describe('channels', () => {
  it('R1: the channels are webchat, whatsapp and sms, each described by its capabilities', () => {
    expect(channelNames).toEqual(['webchat', 'whatsapp', 'sms']);
    expect(capabilitiesOf('whatsapp')?.serviceWindowHours).toBe(24);
    expect(capabilitiesOf('telegram')).toBeUndefined();
    expect(phoneChannels).toEqual(['whatsapp', 'sms']);
  });

  it('R1: the rules read capabilities, not channel names: a new channel is a new table entry', () => {
    const email: ChannelCapabilities = {
      label: 'email',
      attachments: true,
      templates: false,
      serviceWindowHours: null,
      maxTextLength: 100_000,
      addressKind: 'session',
      sendRatePerSecond: 10,
      requiresPortalProfile: false,
    };
    expect(sendRefusal({ ...facts('sms'), capabilities: email, lastInboundAt: null })).toBeNull();
    const fax = { ...email, label: 'fax', attachments: false };
    expect(sendRefusal({ ...facts('sms'), capabilities: fax, hasAttachments: true })?.code).toBe(
      'attachments_unsupported',
    );
  });
});

describe('R7 send rules', () => {
  it('R7: a WhatsApp free-form message inside the 24-hour window is allowed', () => {
    expect(sendRefusal(facts('whatsapp', { lastInboundAt: hoursAgo(23.9) }))).toBeNull();
  });

  it('R7: a WhatsApp free-form message outside the 24-hour window is refused with a reason that points to templates', () => {
    const refusal = sendRefusal(facts('whatsapp', { lastInboundAt: hoursAgo(24) }));
    expect(refusal?.code).toBe('window_closed');
    expect(refusal?.message).toMatch(/24 hours.*template/);
    expect(sendRefusal(facts('whatsapp', { lastInboundAt: null }))?.code).toBe('window_closed');
  });

  it('R7: a WhatsApp template message is the way in outside the window', () => {
    expect(sendRefusal(facts('whatsapp', { lastInboundAt: null, isTemplate: true }))).toBeNull();
  });

  it('R7: SMS to a number that opted out (STOP) is refused with a reason', () => {
    const refusal = sendRefusal(facts('sms', { optedOut: true }));
    expect(refusal?.code).toBe('opted_out');
    expect(refusal?.message).toContain('opted out');
    // SMS has no service window.
    expect(sendRefusal(facts('sms', { lastInboundAt: null }))).toBeNull();
  });

  it('R7: webchat reaches only known customers with a portal profile', () => {
    const refusal = sendRefusal(facts('webchat', { hasIdentity: false, hasPortalProfile: false }));
    expect(refusal?.code).toBe('no_portal_profile');
    expect(refusal?.message).toContain('portal profile');
    expect(sendRefusal(facts('webchat', { hasIdentity: false, hasPortalProfile: true }))).toBeNull();
  });

  it('R7: a reply in a live webchat conversation reaches the visitor even without a portal profile', () => {
    expect(sendRefusal(facts('webchat', { hasPortalProfile: false, inLiveConversation: true }))).toBeNull();
  });

  it('R3: a channel the contact has no address on is refused', () => {
    expect(sendRefusal(facts('sms', { hasIdentity: false }))?.code).toBe('no_identity');
  });

  it('R4: templates only where the channel has them, and text within the channel limit', () => {
    expect(sendRefusal(facts('sms', { isTemplate: true }))?.code).toBe('templates_unsupported');
    expect(sendRefusal(facts('sms', { textLength: 1_601 }))?.code).toBe('text_too_long');
    expect(sendRefusal(facts('sms', { textLength: 1_600 }))).toBeNull();
  });
});
