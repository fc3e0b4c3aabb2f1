import { z } from 'zod';
import type { ChannelSetupSchemas } from '../../../src/ports/adapter-module.ts';
import { strictObject } from '../../../src/setup/strict-object.ts';
import { webchatSettingsSchema } from './settings.ts';

/**
 * What an admin may set for webchat: the widget settings this adapter reads (settings.ts, the
 * user-token secret and the deliver worker's pacing). A widget's address is its key and a
 * contact's is a session or portal id: any text.
 */
export const webchatSetupSchemas: ChannelSetupSchemas = {
  settings: strictObject({
    ...webchatSettingsSchema.shape,
    /** Signs the user tokens of known customers (HS256). */
    secret: z.string().min(1).max(500).optional(),
    sendRatePerSecond: z.number().positive().max(1_000).optional(),
  }),
  endpointAddress: z.string(),
  contactAddress: z.string(),
};
