import { retryAfterMs } from '../../vendor-http.ts';
import { readItemMarker } from './cards/card-kit.ts';

/**
 * Reading a channel post's replies back, which the Bot Connector cannot do: Microsoft Graph's
 * `GET /teams/{team}/channels/{channel}/messages/{root}/replies`, with an app-only Graph token and
 * the resource-specific permission ChannelMessage.Read.Group the app asks for in its manifest
 * (granted per team when the app is installed there). Used to find a post whose send got no
 * answer (by the card's hidden mark, cards/card-kit.ts) and to find every reply of the app's
 * when a thread is removed.
 *
 * Personal chats cannot be read this way: listing a 1:1 chat's messages needs the tenant-wide,
 * protected Chat.Read.All, which Parley does not ask for. There, and in a team whose owner
 * refused the permission, a look is `impossible` and the caller takes the safe side.
 */
export interface TeamsGraph {
  /** Graph's versioned base URL (`https://graph.microsoft.com/v1.0`, the cloud's). */
  url: string;
  /** An app-only token for Graph (token.ts with the cloud's Graph scope). */
  token: () => Promise<string>;
  /** The bot's app id: its posts are those `from.application.id` names. */
  appId: string;
  timeoutMs?: number;
}

export interface GraphReply {
  id: string;
  byApp: boolean;
  /** The Parley message ids of a post the app drew for timeline items (its card's mark). */
  itemIds: string[] | null;
  /** The `id` of the app's card in it (a header card's mark), if any. */
  cardId: string | null;
}

export type RepliesRead =
  | { state: 'read'; replies: GraphReply[] }
  /** Not now (rate limit, Graph unavailable): try again after a while. */
  | { state: 'unknown'; reason: string; retryAfterMs: number }
  /** Never, as things are set up (no team id, permission refused, post gone). */
  | { state: 'impossible'; reason: string };

interface GraphMessage {
  id: string;
  from?: { application?: { id?: string } | null } | null;
  deletedDateTime?: string | null;
  attachments?: { contentType?: string; content?: string | null }[];
}

/** How long Graph may take to list a message Teams accepted: absence is believed only after it. */
export const GRAPH_SETTLE_MS = 60_000;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RETRY_MS = 10_000;
/** Pages read at most (50 replies each): a thread longer than Teams keeps in one post is not looked through. */
const MAX_PAGES = 100;
const RECENT_PAGES = 4;

export function readReplies(
  graph: TeamsGraph | undefined,
  where: { team?: string; channel?: string; root: string },
): Promise<RepliesRead> {
  return readMessages(graph, where, ['messages', where.root, 'replies'], MAX_PAGES);
}

/**
 * The channel's newest posts (their roots), newest first as Graph lists them: a few pages, enough
 * to find a post made minutes ago.
 */
export function readRecentPosts(
  graph: TeamsGraph | undefined,
  where: { team?: string; channel?: string },
): Promise<RepliesRead> {
  return readMessages(graph, where, ['messages'], RECENT_PAGES, true);
}

async function readMessages(
  graph: TeamsGraph | undefined,
  where: { team?: string; channel?: string },
  below: string[],
  maxPages: number,
  partial = false,
): Promise<RepliesRead> {
  if (!graph) return { state: 'impossible', reason: 'Graph lookups are not configured' };
  if (!where.team || !GUID.test(where.team) || !where.channel)
    return { state: 'impossible', reason: "the group's Teams team id is not a Microsoft 365 group id" };
  const path = ['teams', where.team, 'channels', where.channel, ...below].map(encodeURIComponent).join('/');
  let next: string | null = `${graph.url}/${path}?$top=50`;
  const replies: GraphReply[] = [];
  for (let page = 0; next; page++) {
    if (page >= maxPages)
      return partial
        ? { state: 'read', replies }
        : { state: 'impossible', reason: 'too many messages to look through' };
    const got = await readPage(graph, next);
    if ('state' in got) return got;
    replies.push(...got.value.filter((m) => !m.deletedDateTime).map((m) => reply(graph, m)));
    next = got.nextLink?.startsWith(`${graph.url}/`) ? got.nextLink : null;
  }
  return { state: 'read', replies };
}

async function readPage(
  graph: TeamsGraph,
  url: string,
): Promise<{ value: GraphMessage[]; nextLink: string | null } | Exclude<RepliesRead, { state: 'read' }>> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { authorization: `Bearer ${await graph.token()}`, accept: 'application/json' },
      signal: AbortSignal.timeout(graph.timeoutMs ?? 15_000),
    });
  } catch (err) {
    return {
      state: 'unknown',
      reason: `Graph could not be read (${(err as Error).message})`,
      retryAfterMs: RETRY_MS,
    };
  }
  if (res.status === 429 || res.status >= 500) {
    const wait = retryAfterMs(res.headers.get('retry-after')) ?? RETRY_MS;
    return { state: 'unknown', reason: `Graph answered ${res.status}`, retryAfterMs: wait };
  }
  if (!res.ok) {
    const reason =
      res.status === 403 || res.status === 401
        ? "Graph refused to read the team's channel messages (ChannelMessage.Read.Group not granted)"
        : `Graph answered ${res.status}`;
    return { state: 'impossible', reason };
  }
  const body = (await res.json().catch(() => null)) as {
    value?: GraphMessage[];
    '@odata.nextLink'?: string;
  } | null;
  if (!Array.isArray(body?.value))
    return { state: 'unknown', reason: 'Graph answered no list', retryAfterMs: RETRY_MS };
  return { value: body.value, nextLink: body['@odata.nextLink'] ?? null };
}

function reply(graph: TeamsGraph, m: GraphMessage): GraphReply {
  const byApp = m.from?.application?.id === graph.appId;
  const card = m.attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive');
  const content = byApp && card?.content ? card.content : null;
  return {
    id: m.id,
    byApp,
    itemIds: content ? readItemMarker(content) : null,
    cardId: content ? cardIdOf(content) : null,
  };
}

function cardIdOf(json: string): string | null {
  try {
    const id = (JSON.parse(json) as { id?: unknown }).id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

/** Graph's host in each Microsoft cloud (TEAMS_CLOUD): where teams-lookup.ts reads and what token it asks for. */
const GRAPH_HOSTS = {
  public: 'https://graph.microsoft.com',
  usgov: 'https://graph.microsoft.us',
  usgovdod: 'https://dod-graph.microsoft.us',
  china: 'https://microsoftgraph.chinacloudapi.cn',
} as const;

/** The cloud's Graph base URL (v1.0) and the app-only token scope for it. */
export function graphEndpoint(cloud: keyof typeof GRAPH_HOSTS): { url: string; scope: string } {
  const host = GRAPH_HOSTS[cloud];
  return { url: `${host}/v1.0`, scope: `${host}/.default` };
}
