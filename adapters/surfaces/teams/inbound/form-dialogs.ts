import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { broadcastForm, type CommandForm, paymentForm } from '../../../../src/commands/command-forms.ts';
import {
  broadcastErrorField,
  type FieldErrors,
  type FormValues,
  paymentErrorField,
  readBroadcastForm,
  readPaymentForm,
} from '../../../../src/commands/form-input.ts';
import type { User } from '../../../../src/db/entities/index.ts';
import { userActor } from '../../../../src/domain/actor.ts';
import { AppError, isAppError } from '../../../../src/domain/errors.ts';
import { previewBroadcast } from '../../../../src/use-cases/broadcast-preview.ts';
import { createBroadcast } from '../../../../src/use-cases/create-broadcast.ts';
import { storable } from '../../../../src/use-cases/input.ts';
import { createCheckout, createInvoice } from '../../../../src/use-cases/invoices.ts';
import { loadConversationFor } from '../../../../src/use-cases/load.ts';
import { broadcastDialog, broadcastPreviewDialog } from '../cards/broadcast-dialogs.ts';
import { dialogMessage, dialogResponse } from '../cards/dialogs.ts';
import {
  FORM_VERBS,
  type FormVerb,
  formOfferCard,
  invokeVerb,
  paymentDialog,
} from '../cards/payment-dialogs.ts';
import { personalChat } from '../personal-chats.ts';
import type { InboundActivity } from '../ports.ts';
import { isPersonalChat, senderOf } from './activity.ts';
import type { TeamsInboundDeps } from './deps.ts';
import type { InvokeAnswer } from './invoke-answers.ts';
import { actingUser } from './linked-user.ts';
import { withShortWaits } from './tell.ts';

/**
 * The form commands' dialogs on Teams (R4, R8): the offer card's button asks for one
 * (`task/fetch`), its submit runs the use-case (`task/submit`). The invoice and checkout dialogs
 * send at once; the broadcast dialog answers with its preview, whose Send creates the broadcast.
 * A refusal draws the dialog again with what was entered and the reason under its field.
 */

const answer = (body: unknown): InvokeAnswer => ({ status: 200, body });
const stale = 'This form no longer names a conversation. Run the command again.';

/** A form command's answer: the card with the button that opens the dialog, in the person's chat with Parley. */
export async function offerForm(
  deps: TeamsInboundDeps,
  a: InboundActivity,
  form: CommandForm,
): Promise<void> {
  try {
    const teamsUserId = senderOf(a);
    const chat = isPersonalChat(a)
      ? a.conversation.id
      : teamsUserId && (await personalChat(deps, teamsUserId)).conversationId;
    if (chat) await withShortWaits(() => deps.api.send(chat, formOfferCard(form)));
  } catch (err) {
    deps.logger.warn({ err }, 'teams: could not offer a form (is the app installed for them?)');
  }
}

const dataOf = (value: unknown): Record<string, unknown> => {
  const data = (value as { data?: unknown } | null)?.data;
  return data && typeof data === 'object' && !Array.isArray(data)
    ? (storable(data) as Record<string, unknown>)
    : {};
};

/** The inputs Teams merged into the submit's data, as text (a multi-select's values comma-joined). */
function valuesOf(data: Record<string, unknown>): FormValues {
  const values: FormValues = {};
  for (const [key, v] of Object.entries(data)) {
    if (['verb', 'conversationId', 'msteams', 'broadcast'].includes(key)) continue;
    if (typeof v === 'string' || typeof v === 'number') values[key] = String(v);
  }
  return values;
}

async function paymentFormFor(
  deps: TeamsInboundDeps,
  user: User,
  verb: FormVerb,
  data: Record<string, unknown>,
) {
  const id = z.uuid().safeParse(data.conversationId);
  if (!id.success) throw new AppError('validation_failed', stale);
  const em = deps.em();
  const conv = await loadConversationFor(em, user, id.data, { lock: false });
  return paymentForm(em, conv, verb === FORM_VERBS.invoice ? 'invoice' : 'checkout');
}

function draw(form: CommandForm, values?: FormValues, errors?: FieldErrors) {
  if (form.form === 'broadcast') return dialogResponse(broadcastDialog(form, values, errors), 'Broadcast');
  const what = form.form === 'invoice' ? 'Invoice' : 'Checkout';
  return dialogResponse(paymentDialog(form, values, errors), `${what} for #${form.number}`);
}

export async function onFormDialogFetch(deps: TeamsInboundDeps, a: InboundActivity): Promise<InvokeAnswer> {
  const acting = await actingUser(deps, a);
  if ('refusal' in acting) return answer(dialogMessage(acting.refusal));
  const verb = invokeVerb(a.value) as FormVerb;
  try {
    if (verb === FORM_VERBS.broadcast) return answer(draw(await broadcastForm(deps.em(), acting.user)));
    if (verb === FORM_VERBS.invoice || verb === FORM_VERBS.checkout)
      return answer(draw(await paymentFormFor(deps, acting.user, verb, dataOf(a.value))));
    return answer(dialogMessage('Parley has no such form. Run the command again.'));
  } catch (err) {
    if (!isAppError(err)) throw err;
    return answer(dialogMessage(err.message));
  }
}

