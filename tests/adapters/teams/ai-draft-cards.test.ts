import { describe, expect, it } from 'vitest';
import { cardOf } from '../../../adapters/surfaces/teams/cards/card-kit.ts';
import {
  aiDraftDialog,
  parseDialogOpen,
  parseDialogSubmit,
} from '../../../adapters/surfaces/teams/cards/dialogs.ts';
import { deliveryCard, itemMessage } from '../../../adapters/surfaces/teams/cards/item-message.ts';
import { CARD_VERBS } from '../../../adapters/surfaces/teams/ports.ts';
import type { AiDraftView, MirrorItem } from '../../../src/ports/agent-surface.ts';
import { actionsOf } from '../../support/teams-people.ts';
import { INJECTIONS, inMarkdown, shownTexts } from './cards-support.ts';

/** How an AI draft (R36) is drawn in Teams: its card's buttons by state, and its Edit… dialog. */

const CONV = '0b6c1d2e-3f40-4a51-8b62-7c8d9e0f1a2b';
const DRAFT = '5d9e1f20-3a4b-4c5d-8e6f-7a8b9c0d1e2f';
const draft = (view: Partial<AiDraftView> = {}, over: Partial<MirrorItem> = {}): MirrorItem => ({
  messageId: DRAFT,
  seq: 7,
  kind: 'ai_draft',
  text: 'Your parcel ships on Monday.',
  attachments: [],
  authorName: 'Ava',
  deliveryState: null,
  deliveryReason: null,
  createdAt: new Date('2026-03-01T09:05:00Z'),
  origin: null,
  draft: { state: 'pending', by: null, edited: false, ...view },
  ...over,
});
const opts = {
  place: 'channel' as const,
  conversationNumber: 1042,
  conversationId: CONV,
  mediaLink: () => null,
};
const text = (a: ReturnType<typeof itemMessage>) => shownTexts(a).join('\n');

describe('an AI draft card in Teams (R36)', () => {
  it('R36: a waiting draft says it is not sent and offers Send, Edit… (a dialog) and Discard… (which asks first)', () => {
    const a = itemMessage([draft()], opts);
    expect(text(a)).toContain('AI draft');
    expect(text(a)).toContain('not sent yet');
    expect(text(a)).toContain('Your parcel ships on Monday.');
    expect(a.summary).toContain('AI draft (not sent yet)');
    const actions = actionsOf(cardOf(a));
    expect(actions.map((x) => [x.type, x.title])).toEqual([
      ['Action.Execute', 'Send'],
      ['Action.Submit', 'Edit…'],
      ['Action.ShowCard', 'Discard…'],
      // Inside Discard…'s card: the confirmation.
      ['Action.Execute', 'Discard'],
    ]);
    expect(actions[0]).toMatchObject({
      verb: CARD_VERBS.aiDraftSend,
      data: { draftId: DRAFT, conversationId: CONV },
    });
    expect(actions[1]!.data).toEqual({
      msteams: { type: 'task/fetch' },
      verb: CARD_VERBS.aiDraftEdit,
      draftId: DRAFT,
      conversationId: CONV,
    });
    expect(actions[3]).toMatchObject({ verb: CARD_VERBS.aiDraftDiscard, data: { draftId: DRAFT } });
  });

  it('R36: a decided draft is drawn without buttons, saying who sent (edited or not) or discarded it', () => {
    const cases: [Partial<AiDraftView>, string][] = [
      [{ state: 'sent', by: 'Ada' }, 'Sent by Ada'],
      [{ state: 'sent', by: 'Ada', edited: true }, 'Sent by Ada after editing'],
      [{ state: 'discarded', by: 'Ada' }, 'Discarded by Ada'],
      [{ state: 'dropped' }, 'Out of date'],
    ];
    for (const [view, says] of cases) {
      const a = itemMessage([draft(view)], opts);
      expect(text(a)).toContain(says);
      expect(text(a)).not.toContain('not sent yet');
      expect(actionsOf(cardOf(a))).toEqual([]);
    }
    // Where its post cannot be redrawn, the small state card says the same.
    expect(shownTexts(deliveryCard(draft({ state: 'discarded', by: 'Ada' }), opts)).join('\n')).toContain(
      'Discarded by Ada',
    );
  });

  it('R36: the draft’s text and names are data: never markdown, a mention or a link', () => {
    for (const evil of INJECTIONS) {
      const a = itemMessage([draft({ state: 'sent', by: evil }, { text: evil, authorName: evil })], opts);
      expect(inMarkdown(a, evil)).toBe(false);
    }
  });

  it('R36: Edit… is a dialog with the draft’s text; its submission names the draft and the text to send', () => {
    const card = aiDraftDialog(
      { conversationId: CONV, number: 1042, contactName: 'Dana' },
      { draftId: DRAFT, text: 'Your parcel ships on Monday.' },
    );
    const input = JSON.stringify(card);
    expect(input).toContain('"value":"Your parcel ships on Monday."');
    const submit = actionsOf(card).find((x) => x.type === 'Action.Submit')!;
    expect(submit.data).toEqual({ verb: CARD_VERBS.aiDraftEdit, conversationId: CONV, draftId: DRAFT });

    expect(
      parseDialogOpen({ data: { verb: CARD_VERBS.aiDraftEdit, conversationId: CONV, draftId: DRAFT } }),
    ).toEqual({ verb: CARD_VERBS.aiDraftEdit, conversationId: CONV, draftId: DRAFT });
    expect(
      parseDialogSubmit(CARD_VERBS.aiDraftEdit, { data: { ...submit.data, text: 'Ships Tuesday, sorry!' } }),
    ).toEqual({
      verb: CARD_VERBS.aiDraftEdit,
      conversationId: CONV,
      draftId: DRAFT,
      text: 'Ships Tuesday, sorry!',
    });
    expect(() => parseDialogSubmit(CARD_VERBS.aiDraftEdit, { data: { ...submit.data, text: '  ' } })).toThrow(
      'Write the answer first.',
    );
    expect(() => parseDialogOpen({ data: { verb: CARD_VERBS.aiDraftEdit, conversationId: CONV } })).toThrow(
      'no longer names an AI draft',
    );
  });
});
