import type { ChannelAdapterModule } from '../../../src/ports/adapter-module.ts';
import { smsRoutes } from './routes.ts';
import { smsSetupSchemas } from './setup-schemas.ts';
import { createSmsChannel } from './sms.channel.ts';

/** Time limit of one Twilio API call; past it the outcome of a send is unknown, never retried blindly. */
const TWILIO_TIMEOUT_MS = 15_000;

/** SMS/MMS through Twilio: built when TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are set. */
export const smsAdapter: ChannelAdapterModule = {
  name: 'sms',
  create(config, deps) {
    if (!config.TWILIO_ACCOUNT_SID || !config.TWILIO_AUTH_TOKEN) return null;
    return createSmsChannel({
      client: {
        apiUrl: config.TWILIO_API_URL,
        accountSid: config.TWILIO_ACCOUNT_SID,
        authToken: config.TWILIO_AUTH_TOKEN,
        timeoutMs: TWILIO_TIMEOUT_MS,
        ...(deps.vendorCalls ? { calls: deps.vendorCalls } : {}),
      },
      publicUrl: config.publicUrl,
      storage: deps.storage,
    });
  },
  setup: smsSetupSchemas,
  routes(channel, deps) {
    return smsRoutes(channel, deps, deps.config.TWILIO_AUTH_TOKEN ?? '');
  },
};
