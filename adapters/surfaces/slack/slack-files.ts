import type { Attachment } from '../../../src/db/entities/index.ts';
import { AppError } from '../../../src/domain/errors.ts';
import { assertSize, type Storage } from '../../../src/ports/storage.ts';
import { DownloadRefused, guardedFetch, type HostRule, readCapped } from '../../guarded-download.ts';
import { storeAgentFile } from '../shared/agent-file.ts';

/** A file shared in a Slack message (the fields Parley reads). */
export interface SlackFile {
  id: string;
  name?: string;
  title?: string;
  mimetype?: string;
  size?: number;
  url_private_download?: string;
  url_private?: string;
  mode?: string;
}

const DOWNLOAD_TIMEOUT_MS = 10_000;

/**
 * Where Slack serves files: `files.slack.com`, and `files.` + the host of SLACK_API_URL (GovSlack's
 * `files.slack-gov.com` for `https://slack-gov.com/api/`, a fake's for a fake), so the bot token
 * goes to Slack's file hosts and nowhere else, whatever URL an event carries.
 */
export function slackFileHosts(apiUrl: string): HostRule[] {
  const apiHost = new URL(apiUrl).hostname.replace(/^(www|api)\./, '');
  return [...new Set(['files.slack.com', `files.${apiHost}`])];
}

/**
 * Files an agent attached to a thread message, downloaded with the bot token into storage so they
 * can go to the customer with the reply. Refuses (AppError) rather than sending a reply without them.
 */
export async function storeSlackFiles(
  files: readonly SlackFile[],
  deps: { storage: Storage; botToken: string; fileHosts: readonly HostRule[] },
): Promise<Attachment[]> {
  const out: Attachment[] = [];
  for (const f of files) {
    const url = f.url_private_download ?? f.url_private;
    const name = f.name ?? f.title ?? 'file';
    const label = `The file "${name}"`;
    if (!url || f.mode === 'tombstone' || f.mode === 'hidden_by_limit') {
      throw new AppError('bad_request', `Slack did not give Parley the file "${name}". Attach it again.`);
    }
    if (f.size !== undefined) assertSize(deps.storage, f.size, label);
    const { data, contentType } = await download(url, name, deps).catch((err: unknown) => {
      if (err instanceof AppError) throw err;
      if (err instanceof DownloadRefused) {
        throw new AppError(
          'bad_request',
          `"${name}" is not on Slack's file hosts, so Parley did not download it.`,
        );
      }
      throw new AppError(
        'unavailable',
        `Parley could not download "${name}" from Slack. Try sending it again.`,
      );
    });
    out.push(await storeAgentFile(deps.storage, { data, name, mimeType: f.mimetype || contentType }));
  }
  return out;
}

async function download(
  url: string,
  name: string,
  deps: { storage: Storage; botToken: string; fileHosts: readonly HostRule[] },
): Promise<{ data: Uint8Array; contentType: string | null }> {
  const res = await guardedFetch(url, {
    hosts: deps.fileHosts,
    credentials: { headers: { authorization: `Bearer ${deps.botToken}` }, to: deps.fileHosts },
    signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
  });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`HTTP ${res.status}`);
  }
  const data = await readCapped(res, deps.storage, `The file "${name}"`);
  return { data, contentType: res.headers.get('content-type') };
}
