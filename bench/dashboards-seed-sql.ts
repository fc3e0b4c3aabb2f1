/**
 * The SQL that seeds the dashboard benchmark: a few INSERT … SELECT statements over
 * generate_series, driven by two temporary plan tables (ct_plan, conv_plan) so every later row
 * agrees with its conversation. Parameters are numbered ($1…) for node-postgres.
 *
 * Data shape: each conversation belongs to one contact and one group (groups skewed: the largest is
 * about three times the smallest); 30 % closed, 10 % restricted to 1–3 users of the group, open
 * ones 35 % unassigned; 1–19 messages (10 on average). Its timeline is consistent with R11: the
 * last `unreplied` messages are inbound and await a reply, the message before them is a reply,
 * earlier ones mix inbound, replies and notes. Times: the last message within the last 90 days,
 * the earlier ones a fixed 1–180 minutes apart.
 */

/** $1 account name, $2 next conversation number. */
export const insertAccount = `insert into account (id, name, next_conversation_number, created_at)
  values (gen_random_uuid(), $1, $2, now() - interval '2 years') returning id`;

/** $1 account id, $2 group count. */
export const insertGroups = `insert into groups (id, account_id, name, slack_channel_id, created_at)
  select gen_random_uuid(), $1, 'Team ' || lpad(g::text, 2, '0'), 'C_BENCH_' || g, now() - interval '2 years'
  from generate_series(1, $2) g`;

/** $1 account id. Three endpoints (WhatsApp, SMS, webchat) per group. */
export const insertEndpoints = `insert into channel_endpoint (id, account_id, group_id, channel, address, name, settings, created_at)
  select gen_random_uuid(), $1, g.id, ch, ch || ':' || g.name, g.name || ' ' || ch, '{}', g.created_at
  from groups g cross join unnest(array['whatsapp', 'sms', 'webchat']) ch`;

/** $1 account id, $2 user count, $3 admin every nth user. Each user is in 1–3 groups. */
export const insertUsers = `with grp as (select array_agg(id::text order by name) ids, count(*)::int n from groups)
  insert into users (id, account_id, name, email, role, group_ids, active, created_at)
  select gen_random_uuid(), $1, 'Agent ' || lpad(u::text, 3, '0'), 'agent' || u || '@bench.test',
    case when u % $3 = 0 then 'admin' else 'agent' end,
    array(select distinct grp.ids[1 + x]
      from unnest(array[u % grp.n, (u * 7 + 3) % grp.n, (u * 13 + 5) % grp.n]) with ordinality t(x, i)
      where i <= 1 + u % 3),
    true, now() - interval '1 year'
  from generate_series(0, $2 - 1) u, grp`;

/** $1 contact count, $2 first names, $3 last names. */
export const createContactPlan = `create temp table ct_plan as
  select n, gen_random_uuid() as id,
    ($2::text[])[1 + floor(random() * cardinality($2::text[]))::int] || ' '
      || ($3::text[])[1 + floor(random() * cardinality($3::text[]))::int] as name,
    random() < 0.05 as vip
  from generate_series(1, $1) n`;

/** $1 account id. */
export const insertContacts = `insert into contact (id, account_id, name, tags, opted_out_channels,
    default_assignee_ids, created_at, updated_at)
  select id, $1, name, case when vip then array['vip'] else '{}'::text[] end, '{}', '{}',
    now() - interval '100 days', now() - interval '100 days'
  from ct_plan order by n`;

/** $1 account id. One phone number per contact. */
export const insertIdentities = `insert into contact_identity (id, account_id, contact_id, channel, address, identified, created_at)
  select gen_random_uuid(), $1, id, 'whatsapp', '+4479' || lpad(n::text, 8, '0'), true, now() - interval '100 days'
  from ct_plan order by n`;

