import { Migration } from '@mikro-orm/migrations';

export class Migration20261204050104 extends Migration {

  override name = 'Migration20261204050104';

  override up(): void | Promise<void> {
    this.addSql(`alter table "groups" drop constraint "groups_account_id_name_unique";`);
    // Added to the generated migration (a data change MikroORM cannot generate): groups whose names
    // differ only in case would stop the unique index. The oldest keeps its name; each later one
    // gets " (2)", " (3)"… (the first number no group of the account uses), and nothing else changes.
    this.addSql(`do $$
      declare dup record; n int; candidate text;
      begin
        for dup in
          select id, account_id, name from (
            select id, account_id, name,
              row_number() over (partition by account_id, lower(name) order by created_at, id) as rank
            from "groups") ranked
          where rank > 1 order by account_id, lower(name), rank
        loop
          n := 2;
          loop
            candidate := dup.name || ' (' || n || ')';
            exit when not exists (
              select 1 from "groups" where account_id = dup.account_id and lower(name) = lower(candidate));
            n := n + 1;
          end loop;
          update "groups" set name = candidate where id = dup.id;
        end loop;
      end $$;`);
    this.addSql(`create unique index "groups_account_id_lower_name_unique" on "groups" ("account_id", lower("name"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "groups_account_id_lower_name_unique";`);
    this.addSql(`alter table "groups" add constraint "groups_account_id_name_unique" unique ("account_id", "name");`);
  }

}
