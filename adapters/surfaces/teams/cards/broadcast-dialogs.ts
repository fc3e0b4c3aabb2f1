import { Choice, ChoiceSetInput, SubmitAction } from '@microsoft/teams.cards';
import type { BroadcastForm } from '../../../../src/commands/command-forms.ts';
import { type FieldErrors, FORM_FIELDS, type FormValues } from '../../../../src/commands/form-input.ts';
import { adaptiveCard, type CardBody, channelName, clipped, line, oneLine, plural, run } from './card-kit.ts';
import { FORM_VERBS, fieldError, textField } from './payment-dialogs.ts';

/**
 * The broadcast dialog (R8): from which number or widget, to a tag or picked contacts (the first
 * 100 by name; a tag reaches the rest), text or a WhatsApp template. Its submit answers with the
 * preview dialog (how many receive it, who is left out and why); the preview's Send carries the
 * broadcast as previewed, and createBroadcast checks it all again.
 */

const joined = (v: FormValues[string]) => (Array.isArray(v) ? v.join(',') : (v ?? ''));

function select(
  id: string,
  label: string,
  choices: { title: string; value: string }[],
  values: FormValues,
  opts: { multi?: boolean; placeholder: string; initial?: string },
) {
  const input = new ChoiceSetInput(
    ...choices.map((c) => new Choice({ title: oneLine(c.title, 80), value: c.value })),
  )
    .withId(id)
    .withLabel(label)
    .withStyle(opts.multi ? 'filtered' : 'compact')
    .withPlaceholder(opts.placeholder);
  if (opts.multi) input.withIsMultiSelect(true);
  const value = joined(values[id]) || opts.initial;
  if (value) input.withValue(value);
  return input;
}

export function broadcastDialog(
  form: BroadcastForm,
  values: FormValues = {},
  errors: FieldErrors = {},
): Record<string, unknown> {
  const endpoints = form.endpoints.map((e) => ({
    title: `${e.name} (${channelName(e.channel)} · ${e.groupName})`,
    value: e.id,
  }));
  const body: CardBody = [
    select(FORM_FIELDS.endpoint, 'Send from', endpoints, values, {
      placeholder: 'A number or widget of your group',
      ...(endpoints.length === 1 ? { initial: endpoints[0]!.value } : {}),
    }),
    ...fieldError(errors, FORM_FIELDS.endpoint),
  ];
  if (form.tags.length > 0) {
    body.push(
      select(
        FORM_FIELDS.tag,
        'To the contacts tagged (or pick contacts below, not both)',
        form.tags.map((t) => ({ title: t, value: t })),
        values,
        {
          placeholder: 'Pick a tag',
        },
      ),
      ...fieldError(errors, FORM_FIELDS.tag),
    );
  }
  if (form.contacts.length > 0) {
    body.push(
      select(
        FORM_FIELDS.contacts,
        'Or to these contacts',
        form.contacts.map((c) => ({ title: c.name, value: c.id })),
        values,
        {
          multi: true,
          placeholder: 'Type a name',
        },
      ),
      ...fieldError(errors, FORM_FIELDS.contacts),
    );
    if (form.moreContacts) {
      body.push(
        line(
          run(
            `Only the first ${form.contacts.length} contacts by name are listed; a tag reaches all of them.`,
            {
              italic: true,
            },
          ),
        ),
      );
    }
  }
  body.push(
    ...textField(FORM_FIELDS.text, 'Message', values, errors, { multiline: true, maxLength: 4096 }),
    line(
      run('Or a WhatsApp template (the way to reach contacts outside the 24-hour window):', { subtle: true }),
    ),
    ...textField(FORM_FIELDS.templateName, 'Template name', values, errors, { maxLength: 512 }),
    ...textField(
      FORM_FIELDS.templateLanguage,
      'Template language (e.g. en_US; empty when it has one)',
      values,
      errors,
      {
        maxLength: 15,
      },
    ),
    ...textField(FORM_FIELDS.templateParameters, 'Template parameters, one per line', values, errors, {
      multiline: true,
    }),
  );
  const preview = new SubmitAction({
    title: 'Preview',
    style: 'positive',
    data: { verb: FORM_VERBS.broadcast },
  });
  return adaptiveCard(body, [preview]);
}

export interface PreviewFacts {
  total: number;
  willReceive: number;
  leftOut: { label: string; count: number }[];
  message: string;
}

/** The preview: Send (when anyone would receive it) confirms exactly what was previewed. */
export function broadcastPreviewDialog(
  facts: PreviewFacts,
  input: unknown,
  /** Sends it once: a second Send of the same preview is refused (form-dialogs.ts). */
  previewId: string,
): Record<string, unknown> {
  const left = facts.leftOut.filter((l) => l.count > 0);
  const body: CardBody = [
    line(
      run(`${plural(facts.willReceive, 'contact')} will receive it`, { bold: true }),
      run(` (of ${plural(facts.total, 'contact')} in the audience).`),
    ),
    ...(left.length > 0 ? [line(run('Left out:', { bold: true }))] : []),
    ...left.map((l) => line(run(`• ${l.label}: ${l.count}`))),
    line(run('Message', { bold: true })),
    line(run(clipped(facts.message, 2_000), { italic: true })),
  ];
  if (facts.willReceive === 0) {
    body.push(
      line(
        run('Nobody would receive it: close this and change the audience or the message.', {
          color: 'Attention',
        }),
      ),
    );
    return adaptiveCard(body);
  }
  const send = new SubmitAction({
    title: `Send to ${facts.willReceive}`,
    style: 'positive',
    data: { verb: FORM_VERBS.broadcastConfirm, broadcast: input, previewId },
  });
  return adaptiveCard(body, [send]);
}
