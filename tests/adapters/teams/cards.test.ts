import { describe, expect, it } from 'vitest';
import {
  activityBytes,
  cardOf,
  readItemMarker,
  TEAMS_MESSAGE_MAX_BYTES,
} from '../../../adapters/surfaces/teams/cards/card-kit.ts';
import { headerCard } from '../../../adapters/surfaces/teams/cards/header-card.ts';
import { deliveryCard, itemMessage } from '../../../adapters/surfaces/teams/cards/item-message.ts';
import { STUB_TEXT, stubCard } from '../../../adapters/surfaces/teams/cards/stub-card.ts';
import { CARD_VERBS, type OutboundActivity } from '../../../adapters/surfaces/teams/ports.ts';
import type { Attachment } from '../../../src/db/entities/index.ts';
import type { MirrorItem, ThreadHeader } from '../../../src/ports/agent-surface.ts';
import { INJECTIONS, inMarkdown, type Node, nodes, shownTexts, textBlockTexts } from './cards-support.ts';

const CONV = '0b6c1d2e-3f40-4a51-8b62-7c8d9e0f1a2b';
const header = (over: Partial<ThreadHeader> = {}): ThreadHeader => ({
  conversationId: CONV,
  number: 1042,
  contactName: 'Dana Customer',
  channel: 'whatsapp',
  status: 'open',
  assignees: [{ id: 'u1', name: 'Ada' }],
  unrepliedCount: 2,
  restricted: false,
  aiState: 'off',
  ...over,
});
let seq = 0;
const item = (over: Partial<MirrorItem> = {}): MirrorItem => ({
  messageId: `m-${++seq}`,
  seq,
  kind: 'inbound',
  text: 'Where is my parcel?',
  attachments: [],
  authorName: 'Dana Customer',
  deliveryState: null,
  deliveryReason: null,
  createdAt: new Date('2026-03-01T09:05:00Z'),
  origin: null,
  draft: null,
  ...over,
});
const mediaLink = (a: Attachment) => `https://parley.test/media/${a.storageKey}?exp=1&sig=s`;
const channel = { place: 'channel' as const, conversationNumber: 1042, mediaLink };
const personal = { ...channel, place: 'personal' as const };
const actions = (a: OutboundActivity) => (cardOf(a).actions ?? []) as Node[];

describe('the conversation header card (R28, R30, R31)', () => {
  it('R28: shows contact, channel, status, assignees, unreplied, AI state and restriction', () => {
    const a = headerCard(header({ aiState: 'active', restricted: true }), { place: 'channel' });
    const text = shownTexts(a).join('\n');
    for (const part of [
      '#1042',
      'Dana Customer',
      'WhatsApp',
      'Open',
      'Ada',
      '2 unreplied',
      'AI agent answering',
    ])
      expect(text).toContain(part);
    expect(text).toContain('Restricted');
    expect(cardOf(a).version).toBe('1.5');
    expect(a.summary).toBe('#1042 · Dana Customer (WhatsApp) · Open · 2 unreplied');
    expect(
      shownTexts(headerCard(header({ assignees: [], unrepliedCount: 0 }), { place: 'channel' })).join(),
    ).toMatch(/Unassigned.*Nothing unreplied/);
  });

  it('R30, R41: Assign to me and Close are Universal Actions; Assign…, Visibility…, Reply…, Add note… open dialogs', () => {
    const list = actions(headerCard(header(), { place: 'channel' }));
    expect(list.map((x) => x.title)).toEqual([
      'Assign to me',
      'Assign…',
      'Visibility…',
      'Close',
      'Reply…',
      'Add note…',
    ]);
    expect(list[0]).toMatchObject({
      type: 'Action.Execute',
      verb: CARD_VERBS.assignMe,
      data: { conversationId: CONV },
    });
    expect(list[3]).toMatchObject({
      type: 'Action.Execute',
      verb: CARD_VERBS.close,
      data: { conversationId: CONV },
    });
    for (const [i, verb] of [
      [1, CARD_VERBS.assign],
      [2, CARD_VERBS.visibility],
      [4, CARD_VERBS.reply],
      [5, CARD_VERBS.note],
    ] as const) {
      expect(list[i]).toMatchObject({
        type: 'Action.Submit',
        data: { msteams: { type: 'task/fetch' }, verb, conversationId: CONV },
      });
    }
    const closed = actions(headerCard(header({ status: 'closed' }), { place: 'channel' }));
    expect(closed.find((x) => x.verb === CARD_VERBS.reopen)?.title).toBe('Reopen');
    expect(closed.some((x) => x.verb === CARD_VERBS.close)).toBe(false);
    expect(actions(headerCard(header({ status: 'deleted' }), { place: 'channel' }))).toEqual([]);
  });

  it('R31: in the personal chat (no thread to reply in) the card also offers Reply…', () => {
    const list = actions(headerCard(header(), { place: 'personal' }));
    expect(list[0]).toMatchObject({
      title: 'Reply…',
      data: { msteams: { type: 'task/fetch' }, verb: CARD_VERBS.reply },
    });
    expect(list).toHaveLength(6); // Teams shows six card actions
  });

  it('R28: a hostile contact or user name stays literal text: no markdown, link or mention', () => {
    for (const evil of INJECTIONS) {
      const a = headerCard(header({ contactName: evil, assignees: [{ id: 'u', name: evil }] }), {
        place: 'channel',
      });
      expect(inMarkdown(a, evil)).toBe(false);
      expect(shownTexts(a).join('\n')).toContain(evil.replace(/\s+/g, ' ').trim());
      expect(JSON.stringify(cardOf(a))).not.toContain('"entities"');
      expect(nodes(a).some((n) => n.type === 'Action.OpenUrl')).toBe(false);
    }
    // A bidi override in a name cannot turn the card's own words around.
    const spoof = headerCard(header({ contactName: 'Dana\u202E remotsuc' }), { place: 'channel' });
    expect(shownTexts(spoof)).toContain('Dana remotsuc');
  });
});

