import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { groupItems } from '../../../adapters/surfaces/shared/combine-items.ts';
import { itemMessage } from '../../../adapters/surfaces/slack/thread-blocks.ts';
import type { AiDraftView, MirrorItem } from '../../../src/ports/agent-surface.ts';
import { blockErrors } from '../../support/slack-rules.ts';

/** How an AI draft (R36) is drawn in a Slack thread, and that it is never combined with other items. */

let seq = 0;
const item = (over: Partial<MirrorItem> = {}): MirrorItem => ({
  messageId: randomUUID(),
  seq: ++seq,
  kind: 'ai',
  text: 'Hello',
  attachments: [],
  authorName: 'Ava',
  deliveryState: null,
  deliveryReason: null,
  createdAt: new Date(),
  origin: null,
  draft: null,
  ...over,
});
const draft = (view: Partial<AiDraftView> = {}, over: Partial<MirrorItem> = {}) =>
  item({ kind: 'ai_draft', draft: { state: 'pending', by: null, edited: false, ...view }, ...over });

type Button = {
  action_id: string;
  value: string;
  style?: string;
  confirm?: Record<string, { text: string }>;
};
const buttons = (body: ReturnType<typeof itemMessage>): Button[] =>
  body.blocks.flatMap((b) => (b.type === 'actions' ? (b.elements as Button[]) : []));
const words = (body: ReturnType<typeof itemMessage>) => JSON.stringify(body.blocks);

describe('an AI draft in Slack (R36)', () => {
  it('R36: a waiting draft says it is not sent and offers Send, Edit… and Discard (which asks first)', () => {
    const d = draft({}, { text: 'We ship on Monday & Tuesday <soon>' });
    const body = itemMessage([d]);
    expect(words(body)).toContain(':robot_face: *AI draft* · only the team sees this · not sent yet');
    // The AI's text is data: escaped like any text Parley did not write.
    expect(words(body)).toContain('We ship on Monday &amp; Tuesday &lt;soon&gt;');
    expect(body.text).toContain('not sent yet');
    expect(body.username).toBe('Ava');
    expect(buttons(body).map((b) => [b.action_id, b.value, b.style])).toEqual([
      ['parley_ai_draft_send', d.messageId, 'primary'],
      ['parley_ai_draft_edit', d.messageId, undefined],
      ['parley_ai_draft_discard', d.messageId, undefined],
    ]);
    const confirm = buttons(body)[2]!.confirm!;
    expect([confirm.title!.text, confirm.confirm!.text, confirm.deny!.text]).toEqual([
      'Discard this AI draft?',
      'Discard',
      'Keep it',
    ]);
    expect(blockErrors(body.blocks, 'message')).toEqual([]);
  });

  it('R36: a decided draft is drawn without buttons, saying who sent (edited or not) or discarded it', () => {
    const cases: [Partial<AiDraftView>, string][] = [
      [{ state: 'sent', by: 'Ada' }, 'Sent by Ada'],
      [{ state: 'sent', by: 'Ada', edited: true }, 'Sent by Ada after editing'],
      [{ state: 'discarded', by: 'Ada' }, 'Discarded by Ada'],
      [{ state: 'dropped' }, 'Out of date'],
    ];
    for (const [view, says] of cases) {
      const body = itemMessage([draft(view)]);
      expect(words(body)).toContain(says);
      expect(words(body)).not.toContain('not sent yet');
      expect(buttons(body)).toEqual([]);
      expect(blockErrors(body.blocks, 'message')).toEqual([]);
    }
    expect(words(itemMessage([draft({ state: 'sent', by: 'Ada' })]))).not.toContain('after editing');
    // A name is data too.
    expect(words(itemMessage([draft({ state: 'discarded', by: '<!channel>' })]))).toContain(
      '&lt;!channel&gt;',
    );
  });

  it('R36: a draft stands alone: never combined with the AI’s messages or another draft, whatever may combine', () => {
    const items = [item(), draft(), draft(), item()];
    const everything = { maxItems: 40, maxChars: 3000, kinds: new Set(['ai', 'ai_draft'] as const) };
    const groups = groupItems(items, { limits: everything, isOwnHere: () => false });
    expect(groups.map((g) => (g.own ? 1 : g.items.length))).toEqual([1, 1, 1, 1]);
    // Without drafts between them, the AI's messages do combine.
    const plain = groupItems([item(), item()], { limits: everything, isOwnHere: () => false });
    expect(plain.map((g) => (g.own ? 1 : g.items.length))).toEqual([2]);
  });
});
