import { randomUUID } from 'node:crypto';
import type {
  BlockAction,
  App as BoltApp,
  ButtonAction,
  ViewStateValue,
  ViewSubmitAction,
} from '@slack/bolt';
import { z } from 'zod';
import {
  broadcastForm,
  type CommandForm,
  type FormRequest,
  formRequestOf,
  paymentForm,
} from '../../../src/commands/command-forms.ts';
import {
  broadcastErrorField,
  type FieldErrors,
  type FormValues,
  paymentErrorField,
  readBroadcastForm,
  readPaymentForm,
} from '../../../src/commands/form-input.ts';
import type { User } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { isAppError } from '../../../src/domain/errors.ts';
import { previewBroadcast } from '../../../src/use-cases/broadcast-preview.ts';
import { createBroadcast } from '../../../src/use-cases/create-broadcast.ts';
import { createCheckout, createInvoice } from '../../../src/use-cases/invoices.ts';
import { loadConversationFor } from '../../../src/use-cases/load.ts';
import type { SlackHandlerDeps } from './deps.ts';
import { escapeText } from './escape.ts';
import {
  broadcastModal,
  broadcastOutcomeView,
  broadcastPreviewView,
  FORM_CALLBACKS,
  paymentModal,
} from './form-modals.ts';
import { linkedUser, lookupEmail, notLinkedText } from './linked-user.ts';
import { tellUser } from './thread-messages.ts';

/**
 * The form commands on Slack (R4, R8): `/parley invoice|checkout|broadcast` opens its modal with
 * the command's trigger; where there is no trigger (a command written to the app's DM) the answer
 * carries an "Open the form" button. Submissions run the use-cases; a refusal is shown on its field
 * and nothing is sent. A broadcast goes through a preview (response_action `update`) before Send.
 */

export const OPEN_FORM_ACTION = 'parley_open_form';

/** How long a previewed broadcast waits for its Send. */
const DRAFT_TTL_SECONDS = 3600;

const formRequest = z.union([
  z.object({ form: z.enum(['invoice', 'checkout']), conversationId: z.uuid() }),
  z.object({ form: z.literal('broadcast') }),
]);

export const modalOf = (form: CommandForm) =>
  form.form === 'broadcast' ? broadcastModal(form) : paymentModal(form);

export async function openFormModal(deps: SlackHandlerDeps, triggerId: string, form: CommandForm) {
  await deps.api.call('views.open', { trigger_id: triggerId, view: modalOf(form) });
}

/** The answer's button that opens the form, for an answer that cannot open it itself. */
export const openFormBlocks = (text: string, form: CommandForm) => [
  { type: 'section', text: { type: 'mrkdwn', text } },
  {
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: OPEN_FORM_ACTION,
        style: 'primary',
        text: { type: 'plain_text', text: `Open the ${form.form} form` },
        value: JSON.stringify(formRequestOf(form)),
      },
    ],
  },
];

/** The form for the user as they are now (a conversation they may still see, their groups). */
async function loadForm(deps: SlackHandlerDeps, user: User, request: FormRequest): Promise<CommandForm> {
  const em = deps.em();
  if (request.form === 'broadcast') return broadcastForm(em, user);
  const conv = await loadConversationFor(em, user, request.conversationId, { lock: false });
  return paymentForm(em, conv, request.form);
}

/** A modal's entries by block id (each block has one element, action_id `value`). */
function valuesOf(state: Record<string, Record<string, ViewStateValue>>): FormValues {
  const values: FormValues = {};
  for (const [blockId, actions] of Object.entries(state)) {
    const v = Object.values(actions)[0];
    if (!v) continue;
    values[blockId] =
      v.selected_options?.map((o) => o.value) ??
      v.selected_option?.value ??
      v.selected_date ??
      v.value ??
      undefined;
  }
  return values;
}

type Submission = { errors: FieldErrors } | { view: object } | undefined;

