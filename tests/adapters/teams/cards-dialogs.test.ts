import { describe, expect, it } from 'vitest';
import { cardActivity } from '../../../adapters/surfaces/teams/cards/card-kit.ts';
import {
  assignDialog,
  DIALOG_INPUTS,
  DIALOG_TEXT_MAX,
  dialogMessage,
  dialogResponse,
  noteDialog,
  parseDialogOpen,
  parseDialogSubmit,
  replyDialog,
  visibilityDialog,
} from '../../../adapters/surfaces/teams/cards/dialogs.ts';
import { CARD_VERBS } from '../../../adapters/surfaces/teams/ports.ts';
import { AppError } from '../../../src/domain/errors.ts';
import { INJECTIONS, inMarkdown, type Node, nodes, shownTexts } from './cards-support.ts';

const CONV = '0b6c1d2e-3f40-4a51-8b62-7c8d9e0f1a2b';
const ADA = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const subject = { conversationId: CONV, number: 1042, contactName: 'Dana' };
const members = [
  { id: ADA, name: 'Ada' },
  { id: BOB, name: 'Bob' },
];
const asActivity = (card: Record<string, unknown>) => cardActivity(card, 'dialog');
const input = (card: Record<string, unknown>, id: string) =>
  nodes(asActivity(card)).find((n) => n.id === id) as Node;
const submitOf = (card: Record<string, unknown>) =>
  (card.actions as Node[]).find((a) => a.type === 'Action.Submit') as Node;

/** The refusal a parse gives, as the user reads it. */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('validation_failed');
    return (err as AppError).message;
  }
  throw new Error('expected a refusal');
}

describe('the dialogs behind the header card (R30, R31)', () => {
  it('R30: answers task/fetch with the dialog card in the shape Teams takes', () => {
    const card = noteDialog(subject);
    expect(dialogResponse(card, 'Note on #1042')).toEqual({
      task: {
        type: 'continue',
        value: {
          title: 'Note on #1042',
          card: { contentType: 'application/vnd.microsoft.card.adaptive', content: card },
        },
      },
    });
    expect(dialogMessage('Done.')).toEqual({ task: { type: 'message', value: 'Done.' } });
  });

  it('R30: Assign… offers the group members in a filtered multi-select, the assignees picked', () => {
    const card = assignDialog(subject, { members, assigneeIds: [BOB] });
    expect(input(card, DIALOG_INPUTS.people)).toMatchObject({
      type: 'Input.ChoiceSet',
      isMultiSelect: true,
      style: 'filtered',
      value: BOB,
      choices: [
        { title: 'Bob', value: BOB },
        { title: 'Ada', value: ADA },
      ],
    });
    expect(submitOf(card)).toMatchObject({
      title: 'Assign',
      data: { verb: CARD_VERBS.assign, conversationId: CONV },
    });
    expect(shownTexts(asActivity(card))).toEqual(expect.arrayContaining(['#1042 · ', 'Dana']));
  });

  it('R17: Visibility… chooses the whole group or a list; a refusal is shown in the dialog', () => {
    const open = visibilityDialog(subject, { members, visibleToIds: null });
    expect(input(open, DIALOG_INPUTS.scope)).toMatchObject({ style: 'expanded', value: 'everyone' });
    const listed = visibilityDialog(subject, {
      members,
      visibleToIds: [ADA],
      error: 'Bob is not in the group.',
    });
    expect(input(listed, DIALOG_INPUTS.scope).value).toBe('list');
    expect(input(listed, DIALOG_INPUTS.people).value).toBe(ADA);
    expect(shownTexts(asActivity(listed))).toContain('⚠️ Bob is not in the group.');
  });

  it('R5, R31: Add note… and Reply… take text, keeping what was typed when shown again', () => {
    const note = noteDialog(subject, { text: 'draft', error: 'Try again.' });
    expect(input(note, DIALOG_INPUTS.text)).toMatchObject({
      type: 'Input.Text',
      isMultiline: true,
      maxLength: DIALOG_TEXT_MAX,
      value: 'draft',
    });
    expect(input(note, DIALOG_INPUTS.text).label).toContain('only your team sees it');
    expect(submitOf(replyDialog(subject))).toMatchObject({ title: 'Send', data: { verb: CARD_VERBS.reply } });
  });

  it('R28: names in a dialog cannot inject markdown, links or mentions', () => {
    for (const evil of INJECTIONS) {
      const card = assignDialog(
        { ...subject, contactName: evil },
        { members: [{ id: ADA, name: evil }], assigneeIds: [] },
      );
      expect(inMarkdown(asActivity(card), evil)).toBe(false);
    }
  });
});

