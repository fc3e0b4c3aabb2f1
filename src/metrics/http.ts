import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Metrics } from './registry.ts';

/** What a request no route handled is counted as (a 404, or a refusal before routing such as a 413). */
const UNMATCHED = 'unmatched';

/**
 * Times every request and counts it under its route pattern (`/admin/groups/:id`, never the raw
 * path with its ids), method and status. A timer and one histogram observation per request.
 */
export function httpMetrics(metrics: Metrics): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    // After next(), the route index is the handler that answered; only catch-all middleware means none did.
    const route = routePath(c);
    const label = route === '*' || route === '/*' || route === '' ? UNMATCHED : route;
    metrics.httpRequest(c.req.method, label, c.res.status, (performance.now() - started) / 1000);
  };
}
