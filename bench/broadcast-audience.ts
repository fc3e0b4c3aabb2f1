import pg from 'pg';

/**
 * The audience of a benchmark or chaos broadcast (R8): `count` contacts tagged `tag`, each with a
 * WhatsApp identity `+<prefix><7 digits>`, in the account of `groupId`, and a template on the
 * group's WhatsApp number so the broadcast reaches contacts outside the 24-hour window (R7).
 */
export async function seedBroadcastAudience(
  databaseUrl: string,
  groupId: string,
  o: { count: number; tag: string; prefix: string; unlinkSlack?: boolean },
): Promise<{ endpointId: string }> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ id: string; account_id: string }>(
      `select id, account_id from channel_endpoint where group_id = $1 and channel = 'whatsapp'`,
      [groupId],
    );
    const endpoint = rows[0]!;
    if (o.unlinkSlack) await db.query(`update groups set slack_channel_id = null where id = $1`, [groupId]);
    await db.query(`update channel_endpoint set settings = $1 where id = $2`, [
      JSON.stringify({ templates: [{ name: 'bench_promo', language: 'en', parameters: [] }] }),
      endpoint.id,
    ]);
    await db.query(
      `insert into contact (id, account_id, name, tags, created_at, updated_at)
       select gen_random_uuid(), $1, 'Bench ' || i, array[$3::text], now(), now() from generate_series(1, $2) i`,
      [endpoint.account_id, o.count, o.tag],
    );
    await db.query(
      `insert into contact_identity (id, account_id, contact_id, channel, address, identified, created_at)
       select gen_random_uuid(), $1, c.id, 'whatsapp', '+' || $3 || lpad((row_number() over (order by c.id))::text, 7, '0'), true, now()
         from contact c where c.account_id = $1 and c.tags @> array[$2::text]`,
      [endpoint.account_id, o.tag, o.prefix],
    );
    return { endpointId: endpoint.id };
  } finally {
    await db.end();
  }
}

/** Creates the broadcast through the admin API as `userEmail` (X-Parley-User). */
export async function postBroadcast(
  url: string,
  o: { token: string; userEmail: string; groupId: string; endpointId: string; tag: string },
): Promise<{ status: number; broadcastId: string; queued: number }> {
  const res = await fetch(`${url}/api/admin/v1/broadcasts`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${o.token}`,
      'x-parley-user': o.userEmail,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      groupId: o.groupId,
      endpointId: o.endpointId,
      template: { name: 'bench_promo', language: 'en', parameters: [] },
      target: { tag: o.tag },
    }),
  });
  const body = (await res.json()) as { broadcastId: string; queued: number };
  if (res.status !== 202) throw new Error(`broadcast not created (${res.status}): ${JSON.stringify(body)}`);
  return { status: res.status, ...body };
}
