import { Migration } from '@mikro-orm/migrations';

export class Migration20261203204922 extends Migration {

  override name = 'Migration20261203204922';

  override up(): void | Promise<void> {
    this.addSql(`create table "ai_turn" ("id" uuid not null, "account_id" uuid not null, "group_id" uuid not null, "conversation_id" uuid not null, "trigger_id" uuid not null, "status" text not null, "attempts" int not null default 0, "claimed_until" timestamptz null, "due_at" timestamptz null, "model" varchar(255) null, "input_tokens" int not null default 0, "output_tokens" int not null default 0, "answer_id" uuid null, "reason" text null, "notified_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "ai_turn_group_id_created_at_index" on "ai_turn" ("group_id", "created_at");`);
    this.addSql(`create index "ai_turn_conversation_id_created_at_index" on "ai_turn" ("conversation_id", "created_at");`);
    this.addSql(`create index "ai_turn_open_idx" on "ai_turn" ("updated_at") where "status" in ('thinking', 'waiting') or ("status" = 'handed_off' and "notified_at" is null);`);
    this.addSql(`alter table "ai_turn" add constraint "ai_turn_trigger_key" unique ("trigger_id");`);

    this.addSql(`alter table "groups" add "auto_responder" jsonb null;`);

    this.addSql(`alter table "conversation" add "auto_checked_at" timestamptz null;`);

    this.addSql(`alter table "message" drop constraint "message_kind_check";`);
    this.addSql(`alter table "message" add "draft_state" text null;`);
    this.addSql(`alter table "message" add constraint "message_draft_state_check" check ("draft_state" in ('pending', 'sent', 'discarded', 'dropped'));`);
    this.addSql(`alter table "message" add constraint "message_kind_check" check ("kind" in ('inbound', 'reply', 'note', 'ai', 'auto_response', 'system', 'ai_draft'));`);

    this.addSql(`alter table "ai_turn" add constraint "ai_turn_account_id_foreign" foreign key ("account_id") references "account" ("id");`);
    this.addSql(`alter table "ai_turn" add constraint "ai_turn_group_id_foreign" foreign key ("group_id") references "groups" ("id") on delete cascade;`);
    this.addSql(`alter table "ai_turn" add constraint "ai_turn_conversation_id_foreign" foreign key ("conversation_id") references "conversation" ("id") on delete cascade;`);
    this.addSql(`alter table "ai_turn" add constraint "ai_turn_trigger_id_foreign" foreign key ("trigger_id") references "message" ("id") on delete cascade;`);
    this.addSql(`alter table "ai_turn" add constraint "ai_turn_answer_id_foreign" foreign key ("answer_id") references "message" ("id") on delete set null;`);
    this.addSql(`alter table "ai_turn" add constraint "ai_turn_status_check" check ("status" in ('thinking', 'waiting', 'answered', 'drafted', 'handed_off', 'dropped'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "ai_turn" cascade;`);

    this.addSql(`alter table "conversation" drop column "auto_checked_at";`);

    this.addSql(`alter table "groups" drop column "auto_responder";`);

    this.addSql(`alter table "message" drop constraint "message_draft_state_check";`);
    this.addSql(`alter table "message" drop constraint "message_kind_check";`);
    this.addSql(`alter table "message" drop column "draft_state";`);
    this.addSql(`alter table "message" add constraint "message_kind_check" check ("kind" in ('inbound', 'reply', 'note', 'ai', 'auto_response', 'system'));`);
  }

}
