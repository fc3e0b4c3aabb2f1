import { randomBytes } from 'node:crypto';
import { delay, HttpResponse, http } from 'msw';
import { twilioSignature } from '../../../adapters/channels/sms/signature.ts';
import { expectVendorRefusal, recordVendorProblem } from '../harness-guard.ts';

/**
 * An in-process fake of the parts of Twilio's REST API Parley uses, with Twilio's real shapes:
 * `POST /2010-04-01/Accounts/{sid}/Messages.json` (form), `GET .../Messages.json` (list, newest
 * first), and an MMS MediaUrl that redirects to the file on Twilio's media host. Tests script failures.
 *
 * It refuses what Twilio refuses, with Twilio's error body (`{ code, message, more_info, status }`):
 * bad credentials (20003, HTTP 401), no or an invalid `To` (21604, 21211), no `From` or messaging
 * service (21603), a `From` that is not one of the account's numbers (21606), neither `Body` nor
 * `MediaUrl` (21602), a body over 1,600 characters (21617), a path the fake does not implement
 * (20404). Such requests fail the test (harness-guard.ts) unless it declares the refusal with
 * `expectRefusal('21211')`.
 */
export const TWILIO_URL = 'https://api.twilio.test';
export const ACCOUNT_SID = `AC${'a1'.repeat(16)}`;
export const AUTH_TOKEN = 'f3c9e1b27a4d4c8e9b0a6d5c4b3a2f10';
/** Twilio's media CDN, where a MediaUrl redirects to a short-lived signed URL (msw answers it in-process). */
const MEDIA_HOST = 'https://mms.twiliocdn.com';

/** A Message resource as Twilio returns it (the fields Parley and the tests read). */
export interface FakeMessage {
  sid: string;
  account_sid: string;
  to: string;
  from: string | null;
  messaging_service_sid: string | null;
  body: string;
  status: string;
  direction: 'outbound-api' | 'inbound';
  num_media: string;
  num_segments: string;
  date_created: string;
  date_sent: string | null;
  error_code: number | null;
  error_message: string | null;
  /** Not in Twilio's answer: what the request carried, for tests. */
  form: URLSearchParams;
}

export interface TwilioErrorScript {
  status: number;
  code?: number;
  message?: string;
  retryAfter?: string;
}

type Step =
  | { kind: 'error'; error: TwilioErrorScript }
  | { kind: 'accept-late'; ms: number }
  | { kind: 'network-error' };

export const twilioErrorBody = (e: TwilioErrorScript) => ({
  code: e.code,
  message: e.message ?? 'Error',
  more_info: e.code ? `https://www.twilio.com/docs/errors/${e.code}` : undefined,
  status: e.status,
});

const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');
export const messageSid = () => `SM${randomBytes(16).toString('hex')}`;

/** Twilio's limit on a message body (a longer one is refused, 21617). */
const BODY_MAX = 1600;
const E164 = /^\+[1-9]\d{1,14}$/;

