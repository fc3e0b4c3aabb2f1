import { Migration } from '@mikro-orm/migrations';

export class Migration20261204000156 extends Migration {

  override name = 'Migration20261204000156';

  override up(): void | Promise<void> {
    this.addSql(`create table "internal_post" ("id" uuid not null, "chat_id" uuid not null, "message_id" uuid not null, "user_id" uuid not null, "surface" varchar(255) not null, "ref" jsonb null, "thread_key" varchar(255) null, "attempted_at" timestamptz not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "internal_post_surface_thread_key_index" on "internal_post" ("surface", "thread_key");`);
    this.addSql(`alter table "internal_post" add constraint "internal_post_message_id_user_id_surface_unique" unique ("message_id", "user_id", "surface");`);

    this.addSql(`alter table "internal_message" add "source_key" varchar(255) null, add "written_on" varchar(255) null, add "posted_at" timestamptz null;`);
    this.addSql(`alter table "internal_message" add constraint "internal_message_source_key_unique" unique ("source_key");`);
    this.addSql(`create index "internal_message_posted_at_created_at_index" on "internal_message" ("posted_at", "created_at");`);

    this.addSql(`alter table "internal_post" add constraint "internal_post_chat_id_foreign" foreign key ("chat_id") references "internal_chat" ("id") on delete cascade;`);
    this.addSql(`alter table "internal_post" add constraint "internal_post_message_id_foreign" foreign key ("message_id") references "internal_message" ("id") on delete cascade;`);
    this.addSql(`alter table "internal_post" add constraint "internal_post_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "internal_post" cascade;`);

    this.addSql(`alter table "internal_message" drop constraint "internal_message_source_key_unique";`);
    this.addSql(`drop index "internal_message_posted_at_created_at_index";`);
    this.addSql(`alter table "internal_message" drop column "source_key", drop column "written_on", drop column "posted_at";`);
  }

}
