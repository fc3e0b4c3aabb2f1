import type { ChannelAdapterModule } from '../../../src/ports/adapter-module.ts';
import { whatsappRoutes } from './routes.ts';
import { whatsappSetupSchemas } from './setup-schemas.ts';
import { createWhatsAppChannel } from './whatsapp.channel.ts';

/** WhatsApp Cloud API: configured when the app secret, access token and verify token are set. */
export const whatsappAdapter: ChannelAdapterModule = {
  name: 'whatsapp',
  create(config, deps) {
    const { WHATSAPP_APP_SECRET, WHATSAPP_ACCESS_TOKEN, WHATSAPP_VERIFY_TOKEN } = config;
    if (!WHATSAPP_APP_SECRET || !WHATSAPP_ACCESS_TOKEN || !WHATSAPP_VERIFY_TOKEN) return null;
    return createWhatsAppChannel({
      apiUrl: config.WHATSAPP_API_URL,
      appSecret: WHATSAPP_APP_SECRET,
      accessToken: WHATSAPP_ACCESS_TOKEN,
      storage: deps.storage,
      ...(deps.vendorCalls ? { calls: deps.vendorCalls } : {}),
    });
  },
  routes: whatsappRoutes,
  setup: whatsappSetupSchemas,
};
