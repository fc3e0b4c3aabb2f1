import { z } from 'zod';
import { parsePhoneNumber } from '../domain/phone-number.ts';

/** A phone number as an admin types it (`+1 (415) 555-0100`), stored in E.164 (`+14155550100`). */
export const phoneNumberSchema = z.string().transform((text, ctx) => {
  const parsed = parsePhoneNumber(text);
  if (parsed.ok) return parsed.e164;
  ctx.addIssue({ code: 'custom', message: parsed.message });
  return z.NEVER;
});