/** $1 conversation count, $2 group count. Conversation n belongs to contact n. */
export const createConversationPlan = `create temp table conv_plan as
  with grp as (select row_number() over (order by name)::int - 1 as gi, id from groups),
  gu as (select grp.gi, grp.id as group_id, array_agg(u.id::text order by u.name) as ids
    from grp join users u on u.group_ids @> array[grp.id::text] group by grp.gi, grp.id),
  base as (
    select n,
      least($2 - 1, floor($2 * power(random(), 1.3)))::int as gi,
      random() < 0.3 as closed,
      random() < 0.1 as restricted,
      1 + floor(random() * 3)::int as vis_n,
      random() as r_assign,
      case when random() < 0.15 then 2 else 1 end as assignee_n,
      1 + floor(random() * 19)::int as msg_count,
      random() as r_unreplied,
      random() as r_channel,
      now() - random() * interval '90 days' as last_at,
      (1 + floor(random() * 180))::int * interval '1 minute' as gap
    from generate_series(1, $1) n
  ),
  vis as (
    select b.*, gu.group_id,
      case when b.restricted then array(select distinct gu.ids[1 + floor(random() * cardinality(gu.ids))::int]
        from generate_series(1, b.vis_n)) end as visible_to,
      gu.ids as group_users
    from base b join gu on gu.gi = b.gi
  ),
  assigned as (
    select v.*, coalesce(v.visible_to, v.group_users) as pool,
      case when v.closed then v.r_assign < 0.1 else v.r_assign < 0.35 end as unassigned,
      case when v.closed then 0
        when v.r_unreplied < 0.45 then least(v.msg_count, 1 + floor(random() * 3)::int)
        else 0 end as unreplied,
      case when v.r_channel < 0.6 then 'whatsapp' when v.r_channel < 0.8 then 'sms' else 'webchat' end as channel
    from vis v
  )
  select a.n, gen_random_uuid() as id, a.group_id, ct.id as contact_id,
    case when a.closed then 'closed' else 'open' end as status,
    case when a.unassigned then '{}'::text[]
      else array(select distinct a.pool[1 + floor(random() * cardinality(a.pool))::int]
        from generate_series(1, a.assignee_n)) end as assignee_ids,
    a.visible_to, a.channel, ep.id as endpoint_id, a.msg_count, a.unreplied, a.last_at, a.gap, a.pool,
    a.closed
  from assigned a
  join ct_plan ct on ct.n = a.n
  join channel_endpoint ep on ep.group_id = a.group_id and ep.channel = a.channel`;

/** $1 account id. Counters and times follow the message plan below exactly. */
export const insertConversations = `insert into conversation (id, account_id, group_id, number, contact_id, status,
    assignee_ids, visible_to_ids, ai_state, channel, endpoint_id, last_inbound_at, last_message_at, last_seq,
    unreplied_count, oldest_unreplied_at, closed_at, created_at, updated_at)
  select p.id, $1, p.group_id, 1000 + p.n, p.contact_id, p.status, p.assignee_ids, p.visible_to, 'off',
    p.channel, p.endpoint_id,
    case when p.unreplied > 0 then p.last_at when p.msg_count >= 2 then p.last_at - p.gap end,
    p.last_at, p.msg_count, p.unreplied,
    case when p.unreplied > 0 then p.last_at - (p.unreplied - 1) * p.gap end,
    case when p.closed then p.last_at + interval '10 minutes' end,
    p.last_at - (p.msg_count - 1) * p.gap,
    case when p.closed then p.last_at + interval '10 minutes' else p.last_at end
  from conv_plan p order by p.n`;

/**
 * $1 pool size, $2 common words, $3 rare words. Sentences of 3–15 words; common words by a steep
 * power law, a rare word in about 1 % of sentences. Messages draw from this pool (fast to seed).
 */
export const createSentencePool = `create temp table sentence as
  select i, array_to_string(array(
    select case when random() < 0.0012 then ($3::text[])[1 + floor(random() * cardinality($3::text[]))::int]
      else ($2::text[])[1 + floor(cardinality($2::text[]) * power(random(), 2.2))::int] end
    from generate_series(1, 3 + (i % 13))), ' ') as t
  from generate_series(1, $1) i`;

export const indexSentencePool = 'alter table sentence add primary key (i)';

