import { describe, expect, it } from 'vitest';
import { whatsappAdapter } from '../../../adapters/channels/whatsapp/index.ts';
import { loadConfig } from '../../../src/config.ts';
import type { AdapterDeps } from '../../../src/ports/adapter-module.ts';
import { localTestStorage } from '../../support/storage.ts';

const deps = { storage: localTestStorage() } as AdapterDeps;
const secrets = { WHATSAPP_APP_SECRET: 's', WHATSAPP_ACCESS_TOKEN: 't', WHATSAPP_VERIFY_TOKEN: 'v' };

describe('the WhatsApp adapter module', () => {
  it('is built only when the app secret, access token and verify token are all set', () => {
    expect(whatsappAdapter.create(loadConfig({}), deps)).toBeNull();
    // loadConfig refuses a partial set (tests/process/startup-errors.test.ts); the module checks too.
    for (const missing of Object.keys(secrets)) {
      expect(whatsappAdapter.create({ ...loadConfig(secrets), [missing]: undefined }, deps)).toBeNull();
    }
    const channel = whatsappAdapter.create(loadConfig(secrets), deps);
    expect(channel?.name).toBe('whatsapp');
    expect(channel?.fetchMedia).toBeTypeOf('function');
  });
});
