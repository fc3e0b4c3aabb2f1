import type { Attachment } from '../../../../src/db/entities/index.ts';
import { AppError } from '../../../../src/domain/errors.ts';
import { DownloadRefused, guardedFetch, type HostRule, readCapped } from '../../../guarded-download.ts';
import { storeAgentFile } from '../../shared/agent-file.ts';
import type { InboundActivity } from '../ports.ts';
import type { TeamsInboundDeps } from './deps.ts';

/**
 * Files a person attached to a message for the customer, downloaded into Parley's storage so they
 * go with the reply (R29). What Teams gives a bot:
 * - an image pasted into the message: an `image/*` attachment, or in a channel an `<img>` of the
 *   message's HTML, served by the Bot Connector or Teams' media store to the bot's token;
 * - a file attached in the personal chat: a `file.download.info` attachment with a pre-signed
 *   SharePoint/OneDrive link (no token goes there);
 * - a file attached in a channel: a `reference` to the channel's SharePoint folder, which only
 *   Microsoft Graph (with Files.Read.All) can read. Parley does not ask for Graph rights, so such
 *   a reply is refused with what to do instead, rather than sent without its file.
 */

const FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';
const DOWNLOAD_TIMEOUT_MS = 10_000;
export const DEFAULT_MEDIA_HOSTS: readonly HostRule[] = ['*.asm.skype.com'];
export const DEFAULT_FILE_HOSTS: readonly HostRule[] = [
  '*.sharepoint.com',
  '*.sharepoint.us',
  '*.sharepoint.cn',
];

interface FileRef {
  url: string;
  name: string;
  mimeType: string | null;
  /** Send the bot token with it (Teams' own media), or nothing (a pre-signed link). */
  withToken: boolean;
}

/** Whether the message carries files or images (beyond its text). */
export const hasAgentFiles = (a: InboundActivity) =>
  (a.attachments ?? []).some(
    (x) =>
      x.contentType === 'reference' ||
      x.contentType === FILE_DOWNLOAD_INFO ||
      (x.contentType.startsWith('image/') && !!x.contentUrl),
  ) || inlineImages(a).length > 0;

export async function storeAgentFiles(deps: TeamsInboundDeps, a: InboundActivity): Promise<Attachment[]> {
  const shared = a.attachments?.find((x) => x.contentType === 'reference');
  if (shared) {
    throw new AppError(
      'bad_request',
      `Parley cannot fetch "${shared.name ?? 'the file'}" from the channel's SharePoint files. Paste an image into the message instead, or send the file from your chat with Parley: reply there to one of the conversation's messages, with the file attached.`,
    );
  }
  const refs = fileRefs(a);
  if (refs.length === 0) return [];
  const mediaHosts: HostRule[] = [new URL(a.serviceUrl).origin, ...(deps.mediaHosts ?? DEFAULT_MEDIA_HOSTS)];
  const fileHosts = deps.fileHosts ?? DEFAULT_FILE_HOSTS;
  const token = refs.some((r) => r.withToken) ? await deps.botToken() : '';
  const out: Attachment[] = [];
  for (const ref of refs) {
    const hosts = ref.withToken ? mediaHosts : fileHosts;
    const credentials = ref.withToken
      ? { headers: { authorization: `Bearer ${token}` }, to: mediaHosts }
      : undefined;
    const { data, contentType } = await download(deps, ref, hosts, credentials);
    out.push(
      await storeAgentFile(deps.storage, { data, name: ref.name, mimeType: ref.mimeType || contentType }),
    );
  }
  return out;
}

function fileRefs(a: InboundActivity): FileRef[] {
  const refs: FileRef[] = [];
  for (const att of a.attachments ?? []) {
    if (att.contentType === FILE_DOWNLOAD_INFO) {
      const info = att.content as { downloadUrl?: unknown } | undefined;
      const name = att.name ?? 'file';
      if (typeof info?.downloadUrl !== 'string')
        throw new AppError('bad_request', `Teams did not give Parley the file "${name}". Attach it again.`);
      refs.push({ url: info.downloadUrl, name, mimeType: null, withToken: false });
    } else if (att.contentType.startsWith('image/') && att.contentUrl) {
      refs.push({
        url: att.contentUrl,
        name: att.name ?? imageName(att.contentType),
        mimeType: att.contentType,
        withToken: true,
      });
    }
  }
  // In a channel a pasted image is only in the message's HTML: its `<img src>` on Teams' media
  // store. Where Teams gave image attachments, the HTML shows the same images.
  if (refs.some((r) => r.withToken)) return refs;
  for (const src of inlineImages(a)) refs.push({ url: src, name: 'image', mimeType: null, withToken: true });
  return refs;
}

// One tag at a time (`[^>]*` stops at its end): linear in the text.
const IMG_TAG = /<img\b([^>]*)>/gi;

function inlineImages(a: InboundActivity): string[] {
  const html = [
    a.text ?? '',
    ...(a.attachments ?? []).map((x) =>
      x.contentType === 'text/html' && typeof x.content === 'string' ? x.content : '',
    ),
  ];
  const urls = new Set<string>();
  for (const tag of html.join('\n').matchAll(IMG_TAG)) {
    const attrs = tag[1]!;
    // Emoji are images too, drawn from Teams' own static host; only pasted images are the person's.
    if (!/itemtype="http:\/\/schema\.skype\.com\/AMSImage"/i.test(attrs)) continue;
    const src = /\bsrc="([^"]+)"/i.exec(attrs)?.[1];
    if (src) urls.add(src.replace(/&amp;/g, '&'));
  }
  return [...urls];
}

async function download(
  deps: TeamsInboundDeps,
  ref: FileRef,
  hosts: readonly HostRule[],
  credentials: { headers: Record<string, string>; to: readonly HostRule[] } | undefined,
): Promise<{ data: Uint8Array; contentType: string | null }> {
  const label = `The file "${ref.name}"`;
  try {
    const res = await guardedFetch(ref.url, {
      hosts,
      ...(credentials ? { credentials } : {}),
      signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
    });
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`HTTP ${res.status}`);
    }
    const data = await readCapped(res, deps.storage, label);
    return { data, contentType: res.headers.get('content-type') };
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (err instanceof DownloadRefused)
      throw new AppError(
        'bad_request',
        `"${ref.name}" is not on Teams' file hosts, so Parley did not download it.`,
      );
    deps.logger.warn({ err, name: ref.name }, 'teams: could not download a file an agent attached');
    throw new AppError(
      'unavailable',
      `Parley could not download "${ref.name}" from Teams. Try sending it again.`,
    );
  }
}

const imageName = (mime: string) =>
  `image.${mime.slice('image/'.length).replace(/[^a-z0-9]/gi, '') || 'png'}`;
