import { describe, expect, it } from 'vitest';
import { WebchatUpload } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { sendReply } from '../../../src/use-cases/send-reply.ts';
import { localTestStorage } from '../../support/storage.ts';
import { createTestDb } from '../../support/test-db.ts';
import { sseReader, webchatHarness } from './harness.ts';

const db = await createTestDb();
// A small limit, so refusing "too large" does not need megabytes.
const h = await webchatHarness(db, { storage: localTestStorage(4 * 1024) });

/** A 1×1 PNG. */
const png = Uint8Array.from(
  atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='),
  (ch) => ch.charCodeAt(0),
);

const upload = (token: string, file: File) => {
  const form = new FormData();
  form.append('file', file);
  return h.app.request('/webchat/api/uploads', {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
    body: form,
  });
};

describe('webchat uploads', () => {
  it('R4: a visitor uploads an image and sends it with text; the message carries the stored image', async () => {
    const s = await h.session();
    const res = await upload(s.token, new File([png], 'photo.png', { type: 'image/png' }));
    expect(res.status).toBe(201);
    const up = (await res.json()) as { id: string; kind: string; size: number };
    expect(up).toMatchObject({ kind: 'image', size: png.length });

    const sent = await h.write(s.token, 'Here is the damage 📦', { attachmentIds: [up.id] });
    expect(sent.status).toBe(201);
    const msg = await h.message(sent.body.messageId);
    expect(msg.attachments).toHaveLength(1);
    expect(msg.attachments[0]).toMatchObject({
      id: up.id,
      kind: 'image',
      name: 'photo.png',
      status: 'stored',
    });
    const stored = await h.storage.get(msg.attachments[0]?.storageKey ?? '');
    expect(stored?.data).toEqual(png);

    const file = await h.call('GET', `/webchat/api/files/${up.id}`, s.token);
    expect(file.status).toBe(200);
    expect(file.headers.get('Content-Type')).toBe('image/png');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(png);
  });

  it('a file over the storage limit is refused with 413 and a clear reason; nothing is stored', async () => {
    const s = await h.session();
    const before = await db.em().count(WebchatUpload, {});
    const big = new File([new Uint8Array(10 * 1024)], 'scan.pdf', { type: 'application/pdf' });
    const res = await upload(s.token, big);
    expect(res.status).toBe(413);
    const body = (await res.json()) as { error: { message: string; details: { limitBytes: number } } };
    expect(body.error.message).toMatch(/^"scan\.pdf" is .* attachments can be at most/);
    expect(body.error.details.limitBytes).toBe(4 * 1024);
    expect(await db.em().count(WebchatUpload, {})).toBe(before);
  });

  it('another visitor can neither attach nor download someone else’s upload', async () => {
    const owner = await h.session();
    const other = await h.session();
    const up = (await (
      await upload(owner.token, new File([png], 'mine.png', { type: 'image/png' }))
    ).json()) as {
      id: string;
    };
    const attach = await h.write(other.token, 'stolen', { attachmentIds: [up.id] });
    expect(attach.status).toBe(422);
    expect(attach.body.error?.message).toMatch(/not uploaded in this chat session/);
    expect((await h.call('GET', `/webchat/api/files/${up.id}`, other.token)).status).toBe(404);
  });

  it('an agent’s attachment in the visitor’s conversation can be downloaded by the visitor; an SVG never renders inline', async () => {
    const s = await h.session();
    const sent = await h.write(s.token, 'Send me the invoice');
    const svg = new TextEncoder().encode(
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    );
    await h.storage.put('agent/invoice.svg', svg, 'image/svg+xml');
    // The visitor has the chat open; Alice replies with the file, and the reply reaches them.
    const live = sseReader(await h.call('GET', '/webchat/api/stream', s.token));
    expect((await live.next()).event).toBe('ready');
    await live.messages(1);
    const reply = await sendReply(h.context(), userActor(h.ws.alice.id), {
      conversationId: sent.body.conversationId,
      text: 'Here it is',
      attachments: [
        {
          id: 'att-svg',
          kind: 'image',
          name: 'invoice.svg',
          mimeType: 'image/svg+xml',
          storageKey: 'agent/invoice.svg',
          status: 'stored',
        },
      ],
    });
    expect(await h.deliver(reply.messageId)).toMatchObject({ outcome: 'sent' });
    const [shown] = await live.messages(1);
    expect(shown).toMatchObject({ text: 'Here it is', attachments: [{ id: 'att-svg', available: true }] });
    await live.close();
    const res = await h.call('GET', '/webchat/api/files/att-svg', s.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('application/octet-stream');
    expect(res.headers.get('Content-Disposition')).toMatch(/^attachment;/);
    // A stranger's session cannot fetch it.
    expect((await h.call('GET', '/webchat/api/files/att-svg', (await h.session()).token)).status).toBe(404);
  });

  it('an upload that is not multipart is refused with 400 and says how to send it', async () => {
    const s = await h.session();
    const res = await h.call('POST', '/webchat/api/uploads', s.token, { file: 'nope' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /multipart\/form-data/,
    );
  });
});
