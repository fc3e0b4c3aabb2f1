import { z } from 'zod';
import type { ChannelSetupSchemas } from '../../../src/ports/adapter-module.ts';
import { phoneNumberSchema } from '../../../src/setup/phone-number-schema.ts';
import { strictObject } from '../../../src/setup/strict-object.ts';

/**
 * What an admin may set for SMS: the endpoint settings this adapter reads (send.ts, lookup.ts and
 * the deliver worker's pacing), and the numbers, stored in E.164 as Twilio writes `To` and `From`.
 */
export const smsSetupSchemas: ChannelSetupSchemas = {
  settings: strictObject({
    /** Outbound pace of the number (a US long code sends about one per second). */
    sendRatePerSecond: z.number().positive().max(1_000).optional(),
    /** Send through this Messaging Service instead of `From` (sticky sender, A2P 10DLC). */
    messagingServiceSid: z
      .string()
      .trim()
      .regex(/^MG[0-9a-fA-F]{32}$/, 'must be a Messaging Service SID: "MG" and 32 hexadecimal characters')
      .optional(),
  }),
  endpointAddress: phoneNumberSchema,
  contactAddress: phoneNumberSchema,
};
