/**
 * R42 as pure rules: what the customer is asked on each channel, what counts as an answer, and
 * the Parley line that shows the answer in the conversation's thread.
 */

/** The five answers, best last, as the customer sees them on WhatsApp and in the webchat card. */
export const RATING_LABELS = ['Very poor', 'Poor', 'OK', 'Good', 'Excellent'] as const;

/** A rating request is answered within this time or not at all: a "3" weeks later is just a message. */
export const CSAT_ANSWER_DAYS = 7;

export const COMMENT_MAX = 1000;

/** The question sent to the customer; SMS says how to answer, the other channels show choices. */
export function surveyText(channel: string): string {
  if (channel === 'sms')
    return 'How did we do? Reply with a number from 1 (very poor) to 5 (excellent), and a comment if you like.';
  return 'How would you rate the help you got? Pick a number from 1 (very poor) to 5 (excellent).';
}

export interface CsatAnswer {
  rating: number;
  comment: string | null;
}

/**
 * An SMS (or typed WhatsApp) answer: a digit 1–5, optionally "/5", optionally followed by a comment
 * ("4 great help", "5. thanks!"). Anything else ("45", "4,5", "1st of May") is not an answer.
 */
export function parseTypedRating(text: string | undefined): CsatAnswer | null {
  // A comment follows a space or a mark and never starts with a digit: "4,5" or "4 5" says no one thing.
  const m = /^\s*([1-5])(?:\s*\/\s*5)?(?:(?:\s*[.,:;!)\u2013-]\s*|\s+)(?!\d)([\s\S]*))?$/.exec(text ?? '');
  if (!m) return null;
  return { rating: Number(m[1]), comment: cleanComment(m[2]) };
}

export function cleanComment(comment: string | null | undefined): string | null {
  const c = comment?.trim() ?? '';
  return c ? c.slice(0, COMMENT_MAX) : null;
}

/** The id of a WhatsApp list row: the survey it answers and the rating. */
export const ratingChoiceId = (surveyId: string, rating: number) => `csat:${surveyId}:${rating}`;

export function parseRatingChoiceId(id: unknown): { surveyId: string; rating: number } | null {
  const m = typeof id === 'string' ? /^csat:([0-9a-f-]{36}):([1-5])$/i.exec(id) : null;
  return m ? { surveyId: m[1]!.toLowerCase(), rating: Number(m[2]) } : null;
}

/** The Parley line in the thread once the customer has answered. */
export function ratedLine(rating: number, comment: string | null): string {
  const stars = '★'.repeat(rating) + '☆'.repeat(5 - rating);
  const said = comment ? `: “${comment}”` : '';
  return `The customer rated this conversation ${rating}/5 ${stars} (${RATING_LABELS[rating - 1]})${said}`;
}

/** The Parley line in the thread when no rating could be asked, and why (R42: recorded, not silent). */
export const skippedLine = (reason: string) => `No rating was asked: ${reason}`;
