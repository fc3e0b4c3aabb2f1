import { z } from 'zod';
import type { ChannelSetupSchemas } from '../../../src/ports/adapter-module.ts';
import { phoneNumberSchema } from '../../../src/setup/phone-number-schema.ts';
import { strictObject } from '../../../src/setup/strict-object.ts';
import { templateSettingSchema } from './templates.ts';

/** Meta's business-scoped user id, for a customer who hides their number (`US.13491208655302741918`). */
const BSUID = /^[A-Z]{2}\.[A-Za-z0-9]{1,128}$/;

/**
 * What an admin may set for WhatsApp: the endpoint settings this adapter reads (templates.ts and
 * the deliver worker's pacing); the endpoint's address is Meta's phone number id (digits), not the
 * number; a contact is their number in E.164 (as parse.ts writes it) or their BSUID.
 */
export const whatsappSetupSchemas: ChannelSetupSchemas = {
  settings: strictObject({
    /** Outbound pace of the number (the Cloud API allows 80 per second by default). */
    sendRatePerSecond: z.number().positive().max(1_000).optional(),
    /** The approved templates agents may send from this number. */
    templates: z.array(strictObject(templateSettingSchema.shape)).optional(),
  }),
  endpointAddress: z
    .string()
    .trim()
    .regex(
      /^\d{5,30}$/,
      'must be the phone number id from Meta\'s API Setup page (digits, e.g. "106540352242922"), not the phone number',
    ),
  contactAddress: z.string().transform((text, ctx) => {
    const typed = text.trim();
    if (BSUID.test(typed)) return typed;
    const number = phoneNumberSchema.safeParse(typed);
    if (number.success) return number.data;
    for (const issue of number.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
    return z.NEVER;
  }),
};
