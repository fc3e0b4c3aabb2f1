import { Migration } from '@mikro-orm/migrations';

export class Migration20261204000035 extends Migration {

  override name = 'Migration20261204000035';

  override up(): void | Promise<void> {
    this.addSql(`alter table "broadcast" add "attachments" jsonb not null default '[]', add "state" varchar(255) not null default 'finished', add "total" int not null default 0, add "next_batch_due_at" timestamptz null, add "finished_at" timestamptz null, add "progress_posts" jsonb not null default '{}', add "progress_shown" varchar(255) null, add "progress_shown_at" timestamptz null;`);
    this.addSql(`create index "broadcast_sending_idx" on "broadcast" ("next_batch_due_at") where "state" = 'sending';`);

    this.addSql(`alter table "broadcast_recipient" add "refused_code" varchar(255) null, add "state" varchar(255) not null default 'sent', add "processed_at" timestamptz null;`);
    this.addSql(`create index "broadcast_recipient_broadcast_id_state_index" on "broadcast_recipient" ("broadcast_id", "state");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "broadcast_sending_idx";`);
    this.addSql(`alter table "broadcast" drop column "attachments", drop column "state", drop column "total", drop column "next_batch_due_at", drop column "finished_at", drop column "progress_posts", drop column "progress_shown", drop column "progress_shown_at";`);

    this.addSql(`drop index "broadcast_recipient_broadcast_id_state_index";`);
    this.addSql(`alter table "broadcast_recipient" drop column "refused_code", drop column "state", drop column "processed_at";`);
  }

}
