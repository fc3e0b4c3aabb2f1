import type { Config } from '../../config.ts';
import { configuredPaymentProvider } from '../../payments.ts';
import type { Storage } from '../../ports/storage.ts';
import { accountRoutes } from './account.routes.ts';
import { auditEventRoutes } from './audit-events.routes.ts';
import { adminAuth } from './auth.ts';
import { broadcastRoutes } from './broadcasts.routes.ts';
import { contactDefaultsRoutes } from './contact-defaults.routes.ts';
import { contactMergeRoutes } from './contact-merge.routes.ts';
import { contactRoutes } from './contacts.routes.ts';
import { conversationActionRoutes } from './conversation-actions.routes.ts';
import { conversationRoutes } from './conversations.routes.ts';
import { csatRoutes } from './csat.routes.ts';
import { endpointRoutes } from './endpoints.routes.ts';
import { fileRoutes } from './file-links.ts';
import { groupRoutes } from './groups.routes.ts';
import { adminRouter } from './openapi.ts';
import { paymentAdminRoutes } from './payments.routes.ts';
import { savedReplyRoutes } from './saved-replies.routes.ts';
import { userRoutes } from './users.routes.ts';

export const ADMIN_BASE = '/api/admin';

/**
 * The admin REST API (`/api/admin/v1/...`, bearer ADMIN_API_TOKEN) and its OpenAPI 3.1 document
 * (`/api/admin/openapi.json`, public: it holds no data). Mount with `app.route('/', adminApi(config))`.
 */
export function adminApi(
  config: Pick<Config, 'ADMIN_API_TOKEN' | 'publicUrl'> &
    Partial<Pick<Config, 'STRIPE_SECRET_KEY' | 'STRIPE_WEBHOOK_SECRET'>>,
  /** Serves the attachments' signed links (`/api/admin/files/...`); without it links are not served. */
  opts: { storage?: Storage } = {},
) {
  const v1 = adminRouter()
    .route('/', accountRoutes())
    .route('/', groupRoutes())
    .route('/', userRoutes())
    .route('/', endpointRoutes())
    .route('/', contactRoutes())
    .route('/', contactDefaultsRoutes())
    .route('/', contactMergeRoutes())
    .route('/', savedReplyRoutes())
    .route(
      '/',
      conversationRoutes({
        adminToken: config.ADMIN_API_TOKEN,
        publicUrl: config.publicUrl,
        base: ADMIN_BASE,
      }),
    )
    .route('/', conversationActionRoutes())
    .route('/', auditEventRoutes())
    .route('/', csatRoutes())
    .route('/', broadcastRoutes())
    .route('/', paymentAdminRoutes({ paymentProvider: configuredPaymentProvider(config) }));
  const api = adminRouter().basePath(ADMIN_BASE);
  api.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'The ADMIN_API_TOKEN of the deployment.',
  });
  // Outside the bearer check: a signed link is its own key (file-links.ts).
  if (opts.storage) api.route('/', fileRoutes(opts.storage, config.ADMIN_API_TOKEN));
  api.use('/v1/*', adminAuth(config.ADMIN_API_TOKEN));
  api.route('/v1', v1);
  api.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Parley admin API',
      version: '1',
      description:
        'Workspace setup: the account, groups, users, channel endpoints and contacts; and conversations ' +
        'broadcasts (R8), invoices and checkouts (R38), and the audit trail, read and acted on as the Parley user named in "X-Parley-User" (their ' +
        'rights and visibility apply, R33). Every call needs "Authorization: Bearer <ADMIN_API_TOKEN>". ' +
        'Errors are `{ error: { code, message, requestId, details? } }`.',
    },
    servers: [{ url: config.publicUrl }],
    security: [{ adminToken: [] }],
  });
  return api;
}
