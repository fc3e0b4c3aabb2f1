import { Migration } from '@mikro-orm/migrations';

export class Migration20261124171339 extends Migration {

  override name = 'Migration20261124171339';

  override up(): void | Promise<void> {
    this.addSql(`create index "conversation_unreplied_idx" on "conversation" ("group_id", "oldest_unreplied_at") include ("account_id", "unreplied_count", "visible_to_ids", "assignee_ids") where "status" = 'open' and "unreplied_count" > 0;`);
    this.addSql(`create index "conversation_unassigned_idx" on "conversation" ("group_id", "last_message_at") include ("account_id", "visible_to_ids") where "status" = 'open' and "assignee_ids" = '{}';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "conversation_unreplied_idx";`);
    this.addSql(`drop index "conversation_unassigned_idx";`);
  }

}
