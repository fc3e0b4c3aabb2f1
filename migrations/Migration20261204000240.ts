import { Migration } from '@mikro-orm/migrations';

export class Migration20261204000240 extends Migration {

  override name = 'Migration20261204000240';

  override up(): void | Promise<void> {
    this.addSql(`create table "payment_event" ("id" uuid not null, "provider" varchar(255) not null, "event_id" varchar(255) not null, "type" varchar(255) not null, "outcome" text not null, "session_id" varchar(255) null, "invoice_id" uuid null, "checkout_id" uuid null, "occurred_at" timestamptz not null, "applied_at" timestamptz null, "result" text null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "payment_event_unapplied_idx" on "payment_event" ("created_at") where "applied_at" is null;`);
    this.addSql(`alter table "payment_event" add constraint "payment_event_key" unique ("provider", "event_id");`);

    this.addSql(`alter table "invoice" add "link_state" text null, add "link_attempt" int not null default 0, add "link_expires_at" timestamptz null, add "link_error" text null, add "requested_by_id" uuid null;`);
    this.addSql(`alter table "invoice" add constraint "invoice_requested_by_id_foreign" foreign key ("requested_by_id") references "users" ("id") on delete set null;`);
    this.addSql(`create index "invoice_link_pending_idx" on "invoice" ("created_at") where "link_state" = 'pending';`);
    this.addSql(`alter table "invoice" add constraint "invoice_link_state_check" check ("link_state" in ('pending', 'issued', 'failed', 'expired', 'cancelled'));`);

    this.addSql(`alter table "checkout" add "link_state" text null, add "link_attempt" int not null default 0, add "link_expires_at" timestamptz null, add "link_error" text null, add "requested_by_id" uuid null;`);
    this.addSql(`alter table "checkout" add constraint "checkout_requested_by_id_foreign" foreign key ("requested_by_id") references "users" ("id") on delete set null;`);
    this.addSql(`create index "checkout_link_pending_idx" on "checkout" ("created_at") where "link_state" = 'pending';`);
    this.addSql(`alter table "checkout" add constraint "checkout_link_state_check" check ("link_state" in ('pending', 'issued', 'failed', 'expired', 'cancelled'));`);

    this.addSql(`alter table "payment_event" add constraint "payment_event_outcome_check" check ("outcome" in ('paid', 'processing', 'expired', 'failed', 'ignored'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "payment_event" cascade;`);

    this.addSql(`alter table "checkout" drop constraint "checkout_requested_by_id_foreign";`);

    this.addSql(`alter table "invoice" drop constraint "invoice_requested_by_id_foreign";`);

    this.addSql(`drop index "checkout_link_pending_idx";`);
    this.addSql(`alter table "checkout" drop constraint "checkout_link_state_check";`);
    this.addSql(`alter table "checkout" drop column "link_state", drop column "link_attempt", drop column "link_expires_at", drop column "link_error", drop column "requested_by_id";`);

    this.addSql(`drop index "invoice_link_pending_idx";`);
    this.addSql(`alter table "invoice" drop constraint "invoice_link_state_check";`);
    this.addSql(`alter table "invoice" drop column "link_state", drop column "link_attempt", drop column "link_expires_at", drop column "link_error", drop column "requested_by_id";`);
  }

}
