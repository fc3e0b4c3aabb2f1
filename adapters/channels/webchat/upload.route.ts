import { Hono } from 'hono';
import { WebchatUpload } from '../../../src/db/entities/index.ts';
import type { AppEnv } from '../../../src/http/env.ts';
import { newStorageKey, type Storage, tooLarge, withinLimit } from '../../../src/ports/storage.ts';
import { storable } from '../../../src/use-cases/input.ts';
import { clientIp } from './client-ip.ts';
import { cleanType, kindOf } from './file-types.ts';
import { type FormLimits, readFilePart } from './multipart-file.ts';
import type { WebchatPolicy } from './policy.ts';
import { authenticate } from './sessions.ts';

/** Room for the multipart envelope around the file (part headers, boundaries). */
const MULTIPART_OVERHEAD = 16 * 1024;

/**
 * `POST /webchat/api/uploads` (multipart, field `file`): the file is streamed to storage as it
 * arrives, and the size limit is enforced while streaming. A body over the limit (413) or cut
 * off (400) leaves nothing stored: not the file, not its row.
 */
export function uploadRoute(storage: Storage, policy: WebchatPolicy): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/webchat/api/uploads', async (c) => {
    const em = c.get('em');
    await policy.limits.count('uploads', 'ip', clientIp(c, policy.trustProxyHops));
    const { session } = await authenticate(c, policy);
    await policy.limits.count('uploads', 'widget', session.endpoint.address);
    // Refused before the file is read when the size is announced: only the part's header is
    // read, for the file's name. The size shown is the body's (the file and its small envelope).
    const limits = { fileBytes: storage.maxBytes, bodyBytes: storage.maxBytes + MULTIPART_OVERHEAD };
    const announced = Number(c.req.header('Content-Length') ?? 0);
    if (announced > limits.bodyBytes) throw tooLarge(storage, await fileNameOf(c.req.raw, limits), announced);

    const part = await readFilePart(c.req.raw, 'file', limits);
    const name = shownName(part.filename);
    const mimeType = cleanType(part.contentType);
    const storageKey = `webchat/${newStorageKey()}`;
    let stored = false;
    try {
      const { size } = await storage.putStream(
        storageKey,
        withinLimit(storage, part.body, `"${name}"`),
        mimeType,
      );
      stored = true;
      await part.finish();
      const upload = em.create(WebchatUpload, {
        session,
        storageKey,
        kind: kindOf(mimeType),
        name,
        mimeType,
        size,
      });
      await em.flush();
      return c.json({ id: upload.id, kind: upload.kind, name, mimeType, size }, 201);
    } catch (err) {
      part.cancel();
      if (stored) await storage.delete(storageKey);
      throw err;
    }
  });
  return app;
}

/** A file name as stored and shown: plain text, at most 200 characters. */
const shownName = (filename: string) => (storable(filename) || 'file').slice(0, 200);

/**
 * The quoted name of the form's file, from its part header (in the body's first chunk, after
 * which reading stops); "The file" when there is none.
 */
async function fileNameOf(request: Request, limits: FormLimits): Promise<string> {
  const part = await readFilePart(request, 'file', limits).catch(() => null);
  part?.cancel();
  return part?.filename ? `"${shownName(part.filename)}"` : 'The file';
}