describe('a mirrored item (R28, R29)', () => {
  it('R28: shows who wrote it, the text as written, and the hidden mark of its message ids', () => {
    const it1 = item();
    const a = itemMessage([it1], channel);
    expect(shownTexts(a)).toEqual(
      expect.arrayContaining(['Dana Customer', ' · customer', 'Where is my parcel?']),
    );
    expect(readItemMarker(cardOf(a))).toEqual([it1.messageId]);
    expect(readItemMarker(JSON.stringify(cardOf(a)))).toEqual([it1.messageId]);
    expect(readItemMarker({ id: 'other' })).toBeNull();
    expect(a.summary).toBe('Dana Customer: Where is my parcel?');
    expect(shownTexts(a).join()).not.toContain('#1042');
  });

  it('R31: in a personal chat every post carries the conversation number', () => {
    const a = itemMessage([item()], personal);
    expect(shownTexts(a)[0]).toBe('#1042 · ');
    expect(a.summary).toMatch(/^#1042 · /);
  });

  it('R5: a private note is boxed and labelled, never like a customer message', () => {
    const note = itemMessage([item({ kind: 'note', authorName: 'Ada', text: 'VIP, be nice' })], channel);
    const box = nodes(note).find((n) => n.type === 'Container');
    expect(box?.style).toBe('warning');
    expect(shownTexts(note).join('')).toContain('🔒 Private note by Ada · not sent to the customer');
    expect(shownTexts(note)).not.toContain(' · customer');
    expect(note.summary).toBe('Private note by Ada: VIP, be nice');
    const customer = itemMessage([item({ text: 'Private note by Ada · not sent to the customer' })], channel);
    expect(nodes(customer).some((n) => n.type === 'Container')).toBe(false);
  });

  it('R28: customer markdown, links and <at> mentions in a message cannot take effect', () => {
    for (const evil of INJECTIONS) {
      const a = itemMessage([item({ text: evil, authorName: evil })], channel);
      expect(textBlockTexts(a)).toEqual([]);
      expect(JSON.stringify(cardOf(a))).not.toContain('"entities"');
      expect(nodes(a).some((n) => n.type === 'Action.OpenUrl' || n.selectAction)).toBe(false);
      expect(shownTexts(a)).toEqual(expect.arrayContaining(evil.split('\n').map((l) => l || ' ')));
    }
  });

  it('R29: a very long message is clipped with … under the Teams size limit, and says so', () => {
    for (const unit of ['x', '😀', 'é\n']) {
      const a = itemMessage([item({ text: unit.repeat(100_000) })], channel);
      expect(activityBytes(a)).toBeLessThanOrEqual(TEAMS_MESSAGE_MAX_BYTES);
      const texts = shownTexts(a);
      expect(texts).toContain('Shortened here: the full text is in Parley.');
      if (unit !== 'é\n') expect(texts.some((t) => t.endsWith('…'))).toBe(true);
    }
    const burst = Array.from({ length: 15 }, () =>
      item({ text: '長'.repeat(5000), attachments: files(3), authorName: 'Dana' }),
    );
    const combined = itemMessage(burst, channel);
    expect(activityBytes(combined)).toBeLessThanOrEqual(TEAMS_MESSAGE_MAX_BYTES);
    expect(readItemMarker(cardOf(combined))).toEqual(burst.map((b) => b.messageId));
    expect(shownTexts(combined)).toContain('25 more files in Parley');
  });

  it('R29: images inline, files as signed links, pending and failed files named', () => {
    const a = itemMessage(
      [
        item({
          text: null,
          attachments: [
            { id: 'a1', kind: 'image', name: 'photo.jpg', storageKey: 'k/photo', status: 'stored' },
            { id: 'a2', kind: 'document', name: 'invoice.pdf', storageKey: 'k/inv', status: 'stored' },
            { id: 'a3', kind: 'audio', name: 'voice.ogg', status: 'pending' },
            { id: 'a4', kind: 'video', name: 'clip.mp4', status: 'failed', failureReason: 'too large' },
          ],
        }),
      ],
      channel,
    );
    const image = nodes(a).find((n) => n.type === 'Image');
    expect(image).toMatchObject({
      url: 'https://parley.test/media/k/photo?exp=1&sig=s',
      altText: 'photo.jpg',
    });
    const link = nodes(a).find((n) => n.text === 'invoice.pdf');
    expect(link?.selectAction).toMatchObject({
      type: 'Action.OpenUrl',
      url: 'https://parley.test/media/k/inv?exp=1&sig=s',
    });
    const text = shownTexts(a).join('');
    expect(text).toContain('voice.ogg (being fetched)');
    expect(text).toContain('clip.mp4 (could not be fetched: too large)');
    expect(a.summary).toBe('Dana Customer: 4 files');
  });

  it('R29: an agent reply shows its delivery state, redrawn as it moves; failures give the reason', () => {
    const reply = (deliveryState: string, deliveryReason: string | null = null) =>
      shownTexts(
        itemMessage([item({ kind: 'reply', authorName: 'Ada', deliveryState, deliveryReason })], channel),
      );
    expect(reply('sent')).toContain('📤 Sent');
    expect(reply('delivered')).toContain('✅ Delivered');
    expect(reply('read')).toContain('👀 Read');
    expect(reply('failed', 'Outside the 24-hour window')).toEqual(
      expect.arrayContaining(['❌ Not delivered: ', 'Outside the 24-hour window']),
    );
    expect(reply('sent')).toContain(' · reply to the customer');
    const own = deliveryCard(
      item({ kind: 'reply', deliveryState: 'delivered', text: 'On its way' }),
      channel,
    );
    expect(shownTexts(own)).toEqual(expect.arrayContaining(['✅ Delivered', ' “On its way”']));
  });
});

describe('the restricted stub (R31)', () => {
  it('R31: says nothing about the conversation: no contact, text, number or id', () => {
    const a = stubCard();
    const json = JSON.stringify(a);
    expect(shownTexts(a)).toEqual([`🔒 ${STUB_TEXT}`]);
    expect(a.summary).toBe(STUB_TEXT);
    expect(json).not.toMatch(/\d{3,}|Dana|conversationId|"id"/);
    expect(cardOf(a).actions).toBeUndefined();
  });
});

function files(n: number): Attachment[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `f${i}`,
    kind: 'document' as const,
    name: `file-${i}.pdf`,
    storageKey: `k/${i}`,
    status: 'stored' as const,
  }));
}