export function twilioFake(
  apiUrl = TWILIO_URL,
  accountSid = ACCOUNT_SID,
  authToken = AUTH_TOKEN,
  opts: {
    /** The account's phone numbers (what `From` may be); any other is refused. Unset: any E.164 number. */
    numbers?: string[];
  } = {},
) {
  /** Messages Twilio has (what a customer could end up receiving), newest last. */
  const messages: FakeMessage[] = [];
  /** Every Messages.json POST, accepted or not. */
  const requests: URLSearchParams[] = [];
  /** `declaredSize: null` streams the file without a Content-Length (chunked). */
  const media = new Map<string, { data: Uint8Array; mimeType: string; declaredSize?: number | null }>();
  /** Authorization headers the media host saw (credentials must not follow the redirect). */
  const mediaHostAuth: (string | null)[] = [];
  const script: Step[] = [];
  const base = `${apiUrl}/2010-04-01/Accounts/:accountSid`;
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;

  /** Twilio refuses a request Parley should not have sent: recorded (fails the test unless expected), answered. */
  const refuse = (request: Request, e: Required<Pick<TwilioErrorScript, 'status' | 'code' | 'message'>>) => {
    recordVendorProblem({
      vendor: 'Twilio',
      refusal: String(e.code),
      what: `Twilio refused ${request.method} ${request.url} with ${e.code}: ${e.message}`,
    });
    return HttpResponse.json(twilioErrorBody(e), { status: e.status });
  };
  const unauthorized = (request: Request, sid: unknown) =>
    request.headers.get('authorization') !== expectedAuth || sid !== accountSid
      ? refuse(request, { status: 401, code: 20003, message: 'Authenticate' })
      : null;
  /** Twilio's checks of a new message, in its order; null: it takes it. */
  const sendProblem = (form: URLSearchParams) => {
    const to = form.get('To');
    const from = form.get('From');
    const service = form.get('MessagingServiceSid');
    const body = form.get('Body') ?? '';
    if (!to) return { code: 21604, message: "A 'To' phone number is required." };
    if (!E164.test(to)) return { code: 21211, message: `Invalid 'To' Phone Number: ${to}` };
    if (!from && !service) return { code: 21603, message: "A 'From' phone number is required." };
    if (from && (!E164.test(from) || (opts.numbers && !opts.numbers.includes(from))))
      return {
        code: 21606,
        message: `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`,
      };
    if (service && !/^MG[0-9a-f]{32}$/i.test(service))
      return { code: 21701, message: `The Messaging Service Sid ${service} is invalid.` };
    if (body === '' && form.getAll('MediaUrl').length === 0 && !form.get('ContentSid'))
      return { code: 21602, message: 'Message body is required.' };
    if (body.length > BODY_MAX)
      return { code: 21617, message: 'The concatenated message body exceeds the 1600 character limit.' };
    return null;
  };

  const handlers = [
    http.post(`${base}/Messages.json`, async ({ request, params }) => {
      const denied = unauthorized(request, params.accountSid);
      if (denied) return denied;
      const form = new URLSearchParams(await request.text());
      requests.push(form);
      const step = script.shift();
      if (step?.kind === 'network-error') return HttpResponse.error();
      if (step?.kind === 'error') {
        const e = step.error;
        const headers: Record<string, string> = e.retryAfter ? { 'retry-after': e.retryAfter } : {};
        return HttpResponse.json(twilioErrorBody(e), { status: e.status, headers });
      }
      const problem = sendProblem(form);
      if (problem) return refuse(request, { status: 400, ...problem });
      const now = new Date();
      const message: FakeMessage = {
        sid: messageSid(),
        account_sid: accountSid,
        to: form.get('To') ?? '',
        from: form.get('From'),
        messaging_service_sid: form.get('MessagingServiceSid'),
        body: form.get('Body') ?? '',
        status: form.get('MessagingServiceSid') ? 'accepted' : 'queued',
        direction: 'outbound-api',
        num_media: String(form.getAll('MediaUrl').length),
        num_segments: form.get('MessagingServiceSid') ? '0' : '1',
        date_created: rfc2822(now),
        date_sent: null,
        error_code: null,
        error_message: null,
        form,
      };
      messages.push(message);
      // Twilio took it, but the answer comes after the caller gave up (a timeout after sending).
      if (step?.kind === 'accept-late') await delay(step.ms);
      const { form: _form, ...resource } = message;
      return HttpResponse.json(resource, { status: 201 });
    }),
    http.get(`${base}/Messages.json`, ({ request, params }) => {
      const denied = unauthorized(request, params.accountSid);
      if (denied) return denied;
      const q = new URL(request.url).searchParams;
      const size = Number(q.get('PageSize') ?? 50);
      const found = messages
        .filter((m) => (!q.get('To') || m.to === q.get('To')) && (!q.get('From') || m.from === q.get('From')))
        .reverse()
        .slice(0, size)
        .map(({ form: _form, ...m }) => m);
      return HttpResponse.json({ messages: found, page: 0, page_size: size, next_page_uri: null });
    }),
    http.get(`${base}/Messages/:messageSid/Media/:mediaSid`, ({ request, params }) => {
      const denied = unauthorized(request, params.accountSid);
      if (denied) return denied;
      const id = String(params.mediaSid);
      if (!media.has(id)) {
        return HttpResponse.json(twilioErrorBody({ status: 404, code: 20404, message: 'Not Found' }), {
          status: 404,
        });
      }
      const signed = `${MEDIA_HOST}/${accountSid}/${id}?Expires=${Math.floor(Date.now() / 1000) + 14_400}`;
      return new HttpResponse(null, { status: 307, headers: { location: signed } });
    }),
    http.get(`${MEDIA_HOST}/:accountSid/:mediaSid`, ({ request, params }) => {
      mediaHostAuth.push(request.headers.get('authorization'));
      const m = media.get(String(params.mediaSid));
      if (!m) return new HttpResponse(null, { status: 404 });
      if (m.declaredSize === null) {
        const data = m.data;
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            for (let i = 0; i < data.byteLength; i += 512) controller.enqueue(data.slice(i, i + 512));
            controller.close();
          },
        });
        return new HttpResponse(stream, { headers: { 'content-type': m.mimeType } });
      }
      return new HttpResponse(m.data as Uint8Array<ArrayBuffer>, {
        headers: {
          'content-type': m.mimeType,
          'content-length': String(m.declaredSize ?? m.data.byteLength),
        },
      });
    }),
    // Anything else under the API: a resource the fake (and so Parley's known use of Twilio) does not have.
    http.all(`${apiUrl}/*`, ({ request }) => {
      const path = new URL(request.url).pathname;
      recordVendorProblem({
        vendor: 'Twilio',
        what: `Parley called ${request.method} ${request.url}, which the Twilio fake does not implement: a wrong path or method, or a gap in tests/support/fakes/twilio.ts`,
      });
      return HttpResponse.json(
        twilioErrorBody({
          status: 404,
          code: 20404,
          message: `The requested resource ${path} was not found`,
        }),
        { status: 404 },
      );
    }),
  ];

  return {
    handlers,
    messages,
    requests,
    mediaHostAuth,
    /** The MediaUrl Twilio puts in an MMS webhook for media it holds. */
    addMedia: (data: Uint8Array, mimeType: string, declaredSize?: number | null) => {
      const mediaSid = `ME${randomBytes(16).toString('hex')}`;
      media.set(mediaSid, { data, mimeType, declaredSize });
      return `${apiUrl}/2010-04-01/Accounts/${accountSid}/Messages/${messageSid()}/Media/${mediaSid}`;
    },
    /** The next Messages.json POST fails with this Twilio error. */
    failNextSend: (error: TwilioErrorScript) => script.push({ kind: 'error', error }),
    /** The next Messages.json POST is rate limited, with Twilio's 429 body (20429) and Retry-After. */
    throttleNextSend: (retryAfter?: string) =>
      script.push({
        kind: 'error',
        error: {
          status: 429,
          code: 20429,
          message: 'Too Many Requests',
          ...(retryAfter ? { retryAfter } : {}),
        },
      }),
    /** This test makes Twilio refuse a request on purpose (`'21211'`…): not a failure, and it must happen. */
    expectRefusal: (code: string | RegExp) => expectVendorRefusal('Twilio', code),
    /** The next POST never gets an answer: the connection drops (Twilio may or may not have it). */
    dropNextSend: () => script.push({ kind: 'network-error' }),
    /** The next POST is accepted, but answered only after `ms`. */
    acceptLateNextSend: (ms: number) => script.push({ kind: 'accept-late', ms }),
    reset: () => {
      messages.length = 0;
      requests.length = 0;
      mediaHostAuth.length = 0;
      script.length = 0;
      media.clear();
    },
  };
}

export type TwilioFake = ReturnType<typeof twilioFake>;

export interface TwilioFormOptions {
  /** undefined: signed correctly; null: no signature header; a string: that header. */
  signature?: string | null;
  contentType?: string;
  /** A raw body instead of the encoded params (the signature still covers `params`). */
  body?: string;
}

/** A webhook form POSTed the way Twilio does, signed with AUTH_TOKEN for `publicUrl` + `path`. */
export function twilioWebhook(
  publicUrl: string,
  path: string,
  params: Record<string, string>,
  opts: TwilioFormOptions = {},
): RequestInit {
  const headers: Record<string, string> = {
    'content-type': opts.contentType ?? 'application/x-www-form-urlencoded',
  };
  const sig =
    opts.signature === undefined
      ? twilioSignature(AUTH_TOKEN, `${publicUrl}${path}`, params)
      : opts.signature;
  if (sig !== null) headers['x-twilio-signature'] = sig;
  return { method: 'POST', headers, body: opts.body ?? new URLSearchParams(params).toString() };
}
