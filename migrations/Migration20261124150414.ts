import { Migration } from '@mikro-orm/migrations';

export class Migration20261124150414 extends Migration {

  override name = 'Migration20261124150414';

  override up(): void | Promise<void> {
    this.addSql(`create table "account" ("id" uuid not null, "name" varchar(255) not null, "next_conversation_number" int not null default 1001, "created_at" timestamptz not null, primary key ("id"));`);

    this.addSql(`create table "audit_event" ("id" uuid not null, "account_id" uuid not null, "actor_type" text not null, "actor_user_id" uuid null, "action" varchar(255) not null, "conversation_id" uuid null, "data" jsonb not null default '{}', "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "audit_event_conversation_id_created_at_index" on "audit_event" ("conversation_id", "created_at");`);
    this.addSql(`create index "audit_event_account_id_created_at_index" on "audit_event" ("account_id", "created_at");`);
    this.addSql(`alter table "audit_event" add constraint "audit_event_actor_type_check" check ("actor_type" in ('user', 'system', 'ai', 'provider', 'contact'));`);

    this.addSql(`create table "contact" ("id" uuid not null, "account_id" uuid not null, "name" varchar(255) null, "tags" text[] not null default '{}', "portal_profile" jsonb null, "opted_out_channels" text[] not null default '{}', "default_assignee_ids" text[] not null default '{}', "default_visible_to_ids" text[] null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "contact_tags_gin" on "contact" using gin ("tags");`);
    this.addSql(`create index "contact_name_fts" on "contact" using gin (to_tsvector('simple', coalesce("name", '')));`);

    this.addSql(`create table "contact_identity" ("id" uuid not null, "account_id" uuid not null, "contact_id" uuid not null, "channel" varchar(255) not null, "address" varchar(255) not null, "identified" boolean not null default true, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "contact_identity" add constraint "contact_identity_account_id_channel_address_unique" unique ("account_id", "channel", "address");`);

    this.addSql(`create table "groups" ("id" uuid not null, "account_id" uuid not null, "name" varchar(255) not null, "slack_channel_id" varchar(255) null, "teams_team_id" varchar(255) null, "teams_channel_id" varchar(255) null, "ai_agent" jsonb null, "digest_cron" varchar(255) null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "groups" add constraint "groups_account_id_name_unique" unique ("account_id", "name");`);

    this.addSql(`create table "channel_endpoint" ("id" uuid not null, "account_id" uuid not null, "group_id" uuid not null, "channel" varchar(255) not null, "address" varchar(255) not null, "name" varchar(255) not null, "settings" jsonb not null default '{}', "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "channel_endpoint" add constraint "channel_endpoint_channel_address_unique" unique ("channel", "address");`);

    this.addSql(`create table "conversation" ("id" uuid not null, "account_id" uuid not null, "group_id" uuid not null, "number" int not null, "contact_id" uuid not null, "status" text not null default 'open', "assignee_ids" text[] not null default '{}', "visible_to_ids" text[] null, "ai_state" text not null default 'off', "ai_handoff_at" timestamptz null, "channel" varchar(255) not null, "endpoint_id" uuid null, "last_inbound_at" timestamptz null, "last_message_at" timestamptz not null, "last_seq" int not null default 0, "unreplied_count" int not null default 0, "oldest_unreplied_at" timestamptz null, "closed_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "conversation_group_id_status_last_message_at_index" on "conversation" ("group_id", "status", "last_message_at");`);
    this.addSql(`create index "conversation_contact_id_group_id_status_index" on "conversation" ("contact_id", "group_id", "status");`);
    this.addSql(`create index "conversation_assignee_ids_gin" on "conversation" using gin ("assignee_ids");`);
    this.addSql(`create index "conversation_visible_to_ids_gin" on "conversation" using gin ("visible_to_ids");`);
    this.addSql(`create index "conversation_unreplied_idx" on "conversation" ("group_id", "oldest_unreplied_at") where "status" = 'open' and "unreplied_count" > 0;`);
    this.addSql(`create index "conversation_unassigned_idx" on "conversation" ("group_id", "last_message_at") where "status" = 'open' and "assignee_ids" = '{}';`);
    this.addSql(`alter table "conversation" add constraint "conversation_account_id_number_unique" unique ("account_id", "number");`);
    this.addSql(`create unique index "conversation_one_open_per_contact" on "conversation" ("contact_id", "group_id") where status = 'open';`);
    this.addSql(`alter table "conversation" add constraint "conversation_status_check" check ("status" in ('open', 'closed', 'deleted'));`);
    this.addSql(`alter table "conversation" add constraint "conversation_ai_state_check" check ("ai_state" in ('off', 'active', 'handed_off'));`);

    this.addSql(`create table "checkout" ("id" uuid not null, "account_id" uuid not null, "conversation_id" uuid not null, "amount_minor" int not null, "currency" varchar(3) not null, "items" jsonb not null default '[]', "status" text not null default 'pending', "pay_link" text null, "provider_ref" varchar(255) null, "paid_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "checkout_conversation_id_status_index" on "checkout" ("conversation_id", "status");`);
    this.addSql(`alter table "checkout" add constraint "checkout_status_check" check ("status" in ('pending', 'paid', 'expired', 'cancelled'));`);

    this.addSql(`create table "invoice" ("id" uuid not null, "account_id" uuid not null, "conversation_id" uuid not null, "reference" varchar(255) not null, "amount_minor" int not null, "currency" varchar(3) not null, "items" jsonb not null default '[]', "status" text not null default 'unpaid', "pay_link" text null, "provider_ref" varchar(255) null, "paid_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "invoice_conversation_id_status_index" on "invoice" ("conversation_id", "status");`);
    this.addSql(`alter table "invoice" add constraint "invoice_account_id_reference_unique" unique ("account_id", "reference");`);
    this.addSql(`alter table "invoice" add constraint "invoice_status_check" check ("status" in ('unpaid', 'paid', 'void'));`);

    this.addSql(`create table "surface_thread" ("id" uuid not null, "conversation_id" uuid not null, "surface" varchar(255) not null, "place" varchar(255) not null, "ref" jsonb not null default '{}', "mirrored_seq" int not null default 0, "header_dirty" boolean not null default true, "state" text not null default 'active', "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "surface_thread" add constraint "surface_thread_conversation_id_surface_place_unique" unique ("conversation_id", "surface", "place");`);
    this.addSql(`alter table "surface_thread" add constraint "surface_thread_state_check" check ("state" in ('active', 'stub', 'removed'));`);

    this.addSql(`create table "users" ("id" uuid not null, "account_id" uuid not null, "name" varchar(255) not null, "email" varchar(255) not null, "role" text not null, "group_ids" text[] not null default '{}', "slack_user_id" varchar(255) null, "teams_user_id" varchar(255) null, "active" boolean not null default true, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "users_group_ids_gin" on "users" using gin ("group_ids");`);
    this.addSql(`alter table "users" add constraint "users_account_id_email_unique" unique ("account_id", "email");`);
    this.addSql(`create unique index "users_slack_user_id_unique" on "users" ("slack_user_id") where slack_user_id is not null;`);
    this.addSql(`create unique index "users_teams_user_id_unique" on "users" ("teams_user_id") where teams_user_id is not null;`);
    this.addSql(`alter table "users" add constraint "users_role_check" check ("role" in ('admin', 'agent'));`);

    this.addSql(`create table "read_state" ("user_id" uuid not null, "conversation_id" uuid not null, "last_read_seq" int not null default 0, "updated_at" timestamptz not null, primary key ("user_id", "conversation_id"));`);

    this.addSql(`create table "message" ("id" uuid not null, "account_id" uuid not null, "conversation_id" uuid not null, "seq" int not null, "kind" text not null, "text" text null, "attachments" jsonb not null default '[]', "template" jsonb null, "author_id" uuid null, "channel" varchar(255) null, "endpoint_id" uuid null, "provider" varchar(255) null, "provider_message_id" varchar(255) null, "delivery_state" text null, "delivery_reason" text null, "delivery_attempts" int not null default 0, "delivery_due_at" timestamptz null, "delivery_updated_at" timestamptz null, "awaiting_reply" boolean not null default false, "meta" jsonb not null default '{}', "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "message_delivery_due_idx" on "message" ("delivery_due_at") where "delivery_state" in ('queued', 'sending');`);
    this.addSql(`create index "message_pending_media_idx" on "message" ("created_at") where "kind" = 'inbound' and "attachments" @> '[{"status": "pending"}]'::jsonb;`);
    this.addSql(`create index "message_awaiting_reply_idx" on "message" ("conversation_id", "created_at") where "awaiting_reply";`);
    this.addSql(`create index "message_text_fts" on "message" using gin (to_tsvector('simple', coalesce("text", '')));`);
    this.addSql(`alter table "message" add constraint "message_conversation_id_seq_unique" unique ("conversation_id", "seq");`);
    this.addSql(`create unique index "message_provider_provider_message_id_unique" on "message" ("provider", "provider_message_id") where provider_message_id is not null;`);
    this.addSql(`alter table "message" add constraint "message_kind_check" check ("kind" in ('inbound', 'reply', 'note', 'ai', 'auto_response', 'system'));`);
    this.addSql(`alter table "message" add constraint "message_delivery_state_check" check ("delivery_state" in ('queued', 'sending', 'sent', 'delivered', 'read', 'failed'));`);

    this.addSql(`create table "internal_chat" ("id" uuid not null, "account_id" uuid not null, "user_a_id" uuid not null, "user_b_id" uuid not null, "last_seq" int not null default 0, "read_seq_a" int not null default 0, "read_seq_b" int not null default 0, "last_message_at" timestamptz not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "internal_chat_user_b_id_index" on "internal_chat" ("user_b_id");`);
    this.addSql(`alter table "internal_chat" add constraint "internal_chat_user_a_id_user_b_id_unique" unique ("user_a_id", "user_b_id");`);

    this.addSql(`create table "internal_message" ("id" uuid not null, "chat_id" uuid not null, "seq" int not null, "author_id" uuid not null, "kind" text not null default 'message', "text" text null, "attachments" jsonb not null default '[]', "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "internal_message" add constraint "internal_message_chat_id_seq_unique" unique ("chat_id", "seq");`);
    this.addSql(`alter table "internal_message" add constraint "internal_message_kind_check" check ("kind" in ('message', 'note'));`);

    this.addSql(`create table "broadcast" ("id" uuid not null, "account_id" uuid not null, "group_id" uuid not null, "endpoint_id" uuid not null, "created_by_id" uuid not null, "text" text null, "template" jsonb null, "target" jsonb not null, "created_at" timestamptz not null, primary key ("id"));`);

    this.addSql(`create table "broadcast_recipient" ("id" uuid not null, "broadcast_id" uuid not null, "contact_id" uuid not null, "message_id" uuid null, "refused_reason" text null, primary key ("id"));`);
    this.addSql(`alter table "broadcast_recipient" add constraint "broadcast_recipient_broadcast_id_contact_id_unique" unique ("broadcast_id", "contact_id");`);

    this.addSql(`create table "webchat_session" ("id" uuid not null, "account_id" uuid not null, "endpoint_id" uuid not null, "token_hash" varchar(255) not null, "address" varchar(255) not null, "identified" boolean not null, "profile" jsonb null, "created_at" timestamptz not null, "last_seen_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "webchat_session" add constraint "webchat_session_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "webchat_session_endpoint_id_address_index" on "webchat_session" ("endpoint_id", "address");`);

    this.addSql(`create table "webchat_upload" ("id" uuid not null, "session_id" uuid not null, "storage_key" varchar(255) not null, "kind" text not null, "name" varchar(255) not null, "mime_type" varchar(255) not null, "size" int not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "webchat_upload" add constraint "webchat_upload_kind_check" check ("kind" in ('image', 'audio', 'video', 'document', 'file'));`);

    this.addSql(`alter table "audit_event" add constraint "audit_event_account_id_foreign" foreign key ("account_id") references "account" ("id");`);

    this.addSql(`alter table "contact" add constraint "contact_account_id_foreign" foreign key ("account_id") references "account" ("id");`);

    this.addSql(`alter table "contact_identity" add constraint "contact_identity_account_id_foreign" foreign key ("account_id") references "account" ("id");`);
    this.addSql(`alter table "contact_identity" add constraint "contact_identity_contact_id_foreign" foreign key ("contact_id") references "contact" ("id") on delete cascade;`);

    this.addSql(`alter table "groups" add constraint "groups_account_id_foreign" foreign key ("account_id") references "account" ("id");`);

    this.addSql(`alter table "channel_endpoint" add constraint "channel_endpoint_account_id_foreign" foreign key ("account_id") references "account" ("id");`);
    this.addSql(`alter table "channel_endpoint" add constraint "channel_endpoint_group_id_foreign" foreign key ("group_id") references "groups" ("id");`);

    this.addSql(`alter table "conversation" add constraint "conversation_account_id_foreign" foreign key ("account_id") references "account" ("id");`);
    this.addSql(`alter table "conversation" add constraint "conversation_group_id_foreign" foreign key ("group_id") references "groups" ("id");`);
    this.addSql(`alter table "conversation" add constraint "conversation_contact_id_foreign" foreign key ("contact_id") references "contact" ("id");`);
    this.addSql(`alter table "conversation" add constraint "conversation_endpoint_id_foreign" foreign key ("endpoint_id") references "channel_endpoint" ("id") on delete set null;`);

    this.addSql(`alter table "checkout" add constraint "checkout_account_id_foreign" foreign key ("account_id") references "account" ("id");`);
    this.addSql(`alter table "checkout" add constraint "checkout_conversation_id_foreign" foreign key ("conversation_id") references "conversation" ("id") on delete cascade;`);

    this.addSql(`alter table "invoice" add constraint "invoice_account_id_foreign" foreign key ("account_id") references "account" ("id");`);
    this.addSql(`alter table "invoice" add constraint "invoice_conversation_id_foreign" foreign key ("conversation_id") references "conversation" ("id") on delete cascade;`);

    this.addSql(`alter table "surface_thread" add constraint "surface_thread_conversation_id_foreign" foreign key ("conversation_id") references "conversation" ("id") on delete cascade;`);

    this.addSql(`alter table "users" add constraint "users_account_id_foreign" foreign key ("account_id") references "account" ("id");`);

    this.addSql(`alter table "read_state" add constraint "read_state_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "read_state" add constraint "read_state_conversation_id_foreign" foreign key ("conversation_id") references "conversation" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "message" add constraint "message_account_id_foreign" foreign key ("account_id") references "account" ("id");`);
    this.addSql(`alter table "message" add constraint "message_conversation_id_foreign" foreign key ("conversation_id") references "conversation" ("id") on delete cascade;`);
    this.addSql(`alter table "message" add constraint "message_author_id_foreign" foreign key ("author_id") references "users" ("id") on delete set null;`);
    this.addSql(`alter table "message" add constraint "message_endpoint_id_foreign" foreign key ("endpoint_id") references "channel_endpoint" ("id") on delete set null;`);

    this.addSql(`alter table "internal_chat" add constraint "internal_chat_account_id_foreign" foreign key ("account_id") references "account" ("id");`);
    this.addSql(`alter table "internal_chat" add constraint "internal_chat_user_a_id_foreign" foreign key ("user_a_id") references "users" ("id");`);
    this.addSql(`alter table "internal_chat" add constraint "internal_chat_user_b_id_foreign" foreign key ("user_b_id") references "users" ("id");`);

    this.addSql(`alter table "internal_message" add constraint "internal_message_chat_id_foreign" foreign key ("chat_id") references "internal_chat" ("id") on delete cascade;`);
    this.addSql(`alter table "internal_message" add constraint "internal_message_author_id_foreign" foreign key ("author_id") references "users" ("id");`);

    this.addSql(`alter table "broadcast" add constraint "broadcast_account_id_foreign" foreign key ("account_id") references "account" ("id");`);
    this.addSql(`alter table "broadcast" add constraint "broadcast_group_id_foreign" foreign key ("group_id") references "groups" ("id");`);
    this.addSql(`alter table "broadcast" add constraint "broadcast_endpoint_id_foreign" foreign key ("endpoint_id") references "channel_endpoint" ("id");`);
    this.addSql(`alter table "broadcast" add constraint "broadcast_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id");`);

    this.addSql(`alter table "broadcast_recipient" add constraint "broadcast_recipient_broadcast_id_foreign" foreign key ("broadcast_id") references "broadcast" ("id") on delete cascade;`);
    this.addSql(`alter table "broadcast_recipient" add constraint "broadcast_recipient_contact_id_foreign" foreign key ("contact_id") references "contact" ("id") on delete cascade;`);
    this.addSql(`alter table "broadcast_recipient" add constraint "broadcast_recipient_message_id_foreign" foreign key ("message_id") references "message" ("id") on delete set null;`);

    this.addSql(`alter table "webchat_session" add constraint "webchat_session_account_id_foreign" foreign key ("account_id") references "account" ("id");`);
    this.addSql(`alter table "webchat_session" add constraint "webchat_session_endpoint_id_foreign" foreign key ("endpoint_id") references "channel_endpoint" ("id") on delete cascade;`);

    this.addSql(`alter table "webchat_upload" add constraint "webchat_upload_session_id_foreign" foreign key ("session_id") references "webchat_session" ("id") on delete cascade;`);
  }

}