export function registerFormHandlers(app: BoltApp, deps: SlackHandlerDeps): void {
  app.action<BlockAction<ButtonAction>>(OPEN_FORM_ACTION, async ({ ack, body, action }) => {
    await ack();
    const user = await linkedUser(deps.em(), body.user.id, (id) => lookupEmail(deps, id));
    if (!user) return tellUser(deps, body.user.id, notLinkedText);
    try {
      const request = formRequest.parse(JSON.parse(action.value ?? 'null'));
      await openFormModal(deps, body.trigger_id, await loadForm(deps, user, request));
    } catch (err) {
      if (isAppError(err)) return tellUser(deps, body.user.id, escapeText(err.message));
      if (err instanceof SyntaxError || err instanceof z.ZodError)
        return tellUser(deps, body.user.id, 'That button is out of date. Run the command again.');
      throw err;
    }
  });

  const on = (
    callbackId: string,
    /** Where a refusal of the whole form goes; null: the view has no fields (the preview). */
    mainField: string | null,
    run: (user: User, view: ViewSubmitAction['view']) => Promise<Submission>,
  ) =>
    app.view<ViewSubmitAction>(callbackId, async ({ ack, body }) => {
      const user = await linkedUser(deps.em(), body.user.id, (id) => lookupEmail(deps, id));
      const outcome: Submission = user
        ? await run(user, body.view)
        : mainField
          ? { errors: { [mainField]: notLinkedText } }
          : { view: broadcastOutcomeView(notLinkedText) };
      if (!outcome) return ack();
      if ('errors' in outcome) return ack({ response_action: 'errors', errors: outcome.errors });
      return ack({ response_action: 'update', view: outcome.view as never });
    });

  for (const what of ['invoice', 'checkout'] as const) {
    on(FORM_CALLBACKS[what], 'item1_description', async (user, view) => {
      const read = readPaymentForm(what, valuesOf(view.state.values));
      if (!read.ok) return { errors: read.errors };
      const input = { conversationId: view.private_metadata, ...read.input };
      try {
        if (what === 'invoice') await createInvoice(deps.context(), userActor(user.id), input);
        else await createCheckout(deps.context(), userActor(user.id), input);
        return undefined;
      } catch (err) {
        if (!isAppError(err)) throw err;
        return { errors: { [paymentErrorField(err)]: err.message } };
      }
    });
  }

  on(FORM_CALLBACKS.broadcast, 'endpoint', async (user, view) => {
    const read = await readBroadcastForm(deps.em(), user, valuesOf(view.state.values));
    if (!read.ok) return { errors: read.errors };
    try {
      const preview = await previewBroadcast(deps.context(), userActor(user.id), read.input);
      const key = randomUUID();
      await deps.redis.set(
        draftKey(deps, key),
        JSON.stringify({ userId: user.id, input: read.input }),
        'EX',
        DRAFT_TTL_SECONDS,
      );
      const message = read.input.template
        ? `WhatsApp template ${read.input.template.name}`
        : (read.input.text ?? '');
      return { view: broadcastPreviewView({ ...preview, message }, key) };
    } catch (err) {
      if (!isAppError(err)) throw err;
      return { errors: { [broadcastErrorField(err)]: err.message } };
    }
  });

  on(FORM_CALLBACKS.broadcastConfirm, null, async (user, view) => {
    // Taken once: a second Send of the same preview (a double click) finds nothing to send.
    const key = draftKey(deps, view.private_metadata);
    const draft = JSON.parse((await deps.redis.getdel(key)) ?? 'null') as {
      userId: string;
      input: never;
    } | null;
    if (!draft || draft.userId !== user.id) {
      return {
        view: broadcastOutcomeView(
          'This preview was already sent or has expired. Run `/parley broadcast` to write a new one.',
        ),
      };
    }
    try {
      const result = await createBroadcast(deps.context(), userActor(user.id), draft.input);
      const refused = result.refused > 0 ? `, ${result.refused} left out` : '';
      return {
        view: broadcastOutcomeView(
          `*Broadcast started:* ${result.queued} of ${result.total} queued${refused}. Each message lands in that contact's own conversation.`,
        ),
      };
    } catch (err) {
      if (!isAppError(err)) throw err;
      return { view: broadcastOutcomeView(`Nothing was sent: ${escapeText(err.message)}`) };
    }
  });
}

const draftKey = (deps: SlackHandlerDeps, key: string) =>
  `${deps.prefix}:slack:broadcast-draft:${key.replace(/[^0-9a-f-]/gi, '')}`;