describe('reading what a dialog sends', () => {
  const sent = (data: Record<string, unknown>) => ({ data, context: { theme: 'default' } });

  it('R30: a button asks for its dialog', () => {
    expect(
      parseDialogOpen(
        sent({ msteams: { type: 'task/fetch' }, verb: CARD_VERBS.assign, conversationId: CONV }),
      ),
    ).toEqual({ verb: CARD_VERBS.assign, conversationId: CONV });
    expect(refusal(() => parseDialogOpen(sent({ verb: 'parley.delete_all', conversationId: CONV })))).toMatch(
      /no such dialog/,
    );
    expect(refusal(() => parseDialogOpen(sent({ verb: CARD_VERBS.note, conversationId: 'x' })))).toMatch(
      /no longer names a conversation/,
    );
  });

  it('R15: assignees come as a comma list; empty unassigns everyone', () => {
    expect(
      parseDialogSubmit(
        CARD_VERBS.assign,
        sent({ verb: CARD_VERBS.assign, conversationId: CONV, people: `${ADA},${BOB},${ADA}` }),
      ),
    ).toEqual({
      verb: CARD_VERBS.assign,
      conversationId: CONV,
      assigneeIds: [ADA, BOB],
    });
    expect(parseDialogSubmit(CARD_VERBS.assign, { conversationId: CONV, people: '' })).toMatchObject({
      assigneeIds: [],
    });
    expect(parseDialogSubmit(CARD_VERBS.assign, { conversationId: CONV })).toMatchObject({ assigneeIds: [] });
  });

  it('R17: visibility everyone is null; a list is its people', () => {
    expect(
      parseDialogSubmit(
        CARD_VERBS.visibility,
        sent({ conversationId: CONV, scope: 'everyone', people: ADA }),
      ),
    ).toMatchObject({ visibleToIds: null });
    expect(
      parseDialogSubmit(CARD_VERBS.visibility, sent({ conversationId: CONV, scope: 'list', people: ADA })),
    ).toMatchObject({ visibleToIds: [ADA] });
  });

  it('R5: a note or reply keeps its text as written', () => {
    const text = '**not bold** <at>Ada</at>\nsecond line';
    expect(parseDialogSubmit(CARD_VERBS.note, sent({ conversationId: CONV, text }))).toEqual({
      verb: CARD_VERBS.note,
      conversationId: CONV,
      text,
    });
    expect(parseDialogSubmit(CARD_VERBS.reply, sent({ conversationId: CONV, text: 'hi' }))).toMatchObject({
      text: 'hi',
    });
  });

  it('refuses bad input clearly, naming what to do', () => {
    const cases: [string, unknown, RegExp][] = [
      [CARD_VERBS.note, sent({ conversationId: CONV, text: '   ' }), /Write the note first/],
      [CARD_VERBS.reply, sent({ conversationId: CONV }), /Write the reply first/],
      [CARD_VERBS.note, sent({ conversationId: CONV, text: 'x'.repeat(DIALOG_TEXT_MAX + 1) }), /too long/],
      [CARD_VERBS.assign, sent({ conversationId: CONV, people: 'ada,bob' }), /Pick from the list/],
      [CARD_VERBS.assign, sent({ conversationId: CONV, people: ['x'] }), /not a list of people/],
      [CARD_VERBS.visibility, sent({ conversationId: CONV, scope: 'nobody' }), /Choose who can see/],
      [CARD_VERBS.note, sent({ conversationId: 'nope', text: 'x' }), /no longer names a conversation/],
      [CARD_VERBS.note, sent({ verb: CARD_VERBS.reply, conversationId: CONV, text: 'x' }), /does not match/],
      [CARD_VERBS.close, sent({ conversationId: CONV }), /no such dialog/],
      [CARD_VERBS.note, 'text', /sent nothing Parley can read/],
      [CARD_VERBS.note, null, /sent nothing Parley can read/],
    ];
    for (const [verb, value, message] of cases)
      expect(refusal(() => parseDialogSubmit(verb, value))).toMatch(message);
    const many = Array.from(
      { length: 51 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    expect(
      refusal(() => parseDialogSubmit(CARD_VERBS.assign, { conversationId: CONV, people: many.join(',') })),
    ).toMatch(/at most 50/);
  });
});
