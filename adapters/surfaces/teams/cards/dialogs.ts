import { Choice, ChoiceSetInput, SubmitAction, TextInput } from '@microsoft/teams.cards';
import { CARD_VERBS } from '../ports.ts';
import { adaptiveCard, type CardBody, clipped, line, oneLine, run } from './card-kit.ts';
import { DIALOG_INPUTS, DIALOG_TEXT_MAX, type DialogVerb } from './dialog-submit.ts';

export {
  DIALOG_INPUTS,
  DIALOG_TEXT_MAX,
  DIALOG_VERBS,
  type DialogSubmit,
  type DialogVerb,
  parseDialogOpen,
  parseDialogSubmit,
} from './dialog-submit.ts';

/**
 * The dialogs (task modules) behind the header card's Assign…, Visibility…, Add note… and, in a
 * personal chat, Reply… buttons (R30, R31), and an AI draft's Edit… (R36). Teams asks for one with a `task/fetch` invoke and
 * shows the card of the answer (dialogResponse); its submit button sends `task/submit` with
 * `{ verb, conversationId }` and the inputs (parseDialogSubmit). A refused submission is answered
 * with the same dialog again, its `error` shown above the fields and what was typed kept.
 */

/** The conversation a dialog acts on, as its heading names it. */
export interface DialogSubject {
  conversationId: string;
  number: number;
  contactName: string;
}

/** A Parley user offered in a picker (the conversation group's members). */
export interface DialogPerson {
  id: string;
  name: string;
}

/** People offered in one picker: Teams draws a filtered list, but a card has a size limit. */
const MAX_CHOICES = 250;

const heading = (s: DialogSubject) =>
  line(run(`#${s.number} · `, { bold: true }), run(oneLine(s.contactName), { bold: true }));
const errorLine = (error?: string) =>
  error ? [line(run(`⚠️ ${clipped(error, 500)}`, { color: 'Attention', bold: true }))] : [];
const submit = (title: string, verb: DialogVerb, s: DialogSubject) =>
  new SubmitAction({ title, style: 'positive', data: { verb, conversationId: s.conversationId } });

function picker(members: DialogPerson[], picked: readonly string[], label: string) {
  // The people already picked come first, so a cut never drops them.
  const first = [...members].sort((a, b) => Number(picked.includes(b.id)) - Number(picked.includes(a.id)));
  const shown = first.slice(0, MAX_CHOICES);
  const input = new ChoiceSetInput(
    ...shown.map((m) => new Choice({ title: oneLine(m.name, 80), value: m.id })),
  )
    .withId(DIALOG_INPUTS.people)
    .withLabel(label)
    .withIsMultiSelect(true)
    .withStyle('filtered')
    .withPlaceholder('Type a name');
  const value = picked.filter((id) => shown.some((m) => m.id === id)).join(',');
  if (value) input.withValue(value);
  const more = members.length - shown.length;
  return more > 0
    ? [
        input,
        line(run(`${more} more people are not listed here; use the command instead.`, { italic: true })),
      ]
    : [input];
}

/** Assign…: the people picked become the assignees; nobody picked unassigns everyone (R15). */
export function assignDialog(
  s: DialogSubject,
  opts: { members: DialogPerson[]; assigneeIds: readonly string[]; error?: string },
): Record<string, unknown> {
  const body: CardBody = [
    heading(s),
    ...errorLine(opts.error),
    ...picker(opts.members, opts.assigneeIds, 'Assignees (leave empty to unassign everyone)'),
  ];
  return adaptiveCard(body, [submit('Assign', CARD_VERBS.assign, s)]);
}

/** Visibility…: the whole group, or only the people listed (R17, R31); you stay on the list. */
export function visibilityDialog(
  s: DialogSubject,
  opts: { members: DialogPerson[]; visibleToIds: readonly string[] | null; error?: string },
): Record<string, unknown> {
  const scope = new ChoiceSetInput(
    new Choice({ title: 'Everyone in the group', value: 'everyone' }),
    new Choice({ title: 'Only these people', value: 'list' }),
  )
    .withId(DIALOG_INPUTS.scope)
    .withLabel('Who can see this conversation')
    .withStyle('expanded')
    .withIsRequired(true)
    .withValue(opts.visibleToIds === null ? 'everyone' : 'list');
  const body: CardBody = [
    heading(s),
    ...errorLine(opts.error),
    scope,
    ...picker(opts.members, opts.visibleToIds ?? [], 'Only these people (you stay on the list)'),
    line(run('Assignees left off the list are unassigned.', { subtle: true })),
  ];
  return adaptiveCard(body, [submit('Save', CARD_VERBS.visibility, s)]);
}

