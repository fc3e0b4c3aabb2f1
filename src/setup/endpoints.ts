import type { EntityManager } from '@mikro-orm/postgresql';
import { ChannelEndpoint, Conversation } from '../db/entities/index.ts';
import { AppError } from '../domain/errors.ts';
import { parseInput } from '../use-cases/input.ts';
import { currentAccount } from './account.ts';
import { adminApiActor, auditSetup, type SetupActor } from './actor.ts';
import { checkEndpointSettings } from './channel-input.ts';
import { refuseOnConstraint } from './db-errors.ts';
import { getGroup } from './groups.ts';
import { applyChanges } from './patch.ts';
import {
  type EndpointCreate,
  type EndpointPatch,
  endpointCreateSchema,
  endpointPatchSchema,
} from './schemas.ts';

/** Channel endpoints (R2): the numbers and widgets a group receives customers on. */

export async function listEndpoints(
  em: EntityManager,
  filter: { groupId?: string } = {},
): Promise<ChannelEndpoint[]> {
  const account = await currentAccount(em);
  const where = filter.groupId ? { account, group: filter.groupId } : { account };
  return em.find(ChannelEndpoint, where, { orderBy: { channel: 'asc', address: 'asc' } });
}

export async function getEndpoint(em: EntityManager, id: string): Promise<ChannelEndpoint> {
  const endpoint = await em.findOne(ChannelEndpoint, { id });
  if (!endpoint) {
    throw new AppError(
      'not_found',
      `There is no channel endpoint with id ${id}; list the endpoints to find its id.`,
    );
  }
  return endpoint;
}

const takenMessage = (channel: string, address: string) =>
  `The ${channel} address ${address} is already an endpoint; update that one instead of creating another.`;

export function createEndpoint(
  em: EntityManager,
  input: EndpointCreate,
  actor: SetupActor = adminApiActor,
): Promise<ChannelEndpoint> {
  const data = parseInput(endpointCreateSchema, input);
  return refuseOnConstraint(
    () =>
      em.transactional(async (tx) => {
        const account = await currentAccount(tx);
        const group = await getGroup(tx, data.groupId);
        const clash = await tx.findOne(ChannelEndpoint, { channel: data.channel, address: data.address });
        if (clash)
          throw new AppError('conflict', takenMessage(data.channel, data.address), { endpointId: clash.id });
        const endpoint = tx.create(ChannelEndpoint, {
          account,
          group,
          channel: data.channel,
          address: data.address,
          name: data.name,
          settings: data.settings,
        });
        auditSetup(tx, account, actor, 'endpoint.created', {
          endpointId: endpoint.id,
          groupId: group.id,
          channel: endpoint.channel,
          address: endpoint.address,
        });
        return endpoint;
      }),
    takenMessage(data.channel, data.address),
  );
}

export function updateEndpoint(
  em: EntityManager,
  id: string,
  input: EndpointPatch,
  actor: SetupActor = adminApiActor,
): Promise<ChannelEndpoint> {
  const { groupId, ...patch } = parseInput(endpointPatchSchema, input);
  return em.transactional(async (tx) => {
    const endpoint = await getEndpoint(tx, id);
    // Settings are the channel's: checked against its adapter's schema, known only from the row.
    if (patch.settings) checkEndpointSettings(endpoint.channel, patch.settings);
    const changed = applyChanges(endpoint, patch);
    if (groupId && groupId !== endpoint.group.id) {
      // Conversations already open stay in their group; new ones (R2) go to the new owner.
      endpoint.group = await getGroup(tx, groupId);
      changed.push('group');
    }
    if (changed.length > 0)
      auditSetup(tx, endpoint.account, actor, 'endpoint.updated', { endpointId: id, changed });
    return endpoint;
  });
}

/** An endpoint that conversations came in on is kept for their history: rename or move it instead. */
export function deleteEndpoint(
  em: EntityManager,
  id: string,
  actor: SetupActor = adminApiActor,
): Promise<void> {
  const instead = 'rename it or move it to another group instead.';
  return refuseOnConstraint(
    () =>
      em.transactional(async (tx) => {
        const endpoint = await getEndpoint(tx, id);
        const conversations = await tx.count(Conversation, { endpoint });
        if (conversations > 0) {
          throw new AppError(
            'conflict',
            `${conversations} conversations use this channel endpoint; ${instead}`,
            {
              conversations,
            },
          );
        }
        auditSetup(tx, endpoint.account, actor, 'endpoint.deleted', {
          endpointId: id,
          channel: endpoint.channel,
          address: endpoint.address,
        });
        tx.remove(endpoint);
        await tx.flush();
      }),
    `Messages still refer to this channel endpoint; ${instead}`,
  );
}
