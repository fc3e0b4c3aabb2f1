import { describe, expect, it } from 'vitest';
import { smsSegments } from '../../../adapters/channels/sms/segments.ts';

describe('SMS segment counting', () => {
  it('plain text up to 160 GSM characters is one segment', () => {
    expect(smsSegments('Your order shipped today.')).toEqual({
      encoding: 'GSM-7',
      characters: 25,
      segments: 1,
    });
    expect(smsSegments('a'.repeat(160))).toMatchObject({ encoding: 'GSM-7', segments: 1 });
  });

  it('a long GSM message is split in parts of 153 characters', () => {
    expect(smsSegments('a'.repeat(161)).segments).toBe(2);
    expect(smsSegments('a'.repeat(306)).segments).toBe(2);
    expect(smsSegments('a'.repeat(307)).segments).toBe(3);
  });

  it('extension characters (€ [ ] { } ~ ^ | \\) take two places and are never split between parts', () => {
    expect(smsSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', characters: 80, segments: 1 });
    expect(smsSegments('€'.repeat(81)).segments).toBe(2);
    // 152 + a 2-septet € does not fit in 153: the € opens the second part.
    expect(smsSegments(`${'a'.repeat(152)}€${'a'.repeat(150)}`).segments).toBe(2);
    expect(smsSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`).segments).toBe(3);
  });

  it('Latin accents of the GSM alphabet stay GSM-7; others switch the whole message to UCS-2', () => {
    expect(smsSegments('Café à Zürich, ÑÖ').encoding).toBe('GSM-7');
    expect(smsSegments('Çava? ç')).toMatchObject({ encoding: 'UCS-2' });
    expect(smsSegments('Привет')).toEqual({ encoding: 'UCS-2', characters: 6, segments: 1 });
  });

  it('an emoji makes it UCS-2: 70 units in one segment, 67 per part, a surrogate pair never split', () => {
    const thanks = 'Thanks 👍';
    expect(smsSegments(thanks)).toEqual({ encoding: 'UCS-2', characters: 8, segments: 1 });
    expect(smsSegments(`${'a'.repeat(68)}👍`).segments).toBe(1); // 70 units
    expect(smsSegments(`${'a'.repeat(69)}👍`).segments).toBe(2); // 71 units
    // 66 units then an emoji (2 units) does not fit in 67: it moves to the next part.
    expect(smsSegments(`${'a'.repeat(66)}👍${'a'.repeat(65)}`).segments).toBe(2);
    expect(smsSegments(`${'a'.repeat(66)}👍${'a'.repeat(66)}`).segments).toBe(3);
  });

  it('no text is no segment (an MMS with only a picture)', () => {
    expect(smsSegments('')).toEqual({ encoding: 'GSM-7', characters: 0, segments: 0 });
  });
});
