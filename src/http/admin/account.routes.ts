import { createRoute } from '@hono/zod-openapi';
import { currentAccount, updateAccount } from '../../setup/account.ts';
import { accountPatchSchema } from '../../setup/schemas.ts';
import { accountView, toAccountView } from '../../setup/views.ts';
import { adminRouter, errors, json, jsonBody } from './openapi.ts';

const Account = accountView.openapi('Account');
const tags = ['Account'];

export const accountRoutes = () =>
  adminRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/account',

        operationId: 'getAccount',
        tags,
        summary: 'Get the account',
        description: 'The single account of this deployment; created on first use.',
        responses: { 200: json(Account, 'The account.'), ...errors() },
      }),
      async (c) => c.json(toAccountView(await currentAccount(c.get('em'))), 200),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/account',

        operationId: 'updateAccount',
        tags,
        summary: 'Rename the account',
        request: { body: jsonBody(accountPatchSchema.openapi('AccountUpdate')) },
        responses: { 200: json(Account, 'The updated account.'), ...errors(422) },
      }),
      async (c) => c.json(toAccountView(await updateAccount(c.get('em'), c.req.valid('json'))), 200),
    );
