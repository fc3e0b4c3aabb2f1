import { Migration } from '@mikro-orm/migrations';

export class Migration20261204000116 extends Migration {

  override name = 'Migration20261204000116';

  override up(): void | Promise<void> {
    this.addSql(`alter table "invoice" add "due_date" date null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "invoice" drop column "due_date";`);
  }

}
