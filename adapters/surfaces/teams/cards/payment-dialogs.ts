import { DateInput, SubmitAction, TextInput } from '@microsoft/teams.cards';
import type { CommandForm, FormRequest, PaymentForm } from '../../../../src/commands/command-forms.ts';
import {
  type FieldErrors,
  FORM_FIELDS,
  type FormValues,
  ITEM_ROWS,
} from '../../../../src/commands/form-input.ts';
import type { OutboundActivity } from '../ports.ts';
import {
  adaptiveCard,
  type CardBody,
  cardActivity,
  channelName,
  clipped,
  line,
  oneLine,
  run,
} from './card-kit.ts';

/**
 * The form commands on Teams (R4, R8): a command cannot open a dialog, so its answer is a small
 * card whose button does (Action.Submit with `msteams: { type: 'task/fetch' }`, data `{ verb,
 * conversationId? }`); the dialog's submit sends `task/submit` with the same data and the inputs,
 * keyed by the form's field keys (FORM_FIELDS). A refused submission draws the dialog again with
 * what was entered and the reason under the field it concerns.
 */

export const FORM_VERBS = {
  invoice: 'parley.invoice',
  checkout: 'parley.checkout',
  broadcast: 'parley.broadcast',
  /** The preview's Send (its data carries the broadcast as previewed). */
  broadcastConfirm: 'parley.broadcast_confirm',
} as const;
export type FormVerb = (typeof FORM_VERBS)[keyof typeof FORM_VERBS];

export const isFormVerb = (verb: unknown): verb is FormVerb =>
  Object.values(FORM_VERBS).includes(verb as FormVerb);

/** The verb a dialog invoke names (`value.data.verb`), if any. */
export function invokeVerb(value: unknown): unknown {
  const data = (value as { data?: { verb?: unknown } } | null)?.data;
  return data?.verb;
}

export const verbOfForm = (form: FormRequest['form']): FormVerb => FORM_VERBS[form];

const requestData = (request: FormRequest) => ({
  verb: verbOfForm(request.form),
  ...(request.form === 'broadcast' ? {} : { conversationId: request.conversationId }),
});

/** The answer to a form command: what it is for, and the button that opens the dialog. */
export function formOfferCard(form: CommandForm): OutboundActivity {
  const request: FormRequest =
    form.form === 'broadcast'
      ? { form: 'broadcast' }
      : { form: form.form, conversationId: form.conversationId };
  const heading =
    form.form === 'broadcast'
      ? line(run('Broadcast: one message to a tag or to picked contacts', { bold: true }))
      : line(
          run(`${form.form === 'invoice' ? 'Invoice' : 'Checkout'} for #${form.number} · `, { bold: true }),
          run(oneLine(form.contactName), { bold: true }),
        );
  const button = new SubmitAction({
    title: form.form === 'broadcast' ? 'Write the broadcast…' : `Fill in the ${form.form}…`,
    style: 'positive',
    data: { msteams: { type: 'task/fetch' }, ...requestData(request) },
  });
  const summary =
    form.form === 'broadcast'
      ? 'Broadcast'
      : `${form.form === 'invoice' ? 'Invoice' : 'Checkout'} for #${form.number}`;
  return cardActivity(adaptiveCard([heading], [button]), summary);
}

/** A field's refusal, drawn right under it. */
export const fieldError = (errors: FieldErrors, key: string) =>
  errors[key] ? [line(run(`⚠️ ${clipped(errors[key], 300)}`, { color: 'Attention', bold: true }))] : [];

const text = (v: FormValues[string]) => (Array.isArray(v) ? v.join(',') : (v ?? ''));

export function textField(
  id: string,
  label: string,
  values: FormValues,
  errors: FieldErrors,
  opts: { required?: boolean; maxLength?: number; placeholder?: string; multiline?: boolean } = {},
) {
  const input = new TextInput({ id, label, ...(opts.maxLength ? { maxLength: opts.maxLength } : {}) });
  if (opts.required) input.withIsRequired(true).withErrorMessage('Fill this in.');
  if (opts.placeholder) input.withPlaceholder(opts.placeholder);
  if (opts.multiline) input.withIsMultiline(true);
  const value = text(values[id]);
  if (value) input.withValue(clipped(value, opts.maxLength ?? 10_000));
  return [input, ...fieldError(errors, id)];
}

/** The invoice or checkout dialog for one conversation; values and errors when drawn again. */
export function paymentDialog(
  form: PaymentForm,
  values: FormValues = {},
  errors: FieldErrors = {},
): Record<string, unknown> {
  const body: CardBody = [
    line(
      run(`#${form.number} · `, { bold: true }),
      run(oneLine(form.contactName), { bold: true }),
      run(` · ${channelName(form.channel)}`, { subtle: true }),
    ),
  ];
  for (let row = 1; row <= ITEM_ROWS; row++) {
    body.push(
      ...textField(FORM_FIELDS.description(row), `Item ${row}`, values, errors, {
        required: row === 1,
        maxLength: 200,
      }),
      ...textField(FORM_FIELDS.quantity(row), `Item ${row}: quantity`, values, errors, { placeholder: '1' }),
      ...textField(FORM_FIELDS.price(row), `Item ${row}: unit price`, values, errors, {
        required: row === 1,
        placeholder: 'e.g. 12.50',
      }),
    );
  }
  body.push(
    ...textField(
      FORM_FIELDS.currency,
      'Currency (e.g. EUR, USD)',
      { [FORM_FIELDS.currency]: form.currency, ...values },
      errors,
      {
        required: true,
        maxLength: 3,
      },
    ),
  );
  if (form.form === 'invoice') {
    const due = new DateInput({ id: FORM_FIELDS.dueDate, label: 'Due date (optional)' });
    const dueValue = text(values[FORM_FIELDS.dueDate]);
    if (dueValue) due.withValue(dueValue);
    body.push(
      due,
      ...fieldError(errors, FORM_FIELDS.dueDate),
      ...textField(FORM_FIELDS.reference, 'Reference (optional)', values, errors, {
        maxLength: 64,
        placeholder: `Empty: the next INV-${form.number}-… number`,
      }),
    );
  }
  const send = new SubmitAction({
    title: form.form === 'invoice' ? 'Send invoice' : 'Send checkout',
    style: 'positive',
    data: requestData({ form: form.form, conversationId: form.conversationId }),
  });
  return adaptiveCard(body, [send]);
}
