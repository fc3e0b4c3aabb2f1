import { Migration } from '@mikro-orm/migrations';

export class Migration20261124171336 extends Migration {

  override name = 'Migration20261124171336';

  override up(): void | Promise<void> {
    this.addSql(`drop index "conversation_assignee_ids_gin";`);
    this.addSql(`drop index "conversation_group_id_status_last_message_at_index";`);
    this.addSql(`drop index "conversation_unassigned_idx";`);
    this.addSql(`drop index "conversation_unreplied_idx";`);
    this.addSql(`create index "conversation_group_id_status_last_message_at_id_index" on "conversation" ("group_id", "status", "last_message_at", "id");`);
    this.addSql(`create index "conversation_open_assignee_ids_gin" on "conversation" using gin ("assignee_ids") where "status" = 'open';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "conversation_group_id_status_last_message_at_id_index";`);
    this.addSql(`drop index "conversation_open_assignee_ids_gin";`);
    this.addSql(`create index "conversation_assignee_ids_gin" on "conversation" using gin ("assignee_ids");`);
    this.addSql(`create index "conversation_group_id_status_last_message_at_index" on "conversation" ("group_id", "status", "last_message_at");`);
    this.addSql(`create index "conversation_unassigned_idx" on "conversation" ("group_id", "last_message_at") where "status" = 'open' and "assignee_ids" = '{}';`);
    this.addSql(`create index "conversation_unreplied_idx" on "conversation" ("group_id", "oldest_unreplied_at") where "status" = 'open' and "unreplied_count" > 0;`);
  }

}