export async function onFormDialogSubmit(deps: TeamsInboundDeps, a: InboundActivity): Promise<InvokeAnswer> {
  const acting = await actingUser(deps, a);
  if ('refusal' in acting) return answer(dialogMessage(acting.refusal));
  const { user } = acting;
  const verb = invokeVerb(a.value) as FormVerb;
  const data = dataOf(a.value);
  const values = valuesOf(data);
  try {
    switch (verb) {
      case FORM_VERBS.invoice:
      case FORM_VERBS.checkout:
        return answer(await submitPayment(deps, user, verb, data, values));
      case FORM_VERBS.broadcast:
        return answer(await submitBroadcast(deps, user, values));
      case FORM_VERBS.broadcastConfirm: {
        const sent = await sendOnce(deps, data.previewId);
        if (!sent)
          return answer(
            dialogMessage('This broadcast was already sent. Run `broadcast` to write a new one.'),
          );
        const result = await createBroadcast(
          deps.context(),
          userActor(user.id),
          data.broadcast as never,
        ).catch(async (err: unknown) => {
          await deps.redis.del(sent);
          throw err;
        });
        const refused = result.refused > 0 ? `, ${result.refused} left out` : '';
        return answer(
          dialogMessage(
            `Broadcast started: ${result.queued} of ${result.total} queued${refused}. Each message lands in that contact's own conversation.`,
          ),
        );
      }
      default:
        return answer(dialogMessage('Parley has no such form. Run the command again.'));
    }
  } catch (err) {
    if (!isAppError(err)) throw err;
    const lead = verb === FORM_VERBS.broadcastConfirm ? 'Nothing was sent: ' : '';
    return answer(dialogMessage(`${lead}${err.message}`));
  }
}

async function submitPayment(
  deps: TeamsInboundDeps,
  user: User,
  verb: FormVerb,
  data: Record<string, unknown>,
  values: FormValues,
) {
  // Drawn again only for a conversation the person may still see (paymentFormFor checks it).
  const form = await paymentFormFor(deps, user, verb, data);
  const read = readPaymentForm(form.form, values);
  if (!read.ok) return draw(form, values, read.errors);
  const input = { conversationId: form.conversationId, ...read.input };
  try {
    if (form.form === 'invoice') {
      const { invoice, payLinkPending } = await createInvoice(deps.context(), userActor(user.id), input);
      return dialogMessage(paymentSentText(`Invoice ${invoice.reference}`, form.number, payLinkPending));
    }
    const { payLinkPending } = await createCheckout(deps.context(), userActor(user.id), input);
    return dialogMessage(paymentSentText('The checkout', form.number, payLinkPending));
  } catch (err) {
    if (!isAppError(err)) throw err;
    return draw(form, values, { [paymentErrorField(err)]: err.message });
  }
}

async function submitBroadcast(deps: TeamsInboundDeps, user: User, values: FormValues) {
  const form = await broadcastForm(deps.em(), user);
  const read = await readBroadcastForm(deps.em(), user, values);
  if (!read.ok) return draw(form, values, read.errors);
  try {
    const preview = await previewBroadcast(deps.context(), userActor(user.id), read.input);
    const message = read.input.template
      ? `WhatsApp template ${read.input.template.name}`
      : (read.input.text ?? '');
    return dialogResponse(
      broadcastPreviewDialog({ ...preview, message }, read.input, randomUUID()),
      'Broadcast preview',
    );
  } catch (err) {
    if (!isAppError(err)) throw err;
    return draw(form, values, { [broadcastErrorField(err)]: err.message });
  }
}

/** Marks a preview as sent; the marker key, or null when it was sent already (a second Send). */
async function sendOnce(deps: TeamsInboundDeps, previewId: unknown): Promise<string | null> {
  const id = z.uuid().safeParse(previewId);
  if (!id.success)
    throw new AppError('validation_failed', 'This preview is out of date. Run `broadcast` again.');
  const key = `${deps.prefix}:teams:broadcast-sent:${id.data}`;
  return (await deps.redis.set(key, '1', 'EX', SENT_TTL_SECONDS, 'NX')) ? key : null;
}

/** Long past any dialog still open on someone's screen. */
const SENT_TTL_SECONDS = 24 * 3600;

/** With a payment provider the summary waits for its pay link; the thread shows when it leaves. */
const paymentSentText = (what: string, n: number, payLinkPending: boolean) =>
  payLinkPending
    ? `${what} is recorded in #${n}; it goes to the customer with its pay link in a moment (the thread shows it).`
    : `${what} was sent to the customer in #${n}.`;
