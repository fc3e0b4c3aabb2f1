import { HttpResponse, http } from 'msw';
import type { TeamsActivity, TeamsCall, TeamsState } from './fake-teams-state.ts';
import { recordVendorProblem } from './harness-guard.ts';

/**
 * The one Microsoft Graph call Parley's Teams surface makes (fake-teams.ts holds the state):
 * `GET /teams/{team}/channels/{channel}/messages/{root}/replies`, which an app may call with an
 * app-only token where the team granted it ChannelMessage.Read.Group. Replies come as Graph's
 * chatMessage (`from.application` for a bot, `from.user` for a person; a card as its JSON text in
 * `attachments[].content`), 50 a page with `@odata.nextLink`; deleted replies are not listed.
 */
export const TEAMS_GRAPH_URL = 'https://graph.teams.test/v1.0';
const PAGE = 50;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const graphError = (status: number, code: string, message: string) =>
  HttpResponse.json({ error: { code, message, innerError: {} } }, { status });

export function graphHandlers(deps: {
  state: TeamsState;
  appId: string;
  refused: Set<string>;
  calls: TeamsCall[];
  injected: (call: TeamsCall, carryOut: () => Response) => Promise<Response | null>;
}) {
  const asGraph = (a: TeamsActivity) => ({
    id: a.id,
    replyToId: a.conversation.split(';messageid=')[1] ?? null,
    messageType: 'message',
    deletedDateTime: null,
    from: a.byBot
      ? { application: { id: deps.appId, displayName: 'Parley', applicationIdentityType: 'bot' }, user: null }
      : { application: null, user: { id: a.from.aadObjectId, displayName: a.from.name } },
    body: { contentType: 'html', content: a.text ?? '' },
    attachments: (a.attachments ?? []).map((att, i) => ({
      id: `${a.id}-${i}`,
      contentType: att.contentType,
      content: att.content === undefined ? null : JSON.stringify(att.content),
      contentUrl: att.contentUrl ?? null,
      name: att.name ?? null,
    })),
  });

  /** One page of a list, 50 at a time, with Graph's `@odata.nextLink`. */
  const paged = (request: Request, all: TeamsActivity[]) => {
    const skip = Number(new URL(request.url).searchParams.get('$skiptoken') ?? 0);
    const page = all.slice(skip, skip + PAGE).map(asGraph);
    const url = new URL(request.url);
    url.searchParams.set('$skiptoken', String(skip + PAGE));
    const next = skip + PAGE < all.length ? { '@odata.nextLink': url.toString() } : {};
    return HttpResponse.json({ '@odata.count': page.length, value: page, ...next });
  };
  /** The checks every Graph call passes first: a refusal, or null. */
  const refusal = (request: Request, team: string): Response | null => {
    if (!/^Bearer \S+/.test(request.headers.get('authorization') ?? '')) {
      recordVendorProblem({ vendor: 'Graph', what: `Parley read ${request.url} without a bearer token` });
      return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    }
    if (!GUID.test(team)) {
      recordVendorProblem({
        vendor: 'Graph',
        what: `Parley read ${request.url}: team id ${team} is not a group id`,
      });
      return graphError(400, 'BadRequest', 'Invalid team id.');
    }
    return null;
  };
  const forbidden = () => graphError(403, 'Forbidden', 'Missing role permissions on the request.');
  const param = (v: unknown) => decodeURIComponent(String(v));

  return [
    // The channel's posts (their roots), newest first.
    http.get(`${TEAMS_GRAPH_URL}/teams/:team/channels/:channel/messages`, async ({ request, params }) => {
      const [team, channel] = [param(params.team), param(params.channel)];
      const call: TeamsCall = {
        op: 'posts',
        method: 'GET',
        conversation: channel,
        activityId: null,
        body: null,
      };
      deps.calls.push(call);
      const list = (): Response => {
        if (deps.refused.has(team)) return forbidden();
        const roots = deps.state.posts.filter((p) => p.channel === channel && p.root).map((p) => p.root!);
        return paged(request, roots.reverse());
      };
      return refusal(request, team) ?? (await deps.injected(call, list)) ?? list();
    }),
    // One post's replies, oldest first.
    http.get(
      `${TEAMS_GRAPH_URL}/teams/:team/channels/:channel/messages/:root/replies`,
      async ({ request, params }) => {
        const [team, channel, root] = [param(params.team), param(params.channel), param(params.root)];
        const thread = `${channel};messageid=${root}`;
        const call: TeamsCall = {
          op: 'replies',
          method: 'GET',
          conversation: thread,
          activityId: null,
          body: null,
        };
        deps.calls.push(call);
        const list = (): Response => {
          if (deps.refused.has(team)) return forbidden();
          const post = deps.state.postOf(thread);
          return post ? paged(request, post.replies) : graphError(404, 'NotFound', 'Message not found.');
        };
        return refusal(request, team) ?? (await deps.injected(call, list)) ?? list();
      },
    ),
  ];
}
