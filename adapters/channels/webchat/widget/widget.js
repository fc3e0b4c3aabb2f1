/*
 * Parley webchat widget. Plain browser JavaScript, no framework, no build step.
 * Embed: <script src="https://parley.example.com/webchat/widget.js" data-widget="wid_support" async></script>
 * Optional: data-user-token="<HS256 JWT signed with the widget secret>" for a signed-in customer.
 * Customer and agent text is always rendered with textContent, never as HTML.
 * Language: the page's <html lang>, else the browser's; English and German ship (widget/strings.json,
 * put in for the strings placeholder when the server serves this file); a widget's `strings` setting
 * overrides them or adds languages.
 */
(() => {
  const script =
    document.currentScript ||
    [...document.querySelectorAll('script[data-widget]')].find((s) => /\/webchat\/widget\.js/.test(s.src));
  if (!script?.dataset.widget) return;
  const widget = script.dataset.widget;
  const userToken = script.dataset.userToken || '';
  const base = script.src.replace(/\/webchat\/widget\.js.*$/, '');
  window.__parleyWebchat = window.__parleyWebchat || {};
  if (window.__parleyWebchat[widget]) return;
  window.__parleyWebchat[widget] = true;

  // ---- saved state: the session token survives reloads (localStorage, memory if unavailable) ----
  const storeKey = `parley-webchat:${widget}`;
  let memory = {};
  const load = () => {
    try {
      return JSON.parse(localStorage.getItem(storeKey) || '{}');
    } catch {
      return memory;
    }
  };
  const save = (patch) => {
    memory = { ...load(), ...patch };
    try {
      localStorage.setItem(storeKey, JSON.stringify(memory));
    } catch {}
  };
  /** Who the page says the visitor is: the user token's subject, or "anonymous". */
  const who = (() => {
    if (!userToken) return 'anonymous';
    try {
      return `user:${JSON.parse(atob(userToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).sub}`;
    } catch {
      return `token:${userToken}`;
    }
  })();
  if (load().who !== who) save({ token: null, who, name: null }); // another person: never their history

  // ---- texts: the shipped ones, the widget's own (its `strings` setting), in the visitor's language ----
  const SHIPPED = __PARLEY_STRINGS__;
  let custom = load().strings || {}; // the widget's setting as last fetched: right from the first paint
  let lang = 'en';
  let locale = 'en';
  /** The first of the page's and the browser's languages the widget has texts for (exact, then primary). */
  function chooseLanguage() {
    const have = new Set([...Object.keys(SHIPPED), ...Object.keys(custom)]);
    const wanted = [document.documentElement.lang, ...(navigator.languages || []), navigator.language]
      .filter(Boolean)
      .map((l) => String(l).trim());
    for (const tag of wanted) {
      const lower = tag.toLowerCase();
      const primary = lower.split('-')[0];
      const found = have.has(lower) ? lower : have.has(primary) ? primary : null;
      if (found) {
        lang = found;
        try {
          locale = Intl.getCanonicalLocales(tag)[0];
        } catch {
          locale = found;
        }
        return;
      }
    }
    lang = 'en';
    locale = 'en';
  }
  chooseLanguage();
  /** A text by key, `{name}` placeholders filled: the widget's own, the shipped one, then English. */
  const t = (key, vars = {}) => {
    const primary = lang.split('-')[0];
    const text = [custom[lang], SHIPPED[lang], custom[primary], SHIPPED[primary], custom.en, SHIPPED.en]
      .map((set) => set?.[key])
      .find((v) => typeof v === 'string');
    return (text ?? key).replace(/\{(\w+)\}/g, (_, k) => vars[k] ?? '');
  };
  /** Static labels, set again when the language or the widget's texts change. */
  const labels = [];
  const label = (node, attr, key, vars) => {
    labels.push({ node, attr, key, vars });
    return node;
  };
  function relabel() {
    for (const { node, attr, key, vars } of labels) {
      const text = t(key, typeof vars === 'function' ? vars() : vars);
      if (attr) node.setAttribute(attr, text);
      else node.textContent = text;
    }
  }

  // ---- the DOM, inside a shadow root so the site's CSS and ours never mix ----
  const host = document.createElement('div');
  host.id = `parley-webchat-${widget}`;
  const root = host.attachShadow({ mode: 'open' });
  const el = (tag, attrs = {}, children = []) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    for (const c of children) node.append(c);
    return node;
  };
  // Icons are inline SVG, not emoji: a page's fonts may have no emoji glyphs.
  const icon = (d, size) => {
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    for (const [k, v] of Object.entries({
      viewBox: '0 0 24 24',
      width: size,
      height: size,
      'aria-hidden': 'true',
    })) {
      svg.setAttribute(k, v);
    }
    const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('d', d);
    path.setAttribute('fill', 'currentColor');
    svg.append(path);
    return svg;
  };
  const CHAT_ICON = 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z';
  const CLIP_ICON =
    'M16.5 6.5v9.5a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10a1.5 1.5 0 0 1-3 0V6.5H9V15a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11a6 6 0 0 0 12 0V6.5z';
  const style = el('style');
  style.textContent = `
    :host { all: initial; font: 15px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2933; }
    .launcher { position: fixed; right: 20px; bottom: 20px; width: 56px; height: 56px; border-radius: 50%;
      border: 0; background: #2f54eb; color: #fff; cursor: pointer; z-index: 2147483000;
      display: flex; align-items: center; justify-content: center;
      box-shadow: 0 4px 14px rgba(0,0,0,.25); }
    .launcher:focus-visible, button:focus-visible, textarea:focus-visible { outline: 3px solid #ffb703; outline-offset: 2px; }
    .badge { position: absolute; top: -4px; right: -4px; min-width: 20px; height: 20px; border-radius: 10px;
      background: #d62828; color: #fff; font-size: 12px; line-height: 20px; }
    .panel { position: fixed; right: 20px; bottom: 88px; width: min(370px, calc(100vw - 40px));
      height: min(560px, calc(100vh - 120px)); background: #fff; border-radius: 12px; z-index: 2147483000;
      box-shadow: 0 8px 30px rgba(0,0,0,.25); display: flex; flex-direction: column; overflow: hidden; }
    .panel[hidden] { display: none; }
    header { background: #2f54eb; color: #fff; padding: 12px 14px; display: flex; align-items: center; }
    header h2 { font-size: 16px; margin: 0; flex: 1; }
    header button { background: none; border: 0; color: #fff; font-size: 22px; cursor: pointer; }
    .log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; }
    .msg { max-width: 80%; padding: 8px 11px; border-radius: 12px; white-space: pre-wrap; word-wrap: break-word; }
    .customer { align-self: flex-end; background: #2f54eb; color: #fff; }
    .agent, .ai { align-self: flex-start; background: #f1f3f5; }
    .author { display: block; font-size: 12px; font-weight: 600; color: #344054; margin-bottom: 2px; }
    .ai-label { font-weight: 400; background: #e0e7ff; color: #1e3a8a; border-radius: 6px; padding: 0 5px; margin-left: 4px; }
    .meta { display: flex; justify-content: flex-end; align-items: center; gap: 4px; font-size: 11px; margin-top: 3px; color: #475467; }
    .customer .meta { color: #fff; }
    .mark { display: inline-flex; }
    .mark[data-state="read"] { color: #bff4ff; }
    .intro { padding: 10px 14px; border-bottom: 1px solid #e4e7ec; font-size: 14px; }
    .intro:empty { display: none; }
    .intro p { margin: 0 0 4px; white-space: pre-wrap; }
    .availability { display: flex; align-items: center; gap: 6px; color: #344054; }
    .dot { flex: none; width: 8px; height: 8px; border-radius: 50%; background: #98a2b3; }
    .availability[data-open="true"] .dot { background: #12b76a; }
    .csat { display: flex; flex-direction: column; gap: 6px; margin-top: 6px; white-space: normal; }
    .csat-ratings { display: flex; gap: 4px; }
    .csat-rating { min-width: 36px; min-height: 36px; border: 1px solid #98a2b3; border-radius: 8px; background: #fff; color: #1f2933; cursor: pointer; }
    .csat-rating[aria-pressed="true"] { background: #2f54eb; border-color: #2f54eb; color: #fff; }
    .csat-comment { font: inherit; border: 1px solid #98a2b3; border-radius: 8px; padding: 6px; resize: vertical; }
    .csat-send { align-self: flex-start; border: 0; border-radius: 8px; background: #2f54eb; color: #fff; padding: 6px 12px; cursor: pointer; }
    .csat-send:disabled { background: #98a2b3; cursor: default; }
    .csat-done { margin-top: 6px; font-style: italic; }
    .pending .meta, .pending { font-style: italic; }
    .failed { background: #fde2e2; color: #7a1010; cursor: pointer; }
    .msg img { display: block; max-width: 100%; border-radius: 8px; margin-top: 4px; }
    .msg a { color: inherit; }
    .divider, .status { align-self: center; font-size: 12px; color: #667085; }
    form { border-top: 1px solid #e4e7ec; display: flex; flex-wrap: wrap; gap: 6px; padding: 8px; }
    .chips { flex-basis: 100%; display: flex; flex-wrap: wrap; gap: 4px; font-size: 12px; }
    .chips:empty { display: none; }
    .file { display: inline-flex; align-items: center; gap: 4px; }
    .chip { background: #eef2ff; border-radius: 8px; padding: 2px 8px; }
    textarea { flex: 1; resize: none; border: 1px solid #d0d5dd; border-radius: 8px; padding: 8px; font: inherit; }
    form button { border: 0; border-radius: 8px; background: #2f54eb; color: #fff; padding: 0 12px; cursor: pointer; }
    form .attach { background: #f1f3f5; color: #1f2933; font-size: 18px; }
    .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }`;
  // The launcher's label says the count; the badge only shows it.
  const badge = el('span', { class: 'badge', hidden: '', 'aria-hidden': 'true' });
  const launcher = el(
    'button',
    { class: 'launcher', type: 'button', 'aria-expanded': 'false', 'aria-controls': 'panel' },
    [icon(CHAT_ICON, '26'), badge],
  );
  label(launcher, 'aria-label', 'openChat');
  const closeButton = label(
    el('button', { type: 'button', class: 'close' }, ['×']),
    'aria-label',
    'closeChat',
  );
  const intro = el('div', { class: 'intro' });
  const log = label(
    el('div', { class: 'log', role: 'log', 'aria-live': 'polite' }),
    'aria-label',
    'messages',
  );
  const statusLine = el('div', { class: 'status', role: 'status' });
  const chips = label(el('div', { class: 'chips' }), 'aria-label', 'filesToSend');
  // Reached through the attach button; hidden from assistive technology, which has that button.
  const fileInput = el('input', {
    type: 'file',
    id: 'file',
    class: 'sr',
    multiple: '',
    tabindex: '-1',
    'aria-hidden': 'true',
  });
  label(fileInput, 'aria-label', 'attach');
  const attach = label(
    el('button', { type: 'button', class: 'attach' }, [icon(CLIP_ICON, '18')]),
    'aria-label',
    'attach',
  );
  const input = el('textarea', { rows: '2' });
  label(input, 'aria-label', 'messageLabel');
  label(input, 'placeholder', 'placeholder');
  const sendButton = label(el('button', { type: 'submit', class: 'send' }), null, 'send');
  const form = label(el('form', {}, [chips, fileInput, attach, input, sendButton]), 'aria-label', 'sendForm');
  const title = label(el('h2', { id: 'title' }), null, load().name ? 'titleNamed' : 'title', () => ({
    name: load().name,
  }));
  const panel = el(
    'div',
    { class: 'panel', id: 'panel', role: 'dialog', 'aria-labelledby': 'title', hidden: '' },
    [el('header', {}, [title, closeButton]), intro, log, statusLine, form],
  );
  const setTitle = (name) => {
    const entry = labels.find((l) => l.node === title);
    entry.key = name ? 'titleNamed' : 'title';
    relabel();
  };
  relabel();
  root.append(style, panel, launcher);
  document.body.append(host);

  // ---- talking to Parley ----
  let token = load().token || null;
  let lastEventId = null;
  let conversationId = null;
  let unread = 0;
  const shown = new Map(); // message id -> element
  /** A refusal as an Error the panel can show: the server's message, status, reason and Retry-After. */
  const refusal = async (res) => {
    const body = await res.json().catch(() => ({}));
    // Without Parley's message (a proxy's error page), a sentence rather than a bare status code.
    const fallback = res.status === 413 ? t('tooLarge') : t('failed');
    const err = new Error(body.error?.message || fallback);
    err.status = res.status;
    err.reason = body.error?.details?.reason;
    err.retryAfter = Number(res.headers.get('Retry-After')) || 0;
    return err;
  };
  /** The network failed, or the site is not one the widget is enabled for (the browser hides why). */
  const unreachable = () => new Error(t('unreachable'));
  const api = async (path, init = {}) => {
    const headers = { ...(init.headers || {}), ...(token ? { Authorization: `Bearer ${token}` } : {}) };
    const res = await fetch(`${base}/webchat/api/${path}`, { ...init, headers }).catch(() => {
      throw unreachable();
    });
    if (!res.ok) throw await refusal(res);
    return res.status === 204 ? null : res.json();
  };
  const postJson = (path, body) =>
    api(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  const say = (text) => {
    statusLine.textContent = text;
  };

  /** One session at a time: the history, an upload and a message started together share it. */
  let creating = null;
  function ensureSession() {
    if (token) return Promise.resolve();
    creating ??= postJson('sessions', { widget, ...(userToken ? { userToken } : {}) })
      .catch((err) => {
        // The page's sign-in token is short-lived: a page left open for long needs a reload.
        if (err.status === 401 && err.reason === 'expired') {
          err.message = t('signInExpired');
        }
        throw err;
      })
      .then((s) => {
        token = s.token;
        save({ token, who, name: s.name });
        setTitle(s.name);
        if (s.widget) applyInfo(s.widget);
      })
      .finally(() => {
        creating = null;
      });
    return creating;
  }
  /**
   * A call that must run in a session: a session that ended (unused for a long while) or no longer
   * exists is replaced once. A signed-in customer is back in their conversation; an anonymous
   * visitor starts a new chat, and the panel says so.
   */
  async function inSession(fn) {
    await ensureSession();
    const failedToken = token;
    try {
      return await fn();
    } catch (err) {
      if (err.status !== 401 || (err.reason !== 'unknown_session' && err.reason !== 'expired_session'))
        throw err;
      // Unless another call has replaced the session already.
      if (token === failedToken) {
        token = null;
        save({ token: null });
        if (!userToken) startOver();
      }
      await ensureSession();
      return fn();
    }
  }
  /**
   * An anonymous visitor's new session is a new chat: the stream (of the ended session) starts
   * again from the beginning, and the panel says why the earlier chat is gone.
   */
  function startOver() {
    lastEventId = null;
    conversationId = null;
    liveStream?.abort();
    const note = el('div', { class: 'divider' }, [t('chatEnded')]);
    log.insertBefore(note, log.querySelector('.pending'));
  }

  // ---- rendering ----
  const objectUrls = new Map();
  const fileUrl = async (id) => {
    if (!objectUrls.has(id)) {
      const res = await fetch(`${base}/webchat/api/files/${encodeURIComponent(id)}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      if (!res.ok) throw new Error(t('fileUnavailable'));
      objectUrls.set(id, URL.createObjectURL(await res.blob()));
    }
    return objectUrls.get(id);
  };
  function renderAttachment(a) {
    const label = a.name || a.kind;
    if (a.local) return el('div', { class: 'file' }, [icon(CLIP_ICON, '14'), label]);
    if (!a.available)
      return el('div', { class: 'file' }, [icon(CLIP_ICON, '14'), t('notAvailableYet', { name: label })]);
    if (a.kind === 'image') {
      const img = el('img', { alt: label });
      fileUrl(a.id).then(
        (u) => img.setAttribute('src', u),
        () => img.replaceWith(label),
      );
      return img;
    }
    const link = el('a', { href: '#', download: label, class: 'file' }, [icon(CLIP_ICON, '14'), label]);
    link.addEventListener('click', async (e) => {
      if (link.getAttribute('href') !== '#') return;
      e.preventDefault();
      link.setAttribute('href', await fileUrl(a.id));
      link.click();
    });
    return link;
  }
  // Message kinds. An ordinary message has no `kind`. A message the server sends with a `kind` is
  // drawn by `renderers[kind](message, body, tools)`, which fills `body` (a div inside the bubble,
  // after the author line) and may use tools.t (texts), tools.el (elements) and tools.postJson (the
  // API in the visitor's session). A kind with no renderer here is shown as an ordinary message,
  // its text and files: never dropped.
  const renderers = {
    /** R42: the rating request's question, then its card. */
    csat: (m, body) => {
      if (!m.survey) return false;
      if (m.text) body.append(document.createTextNode(m.text));
      surveyCard(body, m.survey);
    },
  };

  const CHECK_ICON = 'M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z';
  const CHECKS_ICON =
    'M18 7l-1.4-1.4-6.3 6.3 1.4 1.4L18 7zm4.2-1.4L11.7 16.2 7.5 12l-1.4 1.4 5.6 5.6 12-12zM.4 13.4 6 19l1.4-1.4L1.8 12z';
  const CLOCK_ICON =
    'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 18a8 8 0 1 1 0-16 8 8 0 0 1 0 16zm.5-13H11v6l5.2 3.2.8-1.3-4.5-2.7z';
  /** The mark on the customer's own message: its icon and its text (read by screen readers, shown as a tooltip). */
  const MARKS = {
    sending: [CLOCK_ICON, 'statusSending'],
    sent: [CHECK_ICON, 'statusSent'],
    delivered: [CHECKS_ICON, 'statusDelivered'],
    read: [CHECKS_ICON, 'statusRead'],
    failed: [null, 'statusFailed'],
  };
  function setMark(node, state) {
    const mark = node.querySelector(':scope > .meta > .mark');
    if (!mark || mark.dataset.state === state) return;
    const [path, key] = MARKS[state];
    mark.dataset.state = state;
    mark.title = t(key);
    mark.replaceChildren(...(path ? [icon(path, '14')] : []), el('span', { class: 'sr' }, [t(key)]));
  }

  const format = (d, opts) => new Intl.DateTimeFormat(locale, opts).format(d);
  const sameDay = (a, b) => a.toDateString() === b.toDateString();
  const HM = { hour: 'numeric', minute: '2-digit' };
  /** A message's time in the visitor's time zone and language: the time today, with the date before. */
  const clock = (d) => format(d, sameDay(d, new Date()) ? HM : { month: 'short', day: 'numeric', ...HM });
  /** A time ahead ("back at"): today the time, this week the weekday too, later the date. */
  const ahead = (d) => {
    const days = (d - Date.now()) / 86_400_000;
    if (sameDay(d, new Date())) return format(d, HM);
    return format(
      d,
      days < 6 ? { weekday: 'long', ...HM } : { weekday: 'short', month: 'short', day: 'numeric', ...HM },
    );
  };

  /** Who wrote it, as the team sees them; the visitor's own messages say so to screen readers only. */
  function authorLine(m) {
    if (m.from === 'customer') return el('span', { class: 'sr' }, [`${t('you')}: `]);
    if (m.from === 'ai') {
      return el('span', { class: 'author' }, [
        ...(m.authorName ? [m.authorName] : []),
        el('span', { class: 'ai-label' }, [t('assistant')]),
      ]);
    }
    return el('span', { class: 'author' }, [m.automatic ? t('automatic') : m.authorName || t('agent')]);
  }

  /** A message's bubble: author, text (or its kind's card), files, then its time and (the visitor's own) mark. */
  function bubble(m) {
    const node = el('div', { class: `msg ${m.from}` });
    node.append(authorLine(m));
    const body = el('div', { class: 'body' });
    const draw = m.kind ? renderers[m.kind] : null;
    let drawn = false;
    if (draw) {
      try {
        drawn = draw(m, body, { t, el, postJson }) !== false;
      } catch {
        drawn = false;
        body.replaceChildren();
      }
    }
    if (!drawn) {
      if (m.text) body.append(document.createTextNode(m.text));
      for (const a of m.attachments || []) body.append(renderAttachment(a));
    }
    node.append(body);
    const at = m.at ? new Date(m.at) : new Date();
    const meta = el('div', { class: 'meta' }, [el('time', { datetime: at.toISOString() }, [clock(at)])]);
    node.append(meta);
    if (m.from === 'customer') {
      meta.append(el('span', { class: 'mark' }));
      if (m.seq) {
        node.dataset.seq = String(m.seq);
        node.dataset.conversationId = m.conversationId;
      }
      setMark(node, m.seq ? stateOf(m.conversationId, m.seq) : 'sending');
    }
    log.append(node);
    log.scrollTop = log.scrollHeight;
    return node;
  }
  /**
   * R42: a rating request as a card under its question: five buttons, an optional comment and Send,
   * answered to POST /webchat/api/csat. Sent again after a reload, the first answer stands (thanks
   * again); a request no longer open says so.
   */
  function surveyCard(node, survey) {
    let rating = 0;
    const buttons = [1, 2, 3, 4, 5].map((n) => {
      const b = el(
        'button',
        {
          type: 'button',
          class: 'csat-rating',
          'aria-pressed': 'false',
          'aria-label': t('csatRating', { n }),
        },
        [String(n)],
      );
      b.addEventListener('click', () => {
        rating = n;
        for (const o of buttons) o.setAttribute('aria-pressed', String(o === b));
        send.disabled = false;
      });
      return b;
    });
    const comment = el('textarea', {
      class: 'csat-comment',
      rows: '2',
      maxlength: '1000',
      'aria-label': t('csatComment'),
      placeholder: t('csatComment'),
    });
    const send = el('button', { type: 'button', class: 'csat-send' }, [t('csatSend')]);
    send.disabled = true;
    const card = el('div', { class: 'csat', role: 'group', 'aria-label': t('csatGroup') }, [
      el('div', { class: 'csat-ratings' }, buttons),
      comment,
      send,
    ]);
    const done = (text) => card.replaceWith(el('div', { class: 'csat-done' }, [text]));
    send.addEventListener('click', async () => {
      send.disabled = true;
      try {
        const text = comment.value.trim();
        await inSession(() =>
          postJson('csat', { surveyId: survey.id, rating, ...(text ? { comment: text } : {}) }),
        );
        done(t('csatThanks'));
      } catch (err) {
        if (err.status === 404) return done(err.message);
        say(err.message);
        send.disabled = false;
      }
    });
    node.append(card);
  }

  // ---- receipts of the visitor's own messages (the server's: see the README, "Webchat") ----
  const receipts = new Map(); // conversationId -> { deliveredSeq, readSeq }
  function stateOf(conv, seq) {
    const r = receipts.get(conv);
    if (r && seq <= r.readSeq) return 'read';
    if (r && seq <= r.deliveredSeq) return 'delivered';
    return 'sent';
  }
  function applyReceipts(r) {
    if (!r?.conversationId) return;
    receipts.set(r.conversationId, r);
    for (const node of log.querySelectorAll('.msg.customer[data-seq]')) {
      if (node.dataset.conversationId === r.conversationId)
        setMark(node, stateOf(r.conversationId, Number(node.dataset.seq)));
    }
  }

  // ---- the panel's top: the group's greeting and whether the team is there (R37) ----
  let info = null;
  let infoAt = 0;
  function drawIntro() {
    if (!info) return;
    const parts = [];
    if (info.greeting) parts.push(el('p', { class: 'greeting' }, [info.greeting]));
    const a = info.availability;
    if (a) {
      const text = a.open
        ? t('openNow')
        : a.nextOpenAt
          ? t('backAt', { time: ahead(new Date(a.nextOpenAt)) })
          : null;
      if (text) {
        parts.push(
          el('p', { class: 'availability', 'data-open': String(a.open) }, [
            el('span', { class: 'dot', 'aria-hidden': 'true' }),
            text,
          ]),
        );
      }
      if (!a.open && a.awayMessage) parts.push(el('p', { class: 'away' }, [a.awayMessage]));
    }
    intro.replaceChildren(...parts);
  }
  function applyInfo(next) {
    info = next;
    infoAt = Date.now();
    const strings = next.strings || {};
    if (JSON.stringify(strings) !== JSON.stringify(custom)) {
      custom = strings;
      save({ strings });
      chooseLanguage();
      relabel();
    }
    drawIntro();
  }
  /** The greeting, availability and texts; again on opening when older than a minute (the hours move on). */
  async function refreshInfo() {
    try {
      const res = await fetch(`${base}/webchat/api/settings?widget=${encodeURIComponent(widget)}`);
      if (res.ok) applyInfo(await res.json());
    } catch {}
  }
  /** `live`: it came on the stream (new to the visitor), not with the history. */
  function show(m, live) {
    if (shown.has(m.id)) return;
    if (m.conversationId !== conversationId) {
      if (conversationId) log.append(el('div', { class: 'divider' }, [t('newConversation')]));
      conversationId = m.conversationId;
      latestSeq = 0;
      ackedSeq = { delivered: 0, read: 0 };
    }
    const pending = log.querySelector(`[data-message-id="${m.id}"]`);
    const node = bubble(m);
    if (pending) pending.replaceWith(node);
    shown.set(m.id, node);
    if (m.from !== 'customer') {
      acknowledge(m.seq);
      if (live && panel.hidden) setUnread(unread + 1);
    }
  }
  const setUnread = (n) => {
    unread = n;
    badge.textContent = String(n);
    badge.hidden = n === 0;
    const entry = labels.find((l) => l.node === launcher);
    entry.key = n ? 'openChatUnread' : 'openChat';
    entry.vars = { count: n };
    launcher.setAttribute('aria-label', t(entry.key, entry.vars));
  };

  // ---- receipts: delivered when shown, read when the open panel is seen ----
  let ackedSeq = { delivered: 0, read: 0 };
  let latestSeq = 0;
  function acknowledge(seq) {
    latestSeq = Math.max(latestSeq, seq);
    const seen = !panel.hidden && document.visibilityState === 'visible';
    const state = seen ? 'read' : 'delivered';
    if (!conversationId || ackedSeq[state] >= latestSeq) return;
    ackedSeq[state] = latestSeq;
    postJson('ack', { conversationId, seq: latestSeq, state }).catch(() => {});
  }
  document.addEventListener('visibilitychange', () => latestSeq && acknowledge(latestSeq));

  // ---- live: Server-Sent Events over fetch (so the token travels in a header, not the URL) ----
  let streaming = false;
  let tooManyTabs = false;
  let liveStream = null; // the open stream's AbortController
  async function stream() {
    if (streaming) return;
    streaming = true;
    let delay = 1000;
    for (;;) {
      const controller = new AbortController();
      liveStream = controller;
      let watchdog;
      const feed = () => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => controller.abort(), 60_000);
      };
      try {
        await inSession(async () => {
          const headers = {
            Authorization: `Bearer ${token}`,
            ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}),
          };
          const res = await fetch(`${base}/webchat/api/stream`, { headers, signal: controller.signal });
          if (!res.ok) throw await refusal(res);
          if (tooManyTabs) say('');
          tooManyTabs = false;
          feed();
          const reader = res.body.getReader();
          const decoder = new TextDecoder();
          let buffer = '';
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            feed();
            buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
            let end = buffer.indexOf('\n\n');
            while (end >= 0) {
              onEvent(buffer.slice(0, end));
              buffer = buffer.slice(end + 2);
              end = buffer.indexOf('\n\n');
            }
          }
        });
        delay = 1000;
      } catch (err) {
        // Refused (no session, unknown widget): retrying cannot help. Network errors and 5xx retry.
        if (err.status >= 400 && err.status < 500 && err.status !== 429) {
          streaming = false;
          return;
        }
        // Too many tabs open on this chat: say so, and come back when the server says.
        if (err.status === 429) {
          tooManyTabs = true;
          say(err.message);
          delay = Math.max(delay, err.retryAfter * 1000);
        }
      } finally {
        clearTimeout(watchdog);
      }
      await new Promise((r) => setTimeout(r, delay + Math.random() * 500));
      delay = Math.min(delay * 2, 15_000);
    }
  }
  function onEvent(block) {
    let event = 'message';
    let id = null;
    const data = [];
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const at = line.indexOf(':');
      const field = at < 0 ? line : line.slice(0, at);
      const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
    }
    if (data.length === 0) return;
    if (event === 'receipts') return applyReceipts(JSON.parse(data.join('\n')));
    if (event !== 'message') return;
    show(JSON.parse(data.join('\n')), true);
    if (id) lastEventId = id;
  }

  // ---- sending ----
  let attached = []; // uploaded files waiting for the next message
  const newId = () =>
    crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  async function sendMessage(text, files, clientMessageId, node) {
    node.classList.remove('failed');
    node.classList.add('pending');
    setMark(node, 'sending');
    for (let attempt = 1; ; attempt++) {
      try {
        const body = {
          clientMessageId,
          ...(text ? { text } : {}),
          ...(files.length ? { attachmentIds: files.map((f) => f.id) } : {}),
        };
        const r = await inSession(() => postJson('messages', body));
        node.dataset.messageId = r.messageId;
        if (shown.has(r.messageId)) node.remove();
        else {
          node.classList.remove('pending');
          setMark(node, 'sent');
        }
        return;
      } catch (err) {
        // A network blip or a server error: the same clientMessageId makes the retry one message.
        if ((err.status && err.status < 500) || attempt >= 3) {
          node.classList.replace('pending', 'failed');
          setMark(node, 'failed');
          node.title = `${err.message} ${t('statusFailed')}`;
          say(err.message);
          // Tried again by a click, or from the keyboard (Tab to it, Enter or Space).
          const retry = () => {
            node.onclick = null;
            node.onkeydown = null;
            node.removeAttribute('tabindex');
            node.removeAttribute('role');
            sendMessage(text, files, clientMessageId, node);
          };
          node.onclick = retry;
          node.setAttribute('tabindex', '0');
          node.setAttribute('role', 'button');
          node.onkeydown = (e) => {
            if (e.key !== 'Enter' && e.key !== ' ') return;
            e.preventDefault();
            retry();
          };
          return;
        }
        await new Promise((r) => setTimeout(r, 800 * attempt));
      }
    }
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text && attached.length === 0) return;
    const files = attached;
    attached = [];
    chips.replaceChildren();
    input.value = '';
    say('');
    const node = bubble({ from: 'customer', text, attachments: files.map((f) => ({ ...f, local: true })) });
    sendMessage(text, files, newId(), node);
    stream();
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  attach.addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', async () => {
    for (const file of [...fileInput.files]) {
      const chip = el('span', { class: 'chip' }, [t('uploading', { name: file.name })]);
      chips.append(chip);
      try {
        const data = new FormData();
        data.append('file', file);
        const up = await inSession(() => api('uploads', { method: 'POST', body: data }));
        attached.push(up);
        chip.replaceChildren(icon(CLIP_ICON, '12'), t('attached', { name: up.name }));
      } catch (err) {
        chip.remove();
        say(err.message);
      }
    }
    fileInput.value = '';
    input.focus();
  });

  // ---- opening and closing ----
  async function open() {
    panel.hidden = false;
    launcher.setAttribute('aria-expanded', 'true');
    save({ open: true });
    setUnread(0);
    input.focus();
    if (latestSeq) acknowledge(latestSeq);
    if (Date.now() - infoAt > 60_000) refreshInfo();
    try {
      await start();
    } catch (err) {
      say(err.message);
    }
  }
  function close() {
    panel.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    save({ open: false });
    launcher.focus();
  }
  launcher.addEventListener('click', () => (panel.hidden ? open() : close()));
  closeButton.addEventListener('click', close);
  panel.addEventListener('keydown', (e) => e.key === 'Escape' && close());

  let started = null;
  /** History first, then the live stream from where the history ends. */
  function start() {
    started ??= inSession(() => api('history')).then(
      (h) => {
        for (const m of h.messages) show(m, false);
        applyReceipts(h.receipts);
        lastEventId = h.lastEventId;
        stream();
      },
      (err) => {
        started = null;
        throw err;
      },
    );
    return started;
  }
  // A returning visitor reconnects at once (replies reach them while they browse); a new one
  // gets a session only when they open the chat.
  refreshInfo();
  if (token) start().catch(() => {});
  if (load().open) open();
})();
