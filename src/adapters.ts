import { smsAdapter } from '../adapters/channels/sms/index.ts';
import { webchatAdapter } from '../adapters/channels/webchat/index.ts';
import { whatsappAdapter } from '../adapters/channels/whatsapp/index.ts';
import type { Config } from './config.ts';
import type { App } from './http/app.ts';
import type { AdapterDeps, ChannelAdapterModule, WebhookDeps } from './ports/adapter-module.ts';
import type { ChannelRegistry, CustomerChannel } from './ports/customer-channel.ts';

/**
 * The channel table: which customer channels this deployment runs. Each
 * module builds its adapter only when its configuration is present; adding a channel is a new
 * folder and a new row here, nothing else in the core changes.
 */
export const channelModules: ChannelAdapterModule[] = [webchatAdapter, whatsappAdapter, smsAdapter];

export interface Channels {
  registry: ChannelRegistry;
  /** Mounts every configured channel's routes (webhooks, widget) on the app. */
  mount(app: App, deps: WebhookDeps): void;
}

export function buildChannels(config: Config, deps: AdapterDeps, modules = channelModules): Channels {
  const built: [ChannelAdapterModule, CustomerChannel][] = [];
  for (const m of modules) {
    const channel = m.create(config, deps);
    if (channel) built.push([m, channel]);
  }
  return {
    registry: new Map(built.map(([m, c]) => [m.name, c])),
    mount: (app, webhookDeps) => {
      for (const [m, channel] of built) {
        if (m.routes) app.route('/', m.routes(channel, { ...webhookDeps, ...deps }));
      }
    },
  };
}
