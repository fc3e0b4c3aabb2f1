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

/** A dialog: opened by `task/fetch`, or kept open after a `task/submit` (to show a problem in it). */
export const dialogAnswer = (dialog: {
  title: string;
  card: Record<string, unknown>;
  width?: 'small' | 'medium' | 'large' | number;
  height?: 'small' | 'medium' | 'large' | number;
}): InvokeAnswer => ({
  status: 200,
  body: {
    task: {
      type: 'continue',
      value: {
        title: dialog.title,
        width: dialog.width ?? 'medium',
        height: dialog.height ?? 'medium',
        card: { contentType: CARD, content: dialog.card },
      },
    },
  },
});

/** A message box in place of the dialog (a refusal before it opens, or what a submission did). */
export const taskMessageAnswer = (text: string): InvokeAnswer => ({
  status: 200,
  body: { task: { type: 'message', value: text } },
});

/** Closes the dialog with nothing to say. */
export const closeDialogAnswer = (): InvokeAnswer => ({ status: 200 });
