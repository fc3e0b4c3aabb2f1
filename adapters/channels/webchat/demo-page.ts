import { html } from 'hono/html';

/**
 * `GET /webchat/demo`: a page that embeds the widget, so a new user can try Parley in a browser
 * right after `npm start`. Every value is escaped by `html` (names come from the database).
 */
export interface DemoWidget {
  address: string;
  name: string;
  groupName: string;
}

const page = (body: unknown) => html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Parley webchat demo</title>
    <style>
      body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 3rem auto; padding: 0 1rem; color: #1f2933; }
      code, pre { background: #f1f3f5; border-radius: 4px; }
      code { padding: 0.1rem 0.3rem; }
      pre { padding: 0.75rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
    </style>
  </head>
  <body>
    ${body}
  </body>
</html>`;

export function demoPage(widget: DemoWidget | null, publicUrl: string, requested?: string) {
  if (!widget) {
    return page(html`<h1>Parley webchat demo</h1>
      <p>
        ${requested ? html`There is no webchat widget <code>${requested}</code>.` : 'No webchat widget is set up yet.'}
        Create one for a group, then reload this page:
      </p>
      <pre>npx parley endpoints create --group Support --channel webchat --address wid_support --name "Site chat"</pre>
      <p>(Create the group first with <code>npx parley groups create Support</code> if you have none.)</p>`);
  }
  const snippet = `<script src="${publicUrl}/webchat/widget.js" data-widget="${widget.address}" async></script>`;
  return page(html`<h1>Parley webchat demo</h1>
    <p>
      This page embeds the widget <strong>${widget.name}</strong> (<code>${widget.address}</code>) of the group
      <strong>${widget.groupName}</strong>. Open the chat with the button at the bottom right and write: the
      message arrives in the group's Team inbox, and the team's replies appear here live.
    </p>
    <h2>Put it on your site</h2>
    <pre>${snippet}</pre>
    <p>
      To chat as a signed-in customer, add <code>data-user-token="…"</code>: an HS256 JWT your server signs with
      the widget's <code>secret</code> setting, with <code>sub</code> (the customer's id on your site),
      optional <code>name</code> and <code>email</code>, and <code>exp</code>.
    </p>
    <script src="/webchat/widget.js" data-widget="${widget.address}" async></script>`);
}
