import { describe, expect, it } from 'vitest';
import { type SendFacts, sendRefusal } from '../../../src/domain/channel-rules.ts';
import { type ChannelCapabilities, channelCapabilities } from '../../../src/domain/channels.ts';

// R7 says a refused send gets a clear reason: these pin the reason each refusal gives.
const now = new Date('2026-03-01T12:00:00Z');

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
  lastInboundAt: new Date(now.getTime() - 3_600_000),
  now,
  ...over,
});

const fax: ChannelCapabilities = {
  label: 'fax',
  attachments: false,
  templates: false,
  serviceWindowHours: null,
  maxTextLength: 100,
  addressKind: 'phone',
  sendRatePerSecond: 1,
  requiresPortalProfile: false,
};

describe('R7 refusal reasons', () => {
  it('R7: webchat without a portal profile says so and points to another channel', () => {
    expect(sendRefusal(facts('webchat', { hasIdentity: false }))).toEqual({
      code: 'no_portal_profile',
      message:
        'Dana has no portal profile, so a webchat message cannot reach them. Use another channel they have.',
    });
  });

  it('R3: a channel the contact has no address on is named in the refusal', () => {
    expect(sendRefusal(facts('sms', { hasIdentity: false }))).toEqual({
      code: 'no_identity',
      message: 'Dana has no SMS address. Pick a channel they have.',
    });
  });

  it('R3: a portal profile is an address on webchat only, not on a phone channel', () => {
    expect(sendRefusal(facts('sms', { hasIdentity: false, hasPortalProfile: true }))?.code).toBe(
      'no_identity',
    );
    expect(sendRefusal(facts('whatsapp', { hasIdentity: false, hasPortalProfile: true }))?.code).toBe(
      'no_identity',
    );
  });

  it('R7: an opted-out contact is refused with STOP named and another channel suggested', () => {
    expect(sendRefusal(facts('sms', { optedOut: true }))?.message).toBe(
      'Dana opted out of SMS (STOP), so Parley will not message them there until they opt back in. Use another channel.',
    );
  });

  it('R4: a template where the channel has none says to send a plain message', () => {
    expect(sendRefusal(facts('sms', { isTemplate: true }))).toEqual({
      code: 'templates_unsupported',
      message: 'SMS has no template messages. Send a plain message.',
    });
  });

  it('R4: attachments where the channel carries none are refused; plain text on it is not', () => {
    expect(sendRefusal({ ...facts('sms'), capabilities: fax, hasAttachments: true })).toEqual({
      code: 'attachments_unsupported',
      message: 'fax cannot carry attachments. Send text only.',
    });
    expect(sendRefusal({ ...facts('sms'), capabilities: fax, hasAttachments: false })).toBeNull();
  });

  it("R4: text over the channel's limit gives the length and the limit", () => {
    expect(sendRefusal(facts('whatsapp', { textLength: 4_097 }))).toEqual({
      code: 'text_too_long',
      message: 'The message is 4097 characters; WhatsApp allows 4096. Shorten it or split it.',
    });
    expect(sendRefusal(facts('whatsapp', { textLength: 4_096 }))).toBeNull();
  });

  it('R7: outside the WhatsApp window the refusal names the contact, the window and the way in', () => {
    expect(sendRefusal(facts('whatsapp', { lastInboundAt: null }))?.message).toBe(
      'Dana has not written on WhatsApp in the last 24 hours, so a free-form message is not allowed. Send a template message instead.',
    );
  });

  it('R1: every channel carries attachments; only WhatsApp has templates', () => {
    for (const channel of ['webchat', 'whatsapp', 'sms'] as const) {
      const f = facts(channel, { hasAttachments: true, hasPortalProfile: true });
      expect(sendRefusal(f)).toBeNull();
    }
    expect(sendRefusal(facts('whatsapp', { isTemplate: true, lastInboundAt: null }))).toBeNull();
    expect(sendRefusal(facts('webchat', { isTemplate: true, hasPortalProfile: true }))?.code).toBe(
      'templates_unsupported',
    );
  });
});
