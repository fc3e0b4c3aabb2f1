import { createHash, randomBytes } from 'node:crypto';
import { delay, HttpResponse, http } from 'msw';

/**
 * An in-process fake of the parts of Meta's Graph API Parley uses, with Meta's real shapes:
 * `POST /{phone-number-id}/messages`, `POST /{phone-number-id}/media` (multipart),
 * `GET /{media-id}` (media URL) and the download URL itself. Tests script failures.
 */
export const GRAPH_URL = 'https://graph.facebook.test/v23.0';
export const GRAPH_TOKEN = 'EAAGtestaccesstoken';
/** Meta's media host, where `GET /{media-id}` URLs point (msw answers it in-process). */
const DOWNLOAD_URL = 'https://lookaside.fbsbx.com/whatsapp_business/attachments/';

/** A JSON body as sent; tests inspect it freely. */
// biome-ignore lint/suspicious/noExplicitAny: request bodies are looked into at any depth by tests
export type GraphBody = Record<string, any>;

export interface SentMessage {
  phoneNumberId: string;
  body: GraphBody;
  wamid: string;
}
export interface Upload {
  phoneNumberId: string;
  mediaId: string;
  type: string;
  fileName: string;
  data: Uint8Array;
}
export interface GraphErrorScript {
  status?: number;
  code: number;
  title: string;
  details?: string;
  retryAfter?: string;
}

type Step = { kind: 'error'; error: GraphErrorScript } | { kind: 'accept-late' } | { kind: 'accept' };

export const graphErrorBody = (e: GraphErrorScript) => ({
  error: {
    message: `(#${e.code}) ${e.title}`,
    type: 'OAuthException',
    code: e.code,
    error_data: { messaging_product: 'whatsapp', details: e.details ?? e.title },
    fbtrace_id: 'AbCdEfGh123',
  },
});

export function graphFake(apiUrl = GRAPH_URL, token = GRAPH_TOKEN) {
  const sent: SentMessage[] = [];
  /** Requests Meta received, accepted or not (what a customer could end up seeing). */
  const received: GraphBody[] = [];
  const uploads: Upload[] = [];
  const media = new Map<string, { data: Uint8Array; mimeType: string; declaredSize?: number }>();
  /** Media whose `GET /{media-id}` answers another URL than the media host's (a test's choice). */
  const handedOutUrls = new Map<string, string>();
  const script: Step[] = [];
  const downloads: string[] = [];

  const unauthorized = (request: Request) =>
    request.headers.get('authorization') !== `Bearer ${token}`
      ? HttpResponse.json(
          graphErrorBody({
            status: 401,
            code: 190,
            title: 'Invalid OAuth access token - Cannot parse access token',
          }),
          { status: 401 },
        )
      : null;

  const handlers = [
    http.post(`${apiUrl}/:phoneNumberId/messages`, async ({ request, params }) => {
      const denied = unauthorized(request);
      if (denied) return denied;
      const body = (await request.json()) as GraphBody;
      received.push(body);
      const step = script.shift();
      if (step?.kind === 'error') {
        const e = step.error;
        const headers: Record<string, string> = e.retryAfter ? { 'retry-after': e.retryAfter } : {};
        return HttpResponse.json(graphErrorBody(e), { status: e.status ?? 400, headers });
      }
      const wamid = `wamid.${randomBytes(18).toString('base64url')}`;
      sent.push({ phoneNumberId: String(params.phoneNumberId), body, wamid });
      // Meta took it, but the answer comes too late for the caller (a timeout after sending).
      if (step?.kind === 'accept-late') await delay(3_000);
      const input = body.to ?? body.recipient;
      return HttpResponse.json({
        messaging_product: 'whatsapp',
        contacts: [{ input, wa_id: input }],
        messages: [{ id: wamid, ...(body.type === 'template' ? { message_status: 'accepted' } : {}) }],
      });
    }),
    http.post(`${apiUrl}/:phoneNumberId/media`, async ({ request, params }) => {
      const denied = unauthorized(request);
      if (denied) return denied;
      const form = await request.formData();
      const file = form.get('file');
      if (form.get('messaging_product') !== 'whatsapp' || !(file instanceof File)) {
        return HttpResponse.json(graphErrorBody({ code: 100, title: 'Invalid parameter' }), { status: 400 });
      }
      const mediaId = String(1_000_000_000_000 + uploads.length);
      uploads.push({
        phoneNumberId: String(params.phoneNumberId),
        mediaId,
        type: String(form.get('type')),
        fileName: file.name,
        data: new Uint8Array(await file.arrayBuffer()),
      });
      return HttpResponse.json({ id: mediaId });
    }),
    http.get(`${apiUrl}/:mediaId`, ({ request, params }) => {
      const denied = unauthorized(request);
      if (denied) return denied;
      const id = String(params.mediaId);
      const m = media.get(id);
      if (!m) {
        return HttpResponse.json(
          graphErrorBody({
            code: 100,
            title: 'Invalid parameter',
            details: `Unsupported get request. Object with ID '${id}' does not exist`,
          }),
          { status: 400 },
        );
      }
      return HttpResponse.json({
        messaging_product: 'whatsapp',
        url: handedOutUrls.get(id) ?? `${DOWNLOAD_URL}?mid=${id}&ext=1&hash=abc`,
        mime_type: m.mimeType,
        sha256: createHash('sha256').update(m.data).digest('hex'),
        file_size: m.declaredSize ?? m.data.byteLength,
        id,
      });
    }),
    http.get(DOWNLOAD_URL, ({ request }) => {
      const denied = unauthorized(request);
      if (denied) return denied;
      const id = new URL(request.url).searchParams.get('mid') ?? '';
      const m = media.get(id);
      if (!m) return new HttpResponse(null, { status: 404 });
      downloads.push(id);
      return new HttpResponse(m.data as Uint8Array<ArrayBuffer>, { headers: { 'content-type': m.mimeType } });
    }),
  ];

  return {
    handlers,
    sent,
    received,
    uploads,
    downloads,
    /** A customer's media Meta holds under `id`; `declaredSize` lets a test lie about its size. */
    addMedia: (id: string, data: Uint8Array, mimeType: string, declaredSize?: number) =>
      media.set(id, { data, mimeType, declaredSize }),
    /** `GET /{id}` answers `url` as the media's download link (a link off Meta's media host). */
    handOutUrl: (id: string, url: string) => handedOutUrls.set(id, url),
    /** The next `/messages` call is accepted as usual (to script a later call). */
    acceptNextSend: () => script.push({ kind: 'accept' }),
    /** The next `/messages` call fails with this Graph error. */
    failNextSend: (error: GraphErrorScript) => script.push({ kind: 'error', error }),
    /** The next `/messages` call is accepted, but answered only after the caller gave up. */
    acceptLateNextSend: () => script.push({ kind: 'accept-late' }),
    reset: () => {
      sent.length = 0;
      received.length = 0;
      uploads.length = 0;
      downloads.length = 0;
      script.length = 0;
      media.clear();
      handedOutUrls.clear();
    },
  };
}

export type GraphFake = ReturnType<typeof graphFake>;
