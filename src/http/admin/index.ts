import type { Config } from '../../config.ts';
import { accountRoutes } from './account.routes.ts';
import { adminAuth } from './auth.ts';
import { contactRoutes } from './contacts.routes.ts';
import { endpointRoutes } from './endpoints.routes.ts';
import { groupRoutes } from './groups.routes.ts';
import { adminRouter } from './openapi.ts';
import { userRoutes } from './users.routes.ts';

export const ADMIN_BASE = '/api/admin';

/**
 * The admin REST API (`/api/admin/v1/...`, bearer ADMIN_API_TOKEN) and its OpenAPI 3.1 document
 * (`/api/admin/openapi.json`, public: it holds no data). Mount with `app.route('/', adminApi(config))`.
 */
export function adminApi(config: Pick<Config, 'ADMIN_API_TOKEN' | 'publicUrl'>) {
  const v1 = adminRouter()
    .route('/', accountRoutes())
    .route('/', groupRoutes())
    .route('/', userRoutes())
    .route('/', endpointRoutes())
    .route('/', contactRoutes());
  const api = adminRouter().basePath(ADMIN_BASE);
  api.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'The ADMIN_API_TOKEN of the deployment.',
  });
  api.use('/v1/*', adminAuth(config.ADMIN_API_TOKEN));
  api.route('/v1', v1);
  api.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Parley admin API',
      version: '1',
      description:
        'Workspace setup: the account, groups, users, channel endpoints and contacts. Every call needs ' +
        '"Authorization: Bearer <ADMIN_API_TOKEN>". Errors are `{ error: { code, message, requestId, details? } }`.',
    },
    servers: [{ url: config.publicUrl }],
    security: [{ adminToken: [] }],
  });
  return api;
}
