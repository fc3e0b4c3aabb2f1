import { RATING_LABELS, ratingChoiceId } from '../../../src/domain/csat.ts';

/**
 * R42: the rating request as an interactive list (reply buttons stop at three; a list holds the
 * five ratings). The customer's choice comes back as an `interactive.list_reply` whose id names
 * the survey and the rating (message-content.ts keeps it in meta.interactive).
 */
export function surveyPart(surveyId: string, text: string) {
  const rows = RATING_LABELS.map((label, i) => ({
    id: ratingChoiceId(surveyId, i + 1),
    title: `${i + 1} – ${label}`,
  })).reverse();
  return {
    type: 'interactive',
    interactive: {
      type: 'list',
      body: { text },
      action: { button: 'Rate us', sections: [{ title: 'Your rating', rows }] },
    },
  };
}
