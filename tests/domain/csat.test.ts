import { describe, expect, it } from 'vitest';
import { parseRatingChoiceId, parseTypedRating, ratedLine, ratingChoiceId } from '../../src/domain/csat.ts';

describe('R42: what counts as a rating', () => {
  it.each([
    ['4', { rating: 4, comment: null }],
    ['4.', { rating: 4, comment: null }],
    [' 5 ', { rating: 5, comment: null }],
    ['4 great help', { rating: 4, comment: 'great help' }],
    ['5. Thanks!', { rating: 5, comment: 'Thanks!' }],
    ['3/5 slow but fine', { rating: 3, comment: 'slow but fine' }],
    ['1 - never again', { rating: 1, comment: 'never again' }],
  ])('R42: "%s" is a rating', (text, answer) => {
    expect(parseTypedRating(text)).toEqual(answer);
  });

  it.each(['45', '0', '6', '1st of May', 'four', '', '2026-05-01', '4,5', '4 5 stars'])(
    'R42: "%s" is not a rating',
    (text) => {
      expect(parseTypedRating(text)).toBeNull();
    },
  );

  it('R42: a WhatsApp list choice names its survey and rating; anything else is no choice', () => {
    const id = '0b4f8a36-2a9d-4b0a-9f7e-3c2d1e0f9a8b';
    expect(parseRatingChoiceId(ratingChoiceId(id, 3))).toEqual({ surveyId: id, rating: 3 });
    expect(parseRatingChoiceId(`csat:${id}:9`)).toBeNull();
    expect(parseRatingChoiceId('menu:1')).toBeNull();
    expect(parseRatingChoiceId(undefined)).toBeNull();
  });

  it('R42: the thread line shows the rating and the comment', () => {
    expect(ratedLine(2, null)).toBe('The customer rated this conversation 2/5 ★★☆☆☆ (Poor)');
    expect(ratedLine(5, 'great')).toBe('The customer rated this conversation 5/5 ★★★★★ (Excellent): “great”');
  });
});
