import { z } from 'zod';
import { AppError } from '../../../../src/domain/errors.ts';
import { storable } from '../../../../src/use-cases/input.ts';
import { CARD_VERBS } from '../ports.ts';

/**
 * What a dialog's submission (`task/submit`) and a dialog button (`task/fetch`) carry, read with
 * zod. Teams merges the dialog's inputs into the submit button's data: `{ verb, conversationId,
 * <input id>: <value> }`, a multi-select's values joined by commas. Anything else is refused with
 * an AppError `validation_failed` whose message the user can act on.
 */

export const DIALOG_VERBS = [
  CARD_VERBS.assign,
  CARD_VERBS.visibility,
  CARD_VERBS.note,
  CARD_VERBS.reply,
  CARD_VERBS.aiDraftEdit,
] as const;
export type DialogVerb = (typeof DIALOG_VERBS)[number];

/** The input ids of the dialogs' fields (dialogs.ts draws them under these ids). */
export const DIALOG_INPUTS = { people: 'people', scope: 'scope', text: 'text', saved: 'saved' } as const;
/** Longest note or reply a dialog takes (the Input.Text maxLength says so too). */
export const DIALOG_TEXT_MAX = 10_000;

export type DialogSubmit =
  | { verb: typeof CARD_VERBS.assign; conversationId: string; assigneeIds: string[] }
  | { verb: typeof CARD_VERBS.visibility; conversationId: string; visibleToIds: string[] | null }
  | { verb: typeof CARD_VERBS.note; conversationId: string; text: string }
  /** `saved`: the name of the saved reply picked instead of a text (R40). */
  | { verb: typeof CARD_VERBS.reply; conversationId: string; text: string; saved?: string }
  /** An AI draft's Edit… (R36): the text to send as the person's reply. */
  | { verb: typeof CARD_VERBS.aiDraftEdit; conversationId: string; draftId: string; text: string };

const stale =
  'This dialog no longer names a conversation. Close it and open it again from the conversation card.';
const conversationId = z.uuid({ error: stale });
const draftId = z.uuid({
  error: 'This dialog no longer names an AI draft. Close it and open it again from the draft.',
});

