/**
 * The bodies Teams expects in answer to an invoke (Universal Actions' response format for
 * `adaptiveCard/action`, the task module envelope for `task/fetch` / `task/submit`). Teams shows an
 * `adaptiveCard/action` message, and a task `message`, to the person who acted, and to no one else.
 */

export interface InvokeAnswer {
  status: number;
  body?: unknown;
}

const CARD = 'application/vnd.microsoft.card.adaptive';

/** The card replaces the one the person acted on. */
export const cardAnswer = (card: Record<string, unknown>): InvokeAnswer => ({
  status: 200,
  body: { statusCode: 200, type: CARD, value: card },
});

/** A line shown to the acting person, under the card. */
export const messageAnswer = (text: string): InvokeAnswer => ({
  status: 200,
  body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text },
});

/** An action Parley does not know (a card from an older version, a forged invoke). */
export const badActionAnswer = (message: string): InvokeAnswer => ({
  status: 200,
  body: { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message } },
});

/** Closes the dialog with nothing to say. */
export const closeDialogAnswer = (): InvokeAnswer => ({ status: 200 });
