import { createHash, randomBytes } from 'node:crypto';
import { delay, HttpResponse, http } from 'msw';
import { expectVendorRefusal, recordVendorProblem } from '../harness-guard.ts';

/**
 * An in-process fake of the parts of Meta's Graph API Parley uses, with Meta's real shapes:
 * `POST /{phone-number-id}/messages`, `POST /{phone-number-id}/media` (multipart),
 * `GET /{media-id}` (media URL) and the download URL itself. Tests script failures.
 *
 * It refuses what Meta refuses, with Meta's error body (`{ error: { message, type, code,
 * error_subcode, error_data, fbtrace_id } }`): a wrong or missing token (190, HTTP 401), a phone
 * number id Meta does not know (100 / subcode 33), a message missing what its type needs or over
 * WhatsApp's limits (100, invalid parameter), a path the fake does not implement. Such requests
 * fail the test (harness-guard.ts) unless it declares the refusal with `expectRefusal('190')`.
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
  /** Meta's `error_subcode`, where it gives one. */
  subcode?: number;
  /** Meta's `type` (OAuthException unless said). */
  type?: string;
  /** The whole `message` when it is not `(#code) title` (Meta's GraphMethodException messages). */
  message?: string;
}

type Step = { kind: 'error'; error: GraphErrorScript } | { kind: 'accept-late' } | { kind: 'accept' };

export const graphErrorBody = (e: GraphErrorScript) => ({
  error: {
    message: e.message ?? `(#${e.code}) ${e.title}`,
    type: e.type ?? 'OAuthException',
    code: e.code,
    ...(e.subcode !== undefined ? { error_subcode: e.subcode } : {}),
    ...(e.type === 'GraphMethodException'
      ? {}
      : { error_data: { messaging_product: 'whatsapp', details: e.details ?? e.title } }),
    fbtrace_id: `A${randomBytes(9).toString('base64url')}`,
  },
});