/** A multi-select's value: `"id,id"`, empty for nobody. */
const people = (max: number, what: string) =>
  z
    .string({ error: `The ${what} field is not a list of people. Close the dialog and try again.` })
    .max(max * 40)
    .optional()
    .transform((s) => [
      ...new Set(
        (s ?? '')
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(
      z
        .array(z.uuid({ error: `The ${what} field holds someone Parley does not know. Pick from the list.` }))
        .max(max, { error: `Pick at most ${max} people.` }),
    );

const text = (what: string) =>
  z
    .string({ error: `Write the ${what} first.` })
    .max(DIALOG_TEXT_MAX, { error: `The ${what} is too long: at most ${DIALOG_TEXT_MAX} characters.` })
    .refine((t) => t.trim().length > 0, { error: `Write the ${what} first.` });

const schemas = {
  [CARD_VERBS.assign]: z.object({ conversationId, [DIALOG_INPUTS.people]: people(50, 'assignees') }),
  [CARD_VERBS.visibility]: z.object({
    conversationId,
    [DIALOG_INPUTS.scope]: z.enum(['everyone', 'list'], { error: 'Choose who can see the conversation.' }),
    [DIALOG_INPUTS.people]: people(200, 'people'),
  }),
  [CARD_VERBS.note]: z.object({ conversationId, [DIALOG_INPUTS.text]: text('note') }),
  // R40: a saved reply picked, or a text written; exactly one of them.
  [CARD_VERBS.reply]: z
    .object({
      conversationId,
      [DIALOG_INPUTS.text]: z
        .string()
        .max(DIALOG_TEXT_MAX, { error: `The reply is too long: at most ${DIALOG_TEXT_MAX} characters.` })
        .default(''),
      [DIALOG_INPUTS.saved]: z.string().max(100).default(''),
    })
    .superRefine((r, ctx) => {
      const given = [!!r.text.trim(), !!r.saved.trim()].filter(Boolean).length;
      if (given === 0) ctx.addIssue({ code: 'custom', message: 'Write the reply first.' });
      if (given === 2)
        ctx.addIssue({
          code: 'custom',
          message: 'Write the reply or pick a saved reply (one of them, not both).',
        });
    }),
  [CARD_VERBS.aiDraftEdit]: z.object({ conversationId, draftId, [DIALOG_INPUTS.text]: text('answer') }),
};

const isDialogVerb = (verb: unknown): verb is DialogVerb => DIALOG_VERBS.includes(verb as DialogVerb);

/** The data object of a `task/fetch` or `task/submit` value (`{ data: {...}, context }`), or the data itself. */
function dataOf(value: unknown): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new AppError(
      'validation_failed',
      'The dialog sent nothing Parley can read. Close it and try again.',
    );
  }
  const data = (value as { data?: unknown }).data;
  return data && typeof data === 'object' && !Array.isArray(data)
    ? (data as Record<string, unknown>)
    : (value as Record<string, unknown>);
}

const firstIssue = (error: z.ZodError) =>
  error.issues[0]?.message ?? 'The dialog sent something Parley cannot read.';

/**
 * Which dialog a button asks for (the `task/fetch` invoke's value); an AI draft's Edit… names
 * the draft too.
 */
export function parseDialogOpen(value: unknown): {
  verb: DialogVerb;
  conversationId: string;
  draftId?: string;
} {
  const data = dataOf(value);
  if (!isDialogVerb(data.verb))
    throw new AppError(
      'validation_failed',
      'Parley has no such dialog. Use the buttons on the conversation card.',
    );
  const id = conversationId.safeParse(data.conversationId);
  if (!id.success) throw new AppError('validation_failed', stale);
  if (data.verb !== CARD_VERBS.aiDraftEdit) return { verb: data.verb, conversationId: id.data };
  const draft = draftId.safeParse(data.draftId);
  if (!draft.success) throw new AppError('validation_failed', firstIssue(draft.error));
  return { verb: data.verb, conversationId: id.data, draftId: draft.data };
}

/**
 * A dialog's submission for `verb` (the verb the dialog was opened with). The data's own `verb`,
 * when present, must agree. Empty assignees unassign everyone; visibility `everyone` is
 * `visibleToIds: null`; a list may be empty (the acting user is always kept on it, R17).
 */
export function parseDialogSubmit(verb: string, value: unknown): DialogSubmit {
  if (!isDialogVerb(verb))
    throw new AppError(
      'validation_failed',
      'Parley has no such dialog. Use the buttons on the conversation card.',
    );
  const data = storable(dataOf(value));
  if (data.verb !== undefined && data.verb !== verb) {
    throw new AppError(
      'validation_failed',
      'This dialog does not match the button that opened it. Close it and try again.',
    );
  }
  switch (verb) {
    case CARD_VERBS.assign: {
      const r = schemas[verb].safeParse(data);
      if (!r.success) throw new AppError('validation_failed', firstIssue(r.error));
      return { verb, conversationId: r.data.conversationId, assigneeIds: r.data.people };
    }
    case CARD_VERBS.visibility: {
      const r = schemas[verb].safeParse(data);
      if (!r.success) throw new AppError('validation_failed', firstIssue(r.error));
      const visibleToIds = r.data.scope === 'everyone' ? null : r.data.people;
      return { verb, conversationId: r.data.conversationId, visibleToIds };
    }
    case CARD_VERBS.note: {
      const r = schemas[verb].safeParse(data);
      if (!r.success) throw new AppError('validation_failed', firstIssue(r.error));
      return { verb, conversationId: r.data.conversationId, text: r.data.text };
    }
    case CARD_VERBS.reply: {
      const r = schemas[verb].safeParse(data);
      if (!r.success) throw new AppError('validation_failed', firstIssue(r.error));
      const saved = r.data.saved.trim();
      return { verb, conversationId: r.data.conversationId, text: r.data.text, ...(saved ? { saved } : {}) };
    }
    case CARD_VERBS.aiDraftEdit: {
      const r = schemas[verb].safeParse(data);
      if (!r.success) throw new AppError('validation_failed', firstIssue(r.error));
      return { verb, conversationId: r.data.conversationId, draftId: r.data.draftId, text: r.data.text };
    }
  }
}