function textDialog(
  s: DialogSubject,
  verb: DialogVerb,
  label: string,
  button: string,
  opts: { text?: string; error?: string },
) {
  const input = new TextInput({
    id: DIALOG_INPUTS.text,
    label,
    isMultiline: true,
    maxLength: DIALOG_TEXT_MAX,
  });
  input.withIsRequired(true).withErrorMessage('Write something first.');
  if (opts.text) input.withValue(clipped(opts.text, DIALOG_TEXT_MAX));
  return adaptiveCard([heading(s), ...errorLine(opts.error), input], [submit(button, verb, s)]);
}

/** Add note…: private to the team, never sent to the customer (R5). */
export const noteDialog = (s: DialogSubject, opts: { text?: string; error?: string } = {}) =>
  textDialog(s, CARD_VERBS.note, '🔒 Note (only your team sees it)', 'Add note', opts);

/** A saved reply the Reply… dialog offers (R40): its name, and whose it is. */
export interface SavedChoice {
  name: string;
  mine: boolean;
}

/**
 * Reply…: sent to the customer on the conversation's channel. With saved replies (R40), a picker
 * above the text: pick one, or write the reply (the text is then optional, the submission checks
 * that exactly one is given).
 */
export function replyDialog(
  s: DialogSubject,
  opts: { text?: string; error?: string; saved?: readonly SavedChoice[]; chosen?: string } = {},
): Record<string, unknown> {
  const saved = opts.saved ?? [];
  if (saved.length === 0) return textDialog(s, CARD_VERBS.reply, 'Reply to the customer', 'Send', opts);
  const picker = new ChoiceSetInput(
    ...saved
      .slice(0, MAX_CHOICES)
      .map((r) => new Choice({ title: oneLine(`${r.name}${r.mine ? ' (yours)' : ''}`, 80), value: r.name })),
  )
    .withId(DIALOG_INPUTS.saved)
    .withLabel('A saved reply ({contact.firstName}, {agent.name}… filled in)')
    .withStyle('compact')
    .withPlaceholder('None: write the reply below');
  if (opts.chosen) picker.withValue(opts.chosen);
  const input = new TextInput({
    id: DIALOG_INPUTS.text,
    label: 'Or your reply to the customer',
    isMultiline: true,
    maxLength: DIALOG_TEXT_MAX,
  });
  if (opts.text) input.withValue(clipped(opts.text, DIALOG_TEXT_MAX));
  return adaptiveCard(
    [heading(s), ...errorLine(opts.error), picker, input],
    [submit('Send', CARD_VERBS.reply, s)],
  );
}

/**
 * An AI draft's Edit… (R36): its text, to change before it goes to the customer as the person's
 * reply. The submit button carries the draft's id beside the conversation's.
 */
export function aiDraftDialog(
  s: DialogSubject,
  opts: { draftId: string; text?: string; error?: string },
): Record<string, unknown> {
  const input = new TextInput({
    id: DIALOG_INPUTS.text,
    label: 'Answer to the customer (sent as your reply)',
    isMultiline: true,
    maxLength: DIALOG_TEXT_MAX,
  });
  input.withIsRequired(true).withErrorMessage('Write something first.');
  if (opts.text) input.withValue(clipped(opts.text, DIALOG_TEXT_MAX));
  const send = new SubmitAction({
    title: 'Send',
    style: 'positive',
    data: { verb: CARD_VERBS.aiDraftEdit, conversationId: s.conversationId, draftId: opts.draftId },
  });
  return adaptiveCard([heading(s), ...errorLine(opts.error), input], [send]);
}

/** Teams caps a dialog's title; it is shown in the dialog's header bar. */
const TITLE_MAX = 60;

/** The `task/fetch` (or `task/submit`, to show it again) answer that opens a dialog with this card. */
export function dialogResponse(card: Record<string, unknown>, title: string) {
  return {
    task: {
      type: 'continue' as const,
      value: {
        title: oneLine(title, TITLE_MAX),
        card: { contentType: 'application/vnd.microsoft.card.adaptive', content: card },
      },
    },
  };
}

/** A `task/fetch` or `task/submit` answer that shows a short message instead of a dialog. */
export const dialogMessage = (text: string) => ({
  task: { type: 'message' as const, value: clipped(text, 500) },
});
