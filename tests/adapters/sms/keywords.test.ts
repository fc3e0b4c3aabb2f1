import { describe, expect, it } from 'vitest';
import { smsKeyword } from '../../../adapters/channels/sms/keywords.ts';

describe('SMS keywords', () => {
  it.each(['STOP', 'stop', ' Stop ', 'STOPALL', 'unsubscribe', 'Cancel', 'END', 'quit', 'REVOKE', 'optout'])(
    '"%s" opts out',
    (body) => {
      expect(smsKeyword(body)).toEqual({ keyword: body.trim().toUpperCase(), action: 'opt_out' });
    },
  );

  it.each(['START', 'yes', 'Unstop\n'])('"%s" opts back in', (body) => {
    expect(smsKeyword(body)?.action).toBe('opt_in');
  });

  it.each(['HELP', 'info'])('"%s" asks for help', (body) => {
    expect(smsKeyword(body)?.action).toBe('help');
  });

  it.each([
    'stop please',
    'Please STOP',
    'STOP!',
    'stop.',
    'stopp',
    'S T O P',
    'yes please',
    'help me',
    'Ended',
    '',
  ])('"%s" is an ordinary message', (body) => {
    expect(smsKeyword(body)).toBeNull();
  });

  it("Twilio's Advanced Opt-Out verdict counts, custom keywords included", () => {
    expect(smsKeyword('ARRET', 'STOP')).toEqual({ keyword: 'ARRET', action: 'opt_out' });
    expect(smsKeyword('Bitte wieder', 'START')).toEqual({ keyword: 'BITTE WIEDER', action: 'opt_in' });
    expect(smsKeyword('hello', '')).toBeNull();
  });
});
