import { describe, expect, it } from 'vitest';
import {
  teamsMediaLink,
  teamsMediaRoutes,
  teamsMediaSecret,
} from '../../../adapters/surfaces/teams/media.ts';
import { createTeamsSurface } from '../../../adapters/surfaces/teams/teams.surface.ts';
import { loadConfig } from '../../../src/config.ts';
import type { Attachment } from '../../../src/db/entities/index.ts';
import { createApp } from '../../../src/http/app.ts';
import { createLogger } from '../../../src/logger.ts';
import { newStorageKey } from '../../../src/ports/storage.ts';
import { localTestStorage } from '../../support/storage.ts';
import { teamsSurfaceHarness } from './surface-harness.ts';

const h = await teamsSurfaceHarness();
const storage = localTestStorage();
const secret = teamsMediaSecret('app-password');
const mediaLink = teamsMediaLink({ secret, publicUrl: 'https://parley.test' });
const surface = createTeamsSurface({
  api: h.api,
  em: h.db.em,
  redis: h.redis.producer,
  prefix: h.redis.prefix,
  logger: createLogger('silent'),
  mediaLink,
});
const app = createApp({
  config: loadConfig({ PUBLIC_URL: 'https://parley.test', LOG_LEVEL: 'silent' }),
  orm: h.db.orm,
  redis: h.redis.producer,
  logger: createLogger('silent'),
  extraRoutes: (a) => a.route('/', teamsMediaRoutes(storage, secret)),
});

const stored = async (kind: string, name: string, mimeType: string): Promise<Attachment> => {
  const storageKey = newStorageKey();
  await storage.put(storageKey, new TextEncoder().encode(`bytes of ${name}`), mimeType);
  return { id: name, kind, name, mimeType, storageKey, status: 'stored' } as Attachment;
};

describe('files in Teams cards (R28)', () => {
  it("R28: a customer's image shows inline and a document as a link, both Parley's signed links that serve the file", async () => {
    const channel = h.newChannel();
    const ref = await surface.openThread(
      { kind: 'channel', key: `channel:${channel}`, channelId: channel },
      h.header(),
    );
    const photo = await stored('image', 'photo.png', 'image/png');
    const invoice = await stored('document', 'invoice.pdf', 'application/pdf');
    for await (const _ of surface.postItems(ref, [h.item({ text: 'see', attachments: [photo, invoice] })]));
    const [reply] = h.teams.post(String(ref.conversation))!.replies;
    const card = JSON.stringify(reply!.attachments);
    const urls = [...card.matchAll(/https:\/\/parley\.test\/teams\/media\/[^"]+/g)].map((m) => m[0]);
    expect(urls).toHaveLength(2);
    expect(card).toContain('"type":"Image"');
    for (const [url, name] of [
      [urls.find((u) => u.includes(photo.storageKey!))!, 'photo.png'],
      [urls.find((u) => u.includes(invoice.storageKey!))!, 'invoice.pdf'],
    ] as const) {
      const link = new URL(url.replace(/\\u0026/g, '&'));
      const res = await app.request(`${link.pathname}${link.search}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(`bytes of ${name}`);
    }
  });

  it('a link with a wrong signature serves nothing', async () => {
    const doc = await stored('document', 'secret.pdf', 'application/pdf');
    const link = new URL(mediaLink(doc)!);
    link.searchParams.set('sig', 'forged');
    const res = await app.request(`${link.pathname}${link.search}`);
    expect(res.status).toBe(403);
  });
});
