import type { HttpMethod, HttpRouteHandler, IHttpServerAdapter } from '@microsoft/teams.apps';

/**
 * The SDK's transport seam, held open for our own Hono app: the SDK registers its messaging
 * handler here (token check, then the activity pipeline) and messages.route.ts calls it. There is
 * no server of its own to start or stop, and no static files (Parley has no tab pages).
 */
export class HonoHttpAdapter implements IHttpServerAdapter {
  private readonly handlers = new Map<string, HttpRouteHandler>();

  registerRoute(method: HttpMethod, path: string, handler: HttpRouteHandler): void {
    this.handlers.set(`${method} ${path}`, handler);
  }

  /** The handler the SDK registered for `POST path`; the SDK registers it in `app.initialize()`. */
  handler(path: string): HttpRouteHandler {
    const handler = this.handlers.get(`POST ${path}`);
    if (!handler)
      throw new Error(`The Teams SDK registered no handler for POST ${path}; was app.initialize() called?`);
    return handler;
  }
}
