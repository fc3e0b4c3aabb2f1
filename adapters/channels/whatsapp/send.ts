import type { Attachment } from '../../../src/db/entities/index.ts';
import { AppError } from '../../../src/domain/errors.ts';
import type { OutboundMessage, SendResult } from '../../../src/ports/customer-channel.ts';
import { assertSize, type Storage } from '../../../src/ports/storage.ts';
import { GraphNetworkError, NotSentYetError, PartialSendError } from './errors.ts';
import { type GraphClient, graphFetch, graphJson } from './graph.ts';
import { surveyPart } from './survey.ts';
import { templatePayload } from './templates.ts';

/**
 * Sends one Parley message through `POST /{phone-number-id}/messages`. A WhatsApp message carries
 * one medium, so text plus several attachments become several WhatsApp messages (the text rides
 * as the first caption where it fits). Media are uploaded first, so a failure there sends nothing.
 * Every part carries our message id in `biz_opaque_callback_data`: Meta echoes it in status
 * callbacks, which settles a send whose answer was lost.
 */
export interface SendDeps {
  graph: GraphClient;
  storage: Storage;
}

type Part = Record<string, unknown> & { type: string };

const CAPTION_MAX = 1024;
const captioned = new Set(['image', 'video', 'document']);
const mediaType: Partial<Record<Attachment['kind'], string>> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  sticker: 'sticker',
  document: 'document',
  file: 'document',
};

export async function sendWhatsApp(deps: SendDeps, out: OutboundMessage): Promise<SendResult> {
  const phoneNumberId = out.endpoint.address;
  const parts = await buildParts(deps, out);
  if (parts.length === 0)
    throw new AppError('bad_request', 'The message has no text, template or attachment to send.');
  const ids: string[] = [];
  for (const part of parts) {
    try {
      ids.push(
        await postMessage(deps.graph, phoneNumberId, {
          ...recipient(out.to.address),
          ...part,
          biz_opaque_callback_data: out.messageId,
        }),
      );
    } catch (err) {
      if (ids.length === 0) throw err;
      throw new PartialSendError(ids.length, parts.length, err);
    }
  }
  return { providerMessageId: ids[0]!, ...(ids.length > 1 ? { meta: { whatsappMessageIds: ids } } : {}) };
}

/** A phone number goes in `to`; a business-scoped user id (no number known) in `recipient`. */
function recipient(address: string): Record<string, string> {
  const digits = address.replace(/^\+/, '');
  return /^\d+$/.test(digits) ? { to: digits } : { recipient: address };
}

async function postMessage(
  graph: GraphClient,
  phoneNumberId: string,
  part: Record<string, unknown>,
): Promise<string> {
  const res = await graphFetch(graph, `${encodeURIComponent(phoneNumberId)}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', ...part }),
  });
  // Meta answered 2xx: it has the message, even if the answer cannot be read.
  const body = (await res.json().catch(() => null)) as { messages?: { id?: string }[] } | null;
  const id = body?.messages?.[0]?.id;
  if (!id)
    throw new GraphNetworkError('WhatsApp accepted the request but its answer has no message id', true);
  return id;
}

async function buildParts(deps: SendDeps, out: OutboundMessage): Promise<Part[]> {
  if (out.template)
    return [{ type: 'template', template: templatePayload(out.template, out.endpoint.settings) }];
  if (out.survey && out.text) return [surveyPart(out.survey.id, out.text)];
  const text = out.text?.trim() ? out.text : undefined;
  const attachments = out.attachments ?? [];
  const captionFor = attachments.findIndex((a) => captioned.has(mediaType[a.kind] ?? ''));
  const textAsCaption = text !== undefined && captionFor >= 0 && [...text].length <= CAPTION_MAX;
  const parts: Part[] = [];
  if (text !== undefined && !textAsCaption)
    parts.push({ type: 'text', text: { body: text, preview_url: false } });
  for (const [i, a] of attachments.entries()) {
    parts.push(
      await attachmentPart(
        deps,
        out.endpoint.address,
        a,
        textAsCaption && i === captionFor ? text : undefined,
      ),
    );
  }
  return parts;
}

async function attachmentPart(
  deps: SendDeps,
  phoneNumberId: string,
  a: Attachment,
  caption?: string,
): Promise<Part> {
  if (a.kind === 'location') {
    if (a.latitude === undefined || a.longitude === undefined) {
      throw new AppError('bad_request', 'A location attachment needs a latitude and a longitude.');
    }
    const place = {
      latitude: a.latitude,
      longitude: a.longitude,
      ...(a.name ? { name: a.name } : {}),
      ...(a.caption ? { address: a.caption } : {}),
    };
    return { type: 'location', location: place };
  }
  const type = mediaType[a.kind];
  if (!type)
    throw new AppError(
      'channel_refused',
      `Parley cannot send a ${a.kind} attachment on WhatsApp; send it as a file.`,
    );
  const id = await uploadMedia(deps, phoneNumberId, a);
  const cap = caption ?? a.caption;
  const media = {
    id,
    ...(cap && captioned.has(type) ? { caption: cap } : {}),
    ...(type === 'document' && a.name ? { filename: a.name } : {}),
  };
  return { type, [type]: media };
}

/** `POST /{phone-number-id}/media` (multipart) with the bytes from storage; answers the media id. */
async function uploadMedia(deps: SendDeps, phoneNumberId: string, a: Attachment): Promise<string> {
  const label = a.name ? `The attachment "${a.name}"` : 'The attachment';
  if (!a.storageKey) throw new AppError('bad_request', `${label} was never stored, so it cannot be sent.`);
  let stored: Awaited<ReturnType<Storage['get']>>;
  try {
    stored = await deps.storage.get(a.storageKey);
  } catch (err) {
    throw new NotSentYetError(
      `Could not read ${label.toLowerCase()} from storage: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (!stored) throw new AppError('not_found', `${label} is no longer in storage; attach it again.`);
  assertSize(deps.storage, stored.data.byteLength, label);
  const contentType = a.mimeType ?? stored.contentType;
  const form = new FormData();
  form.set('messaging_product', 'whatsapp');
  form.set('type', contentType);
  form.set(
    'file',
    new Blob([stored.data as Uint8Array<ArrayBuffer>], { type: contentType }),
    a.name ?? 'attachment',
  );
  let uploaded: { id?: string };
  try {
    uploaded = await graphJson(deps.graph, `${encodeURIComponent(phoneNumberId)}/media`, {
      method: 'POST',
      body: form,
    });
  } catch (err) {
    // No message has gone out yet, so even a lost answer is safe to retry.
    if (err instanceof GraphNetworkError)
      throw new NotSentYetError(`Uploading ${label.toLowerCase()} to WhatsApp failed: ${err.message}`, {
        cause: err,
      });
    throw err;
  }
  if (!uploaded.id) throw new NotSentYetError('WhatsApp accepted the media upload but gave no media id.');
  return uploaded.id;
}