/** $1 account id, $2 pool size. 20 % of messages also name an order number (six digits). */
export const insertMessages = `insert into message (id, account_id, conversation_id, seq, kind, text, attachments,
    author_id, channel, endpoint_id, provider, provider_message_id, delivery_state, delivery_attempts,
    delivery_updated_at, awaiting_reply, meta, created_at)
  with m as (
    select p.id as conversation_id, p.n, s.seq, p.channel, p.endpoint_id, p.pool,
      p.last_at - (p.msg_count - s.seq) * p.gap as at,
      case
        when s.seq > p.msg_count - p.unreplied then 'inbound'
        when s.seq = p.msg_count - p.unreplied then 'reply'
        when s.seq = 1 or s.seq = p.msg_count - p.unreplied - 1 then 'inbound'
        else (array['inbound', 'inbound', 'inbound', 'reply', 'reply', 'reply', 'note'])[1 + floor(random() * 7)::int]
      end as kind,
      s.seq > p.msg_count - p.unreplied as awaiting,
      1 + floor(random() * $2)::int as pick,
      random() < 0.2 as with_order,
      random() as r
    from conv_plan p cross join lateral generate_series(1, p.msg_count) s(seq)
  )
  select gen_random_uuid(), $1, m.conversation_id, m.seq, m.kind,
    case when m.with_order then st.t || ' order ' || (100000 + floor(m.r * 900000)::int) else st.t end,
    '[]'::jsonb,
    case when m.kind <> 'inbound' then m.pool[1 + floor(m.r * cardinality(m.pool))::int]::uuid end,
    case when m.kind <> 'note' then m.channel end,
    case when m.kind <> 'note' then m.endpoint_id end,
    case when m.kind <> 'note' then
      (case m.channel when 'whatsapp' then 'whatsapp' when 'sms' then 'twilio' else 'webchat' end) end,
    case when m.kind <> 'note' and m.channel <> 'webchat' then m.channel || '-' || m.n || '-' || m.seq end,
    case when m.kind = 'reply' then
      (case when m.r < 0.5 then 'read' when m.r < 0.95 then 'delivered' else 'sent' end) end,
    case when m.kind = 'reply' then 1 else 0 end,
    case when m.kind = 'reply' then m.at end,
    m.awaiting, '{}'::jsonb, m.at
  from m join sentence st on st.i = m.pick
  order by m.at`;

/** Assignees have read their conversations (mostly to the end); a third of them were read by someone else too. */
export const insertReadStates = `insert into read_state (user_id, conversation_id, last_read_seq, updated_at)
  select r.user_id, r.conversation_id, max(r.seq), max(r.at) from (
    select a::uuid as user_id, p.id as conversation_id,
      case when random() < 0.7 then p.msg_count else greatest(p.msg_count - 1 - floor(random() * 3)::int, 0) end as seq,
      p.last_at as at
    from conv_plan p cross join lateral unnest(p.assignee_ids) a
    union all
    select p.pool[1 + floor(random() * cardinality(p.pool))::int]::uuid, p.id,
      greatest(p.msg_count - floor(random() * 4)::int, 0), p.last_at
    from conv_plan p where random() < 0.33
  ) r group by r.user_id, r.conversation_id`;

/** $1 account id. Each user chats with two colleagues (R25), 8 messages per chat. */
export const insertInternalChats = `with u as (select id, row_number() over (order by name)::int - 1 as k, count(*) over ()::int as total from users),
  pairs as (select distinct least(a.id, b.id) as ua, greatest(a.id, b.id) as ub
    from u a join u b on b.k = (a.k + 1) % a.total or b.k = (a.k + 37) % a.total)
  insert into internal_chat (id, account_id, user_a_id, user_b_id, last_seq, read_seq_a, read_seq_b, last_message_at, created_at)
  select gen_random_uuid(), $1, ua, ub, 8, 8, 6, now() - random() * interval '30 days', now() - interval '60 days'
  from pairs`;

export const insertInternalMessages = `insert into internal_message (id, chat_id, seq, author_id, kind, text, attachments, created_at)
  select gen_random_uuid(), ic.id, s, case when s % 2 = 0 then ic.user_a_id else ic.user_b_id end, 'message',
    'internal note ' || s || ' about the morning queue', '[]', ic.last_message_at - (8 - s) * interval '5 minutes'
  from internal_chat ic cross join generate_series(1, 8) s`;

/** Conversations whose counters disagree with their messages (R11); the seed must leave none. */
export const countInconsistent = `with agg as (
    select conversation_id, count(*) filter (where awaiting_reply) as awaiting,
      min(created_at) filter (where awaiting_reply) as oldest,
      max(created_at) filter (where kind <> 'note') as last_at, max(seq) as last_seq
    from message group by conversation_id
  )
  select count(*)::int as n from conversation c join agg a on a.conversation_id = c.id
  where c.unreplied_count <> a.awaiting or c.oldest_unreplied_at is distinct from a.oldest
    or c.last_message_at <> a.last_at or c.last_seq <> a.last_seq
    or (c.visible_to_ids is not null and not c.visible_to_ids @> c.assignee_ids)`;
