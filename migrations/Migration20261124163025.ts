import { Migration } from '@mikro-orm/migrations';

export class Migration20261124163025 extends Migration {

  override name = 'Migration20261124163025';

  override up(): void | Promise<void> {
    this.addSql(`create table "surface_post" ("id" uuid not null, "thread_id" uuid not null, "message_id" uuid not null, "ref" jsonb not null default '{}', "shown_state" varchar(255) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "surface_post_message_id_index" on "surface_post" ("message_id");`);
    this.addSql(`alter table "surface_post" add constraint "surface_post_thread_id_message_id_unique" unique ("thread_id", "message_id");`);

    this.addSql(`alter table "surface_thread" add "header_shown" text null, add "header_shown_at" timestamptz null;`);
    this.addSql(`create index "surface_thread_place_ref_idx" on "surface_thread" ((ref->>'channel'), (ref->>'ts'));`);

    this.addSql(`alter table "message" add "source_ref" varchar(255) null;`);
    this.addSql(`create unique index "message_source_ref_unique" on "message" ("source_ref") where source_ref is not null;`);

    this.addSql(`alter table "surface_post" add constraint "surface_post_thread_id_foreign" foreign key ("thread_id") references "surface_thread" ("id") on delete cascade;`);
    this.addSql(`alter table "surface_post" add constraint "surface_post_message_id_foreign" foreign key ("message_id") references "message" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "surface_post" cascade;`);

    this.addSql(`drop index "message_source_ref_unique";`);
    this.addSql(`alter table "message" drop column "source_ref";`);

    this.addSql(`drop index "surface_thread_place_ref_idx";`);
    this.addSql(`alter table "surface_thread" drop column "header_shown", drop column "header_shown_at";`);
  }

}