/** What Meta answers for an object it does not know, or a path it does not serve (GraphMethodException 100/33). */
const unsupported = (verb: 'get' | 'post', id: string): GraphErrorScript => ({
  code: 100,
  subcode: 33,
  type: 'GraphMethodException',
  title: 'Unsupported request',
  message: `Unsupported ${verb} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
});

/** Meta's throughput limits: 130429 (Cloud API throughput reached), 80007 (the WABA's rate limit). */
const THROTTLES: Record<130429 | 80007, GraphErrorScript> = {
  130429: {
    status: 400,
    code: 130429,
    title: 'Rate limit hit',
    details: 'Cloud API message throughput has been reached.',
  },
  80007: {
    status: 400,
    code: 80007,
    title: 'Rate limit issues',
    details: 'The WhatsApp Business Account has reached its rate limit.',
  },
};

const TEXT_MAX = 4096;
const CAPTION_MAX = 1024;
const MEDIA_TYPES = new Set(['image', 'audio', 'video', 'document', 'sticker']);
const MESSAGE_TYPES = new Set([
  ...MEDIA_TYPES,
  'text',
  'template',
  'location',
  'contacts',
  'interactive',
  'reaction',
]);
/** WhatsApp's media size limits (bytes) for uploads. */
const MEDIA_MAX: Record<string, number> = {
  image: 5 * 1024 * 1024,
  audio: 16 * 1024 * 1024,
  video: 16 * 1024 * 1024,
  document: 100 * 1024 * 1024,
  sticker: 500 * 1024,
};

/** What is wrong with a `/messages` body, as Meta's invalid-parameter details say it; null: nothing. */
function messageProblem(body: GraphBody): string | null {
  if (body.messaging_product !== 'whatsapp') return 'The parameter messaging_product is required.';
  if (body.status === 'read') return body.message_id ? null : 'The parameter message_id is required.';
  if (!body.to && !body.recipient) return 'The parameter to is required.';
  const type = body.type ?? 'text';
  if (!MESSAGE_TYPES.has(type)) return `Param type must be one of {${[...MESSAGE_TYPES].join(', ')}}.`;
  const part = body[type];
  if (part === undefined || part === null) return `The parameter ${type} is required.`;
  if (type === 'text') {
    if (typeof part.body !== 'string' || part.body.length === 0)
      return "The parameter text['body'] is required.";
    if ([...part.body].length > TEXT_MAX)
      return `Param text['body'] must be at most ${TEXT_MAX} characters long.`;
  }
  if (MEDIA_TYPES.has(type)) {
    if (!part.id && !part.link) return `Param ${type} must contain either id or link.`;
    if (typeof part.caption === 'string' && [...part.caption].length > CAPTION_MAX)
      return `Param ${type}['caption'] must be at most ${CAPTION_MAX} characters long.`;
  }
  if (type === 'template' && (!part.name || !part.language?.code))
    return "The parameters template['name'] and template['language']['code'] are required.";
  if (type === 'location' && (part.latitude === undefined || part.longitude === undefined))
    return "The parameters location['latitude'] and location['longitude'] are required.";
  return null;
}

export function graphFake(
  apiUrl = GRAPH_URL,
  token = GRAPH_TOKEN,
  opts: {
    /** The business's phone number ids Meta knows; any other is refused. Unset: every id is known. */
    phoneNumberIds?: string[];
  } = {},
) {
  const sent: SentMessage[] = [];
  /** Requests Meta received, accepted or not (what a customer could end up seeing). */
  const received: GraphBody[] = [];
  const uploads: Upload[] = [];
  const media = new Map<string, { data: Uint8Array; mimeType: string; declaredSize?: number }>();
  /** Media whose `GET /{media-id}` answers another URL than the media host's (a test's choice). */
  const handedOutUrls = new Map<string, string>();
  const script: Step[] = [];
  const downloads: string[] = [];
  const knownNumbers = opts.phoneNumberIds ? new Set(opts.phoneNumberIds) : null;

  /** Meta refuses a request Parley should not have sent: recorded (fails the test unless expected), answered. */
  const refuse = (request: Request, e: GraphErrorScript) => {
    recordVendorProblem({
      vendor: 'Meta Graph API',
      refusal: String(e.code),
      what: `Meta refused ${request.method} ${request.url} with (#${e.code}${e.subcode ? `/${e.subcode}` : ''}) ${e.details ?? e.message ?? e.title}`,
    });
    return HttpResponse.json(graphErrorBody(e), { status: e.status ?? 400 });
  };
  const unauthorized = (request: Request) =>
    request.headers.get('authorization') !== `Bearer ${token}`
      ? refuse(request, {
          status: 401,
          code: 190,
          title: 'Invalid OAuth access token - Cannot parse access token',
          message: 'Invalid OAuth access token - Cannot parse access token',
        })
      : null;
  const unknownNumber = (request: Request, id: string) =>
    knownNumbers && !knownNumbers.has(id) ? refuse(request, unsupported('post', id)) : null;

  const handlers = [
    http.post(`${apiUrl}/:phoneNumberId/messages`, async ({ request, params }) => {
      const denied = unauthorized(request) ?? unknownNumber(request, String(params.phoneNumberId));
      if (denied) return denied;
      const body = (await request.json()) as GraphBody;
      received.push(body);
      const step = script.shift();
      if (step?.kind === 'error') {
        const e = step.error;
        const headers: Record<string, string> = e.retryAfter ? { 'retry-after': e.retryAfter } : {};
        return HttpResponse.json(graphErrorBody(e), { status: e.status ?? 400, headers });
      }
      const problem = messageProblem(body);
      if (problem) return refuse(request, { code: 100, title: 'Invalid parameter', details: problem });
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
      const denied = unauthorized(request) ?? unknownNumber(request, String(params.phoneNumberId));
      if (denied) return denied;
      const form = await request.formData();
      const file = form.get('file');
      if (form.get('messaging_product') !== 'whatsapp' || !(file instanceof File) || !form.get('type')) {
        return refuse(request, {
          code: 100,
          title: 'Invalid parameter',
          details: 'The parameters messaging_product, file and type are required.',
        });
      }
      const kind =
        String(form.get('type')).split('/')[0] === 'application'
          ? 'document'
          : String(form.get('type')).split('/')[0]!;
      const max = MEDIA_MAX[kind] ?? MEDIA_MAX.document!;
      if (file.size > max) {
        return refuse(request, {
          code: 131053,
          title: 'Media upload error',
          details: `The ${kind} is ${file.size} bytes; WhatsApp takes at most ${max}.`,
        });
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
    // Anything else under the API: a path the fake (and so Parley's known use of Graph) does not have.
    http.all(`${apiUrl}/*`, ({ request }) => {
      const path = new URL(request.url).pathname;
      recordVendorProblem({
        vendor: 'Meta Graph API',
        what: `Parley called ${request.method} ${request.url}, which the Graph fake does not implement: a wrong path or method, or a gap in tests/support/fakes/graph.ts`,
      });
      const verb = request.method === 'GET' ? 'get' : 'post';
      return HttpResponse.json(
        graphErrorBody(unsupported(verb, path.split('/').filter(Boolean).at(-2) ?? path)),
        {
          status: 400,
        },
      );
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
    /** The next `/messages` call hits one of Meta's throughput limits (130429 or 80007), with Meta's body. */
    throttleNextSend: (code: 130429 | 80007 = 130429, retryAfter?: string) =>
      script.push({ kind: 'error', error: { ...THROTTLES[code], ...(retryAfter ? { retryAfter } : {}) } }),
    /** This test makes Meta refuse a request on purpose (`'190'`, `'100'`…): not a failure, and it must happen. */
    expectRefusal: (code: string | RegExp) => expectVendorRefusal('Meta Graph API', code),
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
