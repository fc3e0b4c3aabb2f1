import { describe, expect, it } from 'vitest';
import { AppError, errorCodes, isAppError } from '../../src/domain/errors.ts';

describe('AppError', () => {
  it('R33: a refusal carries its code, its HTTP status and machine-readable details', () => {
    const e = new AppError('forbidden', 'Only an admin can delete conversation #7.', { rule: 'R24' });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('AppError');
    expect(e.message).toBe('Only an admin can delete conversation #7.');
    expect(e.code).toBe('forbidden');
    expect(e.status).toBe(403);
    expect(e.details).toEqual({ rule: 'R24' });
    expect(new AppError('not_found', 'gone').details).toBeUndefined();
  });

  it('maps each code to its status in one place', () => {
    const status = (code: keyof typeof errorCodes) => new AppError(code, code).status;
    expect(status('validation_failed')).toBe(422);
    expect(status('rule_violation')).toBe(422);
    expect(status('not_found')).toBe(404);
    expect(status('conflict')).toBe(409);
    expect(status('rate_limited')).toBe(429);
    expect(status('unavailable')).toBe(503);
    expect(Object.values(errorCodes).every((s) => s >= 400 && s < 600)).toBe(true);
  });

  it('tells Parley refusals from other errors', () => {
    expect(isAppError(new AppError('conflict', 'x'))).toBe(true);
    expect(isAppError(new Error('x'))).toBe(false);
    expect(isAppError({ code: 'conflict', message: 'x' })).toBe(false);
  });
});
