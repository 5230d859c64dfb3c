// The catalog page: thin bindings over the catalog API of the operator that serves it. Every call carries
// the bearer token the person signed in with (kept in sessionStorage: this tab only, never in a URL); the
// table is fed by the SSE watch, read with fetch() because EventSource cannot send an Authorization header.
// Everything shown is set as text (never as HTML): an agent's card is written by whoever runs the agent.
'use strict';

(() => {
  const TOKEN_KEY = 'agentlens.token';
  const NO_TOKEN = '-';
  const $ = (id) => document.getElementById(id);

  const state = {
    token: sessionStorage.getItem(TOKEN_KEY),
    entries: new Map(),      // name -> catalog item as /api/v1/agents shows it
    synced: false,
    lastEventId: null,
    watch: null,             // AbortController of the open watch
    retry: 0,
    search: null,            // null: no search; else { query, names: Map(name -> rank) }
    searchTimer: 0,
    renderQueued: false,
    shownAgent: undefined,
    operatorTimer: 0,
  };

  // ---- the API -----------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  function headers(extra) {
    const h = new Headers(extra || {});
    if (state.token && state.token !== NO_TOKEN) h.set('Authorization', 'Bearer ' + state.token);
    return h;
  }

  async function messageOf(response) {
    try {
      const body = await response.json();
      if (body && typeof body.message === 'string') return body.message;
    } catch { /* not JSON */ }
    return response.status + ' ' + response.statusText;
  }

  async function api(path) {
    const response = await fetch(path, { headers: headers({ Accept: 'application/json' }), cache: 'no-store', credentials: 'omit' });
    if (!response.ok) throw new ApiError(response.status, await messageOf(response));
    return response.json();
  }

  // ---- an item's fields, as the table shows them ---------------------------------------------------------

  const KINDS = {
    'a2a.skill': 'Skills', 'mcp.tool': 'Tools', 'mcp.resource': 'Resources', 'mcp.prompt': 'Prompts',
    'a2a.interface': 'Interfaces', 'a2a.extension': 'Extensions',
    'a2a.security_scheme': 'Security schemes', 'a2a.security_requirement': 'Security requirements', 'a2a.signature': 'Signatures',
  };
  const COUNTED = ['a2a.skill', 'mcp.tool', 'mcp.resource', 'mcp.prompt'];

  function fields(item) {
    const t = item.agentType || null;
    const spec = (t && t.spec) || {};
    const status = (t && t.status) || {};
    const labels = item.labels || {};
    const caps = Array.isArray(status.capabilities) ? status.capabilities : [];
    const source = spec.source || {};
    return {
      name: item.name,
      display: status.displayName || item.name,
      namespace: (!item.push && source.type === 'kubernetes' && source.namespace) || item.namespace || '',
      protocol: spec.protocol || labels['agentlens.io/protocol'] || '',
      lifecycle: t ? (status.lifecycle || 'Registered') : 'Invalid',
      capabilities: caps.filter((c) => COUNTED.includes(c.kind)).length,
      team: spec.team || '',
      version: status.version || '',
      signed: labels['agentlens.io/signed'] || '',
    };
  }

  // ---- small DOM helpers (text only) ---------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') node.textContent = v;
      else if (k === 'class') node.className = v;
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function badge(text, cls) { return el('span', { class: 'badge ' + cls, text }); }

  function facts(pairs) {
    const dl = el('dl', { class: 'facts' });
    for (const [k, v] of pairs) {
      if (v === null || v === undefined || v === '') continue;
      dl.append(el('dt', { text: k }), el('dd', {}, v));
    }
    return dl;
  }

  function showError(text) {
    const box = $('error');
    box.textContent = text || '';
    box.hidden = !text;
  }

  function time(value) {
    if (!value) return '';
    const d = new Date(value);
    return isNaN(d) ? String(value) : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  }

  // ---- views ---------------------------------------------------------------------------------------------

  const VIEWS = ['sign-in', 'catalog', 'agent', 'operator'];

  function show(view, focus) {
    for (const v of VIEWS) $('view-' + v).hidden = v !== view;
    const signedIn = view !== 'sign-in';
    $('nav').hidden = !signedIn;
    $('who').hidden = !signedIn || state.token === NO_TOKEN;
    current($('nav-catalog'), view === 'catalog' || view === 'agent');
    current($('nav-operator'), view === 'operator');
    if (focus) {
      const title = document.querySelector('#view-' + view + ' h2');
      if (title) title.focus();
    }
  }

  function current(link, on) {
    if (on) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }

  function route(focus) {
    showError('');
    if (!state.token) { show('sign-in', focus); return; }
    const hash = location.hash.replace(/^#/, '');
    const agent = /^\/agents\/(.+)$/.exec(hash);
    if (agent) { show('agent', focus); renderAgent(decodeURIComponent(agent[1])); return; }
    if (hash === '/operator') { show('operator', focus); loadOperator(); return; }
    show('catalog', focus);
    queueRender();
  }

  // ---- the catalog table ---------------------------------------------------------------------------------

  const FILTERS = ['protocol', 'namespace', 'team', 'lifecycle', 'signed'];
  const FIXED = {
    protocol: ['a2a', 'mcp', 'a2ui'],
    lifecycle: ['Registered', 'Active', 'Degraded', 'Offline'],
    signed: ['verified', 'unverified', 'unsigned'],
  };

  function fillFilters(rows) {
    for (const key of FILTERS) {
      const select = $('f-' + key);
      const current = select.value;
      const values = new Set(FIXED[key] || []);
      for (const r of rows) if (r[key]) values.add(r[key]);
      if (current) values.add(current);
      const wanted = ['', ...[...values].sort()];
      const have = [...select.options].map((o) => o.value);
      if (wanted.length === have.length && wanted.every((v, i) => v === have[i])) continue;
      select.replaceChildren(...wanted.map((v) => el('option', { value: v, text: v === '' ? 'All' : v })));
      select.value = current;
    }
  }

  function queueRender() {
    if (state.renderQueued) return;
    state.renderQueued = true;
    requestAnimationFrame(() => { state.renderQueued = false; renderTable(); if (!$('view-agent').hidden) renderAgentFromHash(); });
  }

  function renderTable() {
    const all = [...state.entries.values()].map(fields);
    fillFilters(all);
    const chosen = Object.fromEntries(FILTERS.map((k) => [k, $('f-' + k).value]));
    let rows = all.filter((r) => FILTERS.every((k) => !chosen[k] || r[k] === chosen[k]));
    if (state.search) {
      const ranks = state.search.names;
      rows = rows.filter((r) => ranks.has(r.name)).sort((a, b) => ranks.get(a.name) - ranks.get(b.name));
    } else {
      rows.sort((a, b) => a.display.localeCompare(b.display) || a.name.localeCompare(b.name));
    }

    const body = document.querySelector('#agents tbody');
    const out = rows.map((r) => {
      const link = el('a', { href: '#/agents/' + encodeURIComponent(r.name), text: r.display });
      const cells = [
        ['Name', link], ['Namespace', r.namespace], ['Protocol', r.protocol],
        ['Lifecycle', badge(r.lifecycle, 'lc-' + r.lifecycle)], ['Capabilities', String(r.capabilities)],
        ['Team', r.team], ['Version', r.version], ['Signed', r.signed ? badge(r.signed, 'sig-' + r.signed) : ''],
      ];
      const tr = el('tr', { 'data-name': r.name, 'data-lifecycle': r.lifecycle, class: r.lifecycle === 'Offline' ? 'offline' : null });
      for (const [label, value] of cells) tr.append(el('td', { 'data-label': label, class: label === 'Capabilities' ? 'num' : null }, value));
      return tr;
    });
    if (out.length === 0) {
      out.push(el('tr', {}, el('td', { colspan: 8, class: 'empty', text: state.synced ? 'No agents match.' : 'Loading…' })));
    }
    body.replaceChildren(...out);
    $('count').textContent = state.synced
      ? `${rows.length} of ${all.length} agent${all.length === 1 ? '' : 's'}` + (state.search ? ` matching “${state.search.query}”` : '')
      : 'Agents (loading)';
  }

  // ---- search --------------------------------------------------------------------------------------------

  function searchSoon() {
    clearTimeout(state.searchTimer);
    state.searchTimer = setTimeout(runSearch, 250);
  }

  async function runSearch() {
    const query = $('q').value.trim();
    const error = $('q-error');
    if (!query) {
      state.search = null;
      error.hidden = true;
      queueRender();
      return;
    }
    try {
      const answer = await api('/api/v1/search?limit=100&q=' + encodeURIComponent(query));
      if ($('q').value.trim() !== query) return;   // typed on since
      const names = new Map();
      (answer.items || []).forEach((hit, i) => names.set(hit.name, i));
      state.search = { query, names };
      error.hidden = true;
    } catch (e) {
      if (e.status === 401) { signOut('Your token is no longer accepted: ' + e.message); return; }
      error.textContent = e.message;
      error.hidden = false;
    }
    queueRender();
  }

  // ---- the watch: SSE over fetch -------------------------------------------------------------------------

  function live(text, cls) {
    const box = $('live');
    box.textContent = text;
    box.className = 'live ' + (cls || '');
  }

  function apply(type, data) {
    switch (type) {
      case 'ADDED':
      case 'MODIFIED':
        if (data && data.object && data.object.name) state.entries.set(data.object.name, data.object);
        break;
      case 'DELETED':
        if (data && data.name) state.entries.delete(data.name);
        break;
      case 'SYNCED':
        state.synced = true;
        live('live', 'on');
        break;
      case 'RESYNC':
        state.entries.clear();
        state.synced = false;
        break;
      default:
        return;
    }
    queueRender();
    if (state.search && type !== 'SYNCED') searchSoon();
  }

  function dispatch(block) {
    let type = 'message';
    let id = null;
    const data = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
    }
    if (id !== null) state.lastEventId = id;
    if (data.length === 0) return;
    let parsed = null;
    try { parsed = JSON.parse(data.join('\n')); } catch { return; }
    apply(type, parsed);
  }

  async function watch() {
    if (state.watch) state.watch.abort();
    const controller = new AbortController();
    state.watch = controller;
    const h = headers({ Accept: 'text/event-stream' });
    // A fresh connection starts from a snapshot; a resumed one from the last change seen.
    if (state.lastEventId && state.synced) h.set('Last-Event-ID', state.lastEventId);
    else { state.entries.clear(); state.synced = false; }
    try {
      const response = await fetch('/api/v1/agents/watch', { headers: h, signal: controller.signal, cache: 'no-store', credentials: 'omit' });
      if (response.status === 401) { signOut('Your token is not accepted: ' + await messageOf(response)); return; }
      if (!response.ok || !response.body) throw new ApiError(response.status, await messageOf(response));
      state.retry = 0;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n?/g, '\n');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          dispatch(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
      throw new ApiError(0, 'the watch ended');
    } catch (e) {
      if (controller.signal.aborted) return;
      if (e.status === 403) { live('not allowed: ' + e.message, 'off'); showError(e.message); return; }
      state.retry = Math.min(state.retry + 1, 5);
      const wait = Math.min(30, 2 ** (state.retry - 1));
      live(`disconnected (${e.message}); reconnecting in ${wait} s`, 'off');
      setTimeout(() => { if (state.watch === controller) watch(); }, wait * 1000);
    }
  }

  // ---- the agent view ------------------------------------------------------------------------------------

  function renderAgentFromHash() {
    const m = /^#\/agents\/(.+)$/.exec(location.hash);
    // Drawn again only when the entry changed, so a reader's place (and focus) in it stays put.
    if (m && state.entries.get(decodeURIComponent(m[1])) !== state.shownAgent) renderAgent(decodeURIComponent(m[1]));
  }

  function capabilityCard(cap) {
    const props = cap.properties || {};
    const card = el('article', { class: 'card', 'data-kind': cap.kind, 'data-name': cap.name });
    const lead = cap.kind === 'a2a.security_scheme' ? 'Scheme: ' : cap.kind === 'a2a.security_requirement' ? 'Required: ' : '';
    card.append(el('h4', { text: lead + (props.title && props.title !== cap.name ? `${cap.name} — ${props.title}` : cap.name) }));
    if (cap.description) card.append(el('p', { text: cap.description }));
    if (Array.isArray(cap.tags) && cap.tags.length) card.append(el('p', { class: 'tags', text: 'Tags: ' + cap.tags.join(', ') }));
    if (props.parameters) {
      card.append(el('p', {}, el('strong', { text: 'Input schema' }), ' (* required)'));
      card.append(el('ul', {}, ...props.parameters.split('\n').filter(Boolean).map((p) => el('li', {}, el('code', { text: p })))));
    }
    const rest = Object.entries(props).filter(([k]) => k !== 'parameters' && k !== 'title');
    if (rest.length) card.append(facts(rest.map(([k, v]) => [k, k === 'examples' ? v.split('\n').join(' · ') : v])));
    return card;
  }

  function renderAgent(name) {
    const item = state.entries.get(name);
    state.shownAgent = item;
    const title = $('agent-title');
    const body = $('agent-body');
    if (!item) {
      title.textContent = name;
      body.replaceChildren(el('p', { text: state.synced ? 'No agent of this name is in the catalog you may see.' : 'Loading…' }));
      return;
    }
    const f = fields(item);
    const t = item.agentType || {};
    const spec = t.spec || {};
    const status = t.status || {};
    const caps = Array.isArray(status.capabilities) ? status.capabilities : [];
    title.textContent = f.display;
    const parts = [];

    parts.push(el('h3', { text: 'Summary' }), facts([
      ['Entry', item.name],
      ['Lifecycle', badge(f.lifecycle, 'lc-' + f.lifecycle)],
      ['Description', status.description],
      ['Protocol', f.protocol + (status.protocolVersion ? ' ' + status.protocolVersion : '')],
      ['Namespace', f.namespace],
      ['Team', f.team],
      ['Version', f.version],
      ['Provider', status.provider ? [status.provider.organization, status.provider.url].filter(Boolean).join(' — ') : ''],
      ['Signed', f.signed ? badge(f.signed, 'sig-' + f.signed) : ''],
      ['Tags', Array.isArray(spec.tags) ? spec.tags.join(', ') : ''],
      ['Source', spec.source ? [spec.source.type, spec.source.namespace, spec.source.name].filter(Boolean).join(' / ') : ''],
      ['Last error', status.lastError],
      ['Problem', item.problem],
    ]));

    const connect = [['Endpoint', el('code', { text: item.endpoint || spec.endpoint || '' })]];
    if (spec.cardUrl) connect.push(['Card', el('code', { text: spec.cardUrl })]);
    if (f.protocol === 'mcp') connect.push(['MCP remote', el('code', { text: `{"type": "streamable-http", "url": "${spec.cardUrl || spec.endpoint || item.endpoint}"}` })]);
    if (status.websiteUrl) connect.push(['Website', status.websiteUrl]);
    parts.push(el('h3', { text: 'How to connect' }), facts(connect));
    const interfaces = caps.filter((c) => c.kind === 'a2a.interface');
    if (interfaces.length) {
      parts.push(el('div', { class: 'table-wrap' }, table('A2A interfaces', ['URL', 'Transport', 'Protocol version'],
        interfaces.map((c) => [(c.properties || {}).url || c.name, (c.properties || {}).transport, (c.properties || {}).protocolVersion]))));
    }
    parts.push(el('p', {}, 'With kubectl:'), el('pre', { class: 'cmd' }, el('code', { text: `kubectl describe agenttype ${item.name} -n ${f.namespace}` })));

    const auth = caps.filter((c) => c.kind === 'a2a.security_scheme' || c.kind === 'a2a.security_requirement');
    parts.push(el('h3', { text: 'Authentication' }));
    parts.push(auth.length ? el('div', { class: 'cards' }, ...auth.map(capabilityCard)) : el('p', { text: 'The card declares no authentication.' }));

    for (const kind of ['a2a.skill', 'mcp.tool', 'mcp.resource', 'mcp.prompt', 'a2a.extension', 'a2a.signature']) {
      const list = caps.filter((c) => c.kind === kind);
      if (!list.length) continue;
      parts.push(el('h3', { id: 'kind-' + kind.replace('.', '-'), text: `${KINDS[kind]} (${list.length})` }), el('div', { class: 'cards' }, ...list.map(capabilityCard)));
    }

    const conditions = Array.isArray(status.conditions) ? status.conditions : [];
    parts.push(el('h3', { text: 'Conditions' }));
    parts.push(conditions.length
      ? el('div', { class: 'table-wrap' }, table('Conditions', ['Type', 'Status', 'Reason', 'Message', 'Since'],
        conditions.map((c) => [c.type, badge(c.status, 'st-' + c.status), c.reason, c.message, time(c.lastTransitionTime)])))
      : el('p', { text: 'No conditions yet.' }));

    body.replaceChildren(...parts);
  }

  function table(caption, heads, rows) {
    return el('table', {},
      el('caption', { text: caption }),
      el('thead', {}, el('tr', {}, ...heads.map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((v) => el('td', {}, v ?? ''))))));
  }

  // ---- the operator view ---------------------------------------------------------------------------------

  // The stored status changes once a cycle: read again every few seconds while the view is open.
  function refreshOperator() {
    clearTimeout(state.operatorTimer);
    state.operatorTimer = setTimeout(() => { if (!$('view-operator').hidden && state.token) loadOperator(); }, 5000);
  }

  async function loadOperator() {
    refreshOperator();
    const body = $('operator-body');
    try {
      const s = await api('/api/v1/status');
      if ($('view-operator').hidden) return;
      const parts = [];
      const c = s.catalog || {};
      parts.push(el('h3', { text: 'The catalog you see' }), facts([
        ['Signed in as', s.user || (state.token === NO_TOKEN ? 'anyone (the API is open)' : '')],
        ['Entries', String(c.entries ?? 0)],
        ['By lifecycle', Object.entries(c.lifecycles || {}).map(([k, v]) => `${k} ${v}`).join(', ')],
        ['By protocol', Object.entries(c.protocols || {}).map(([k, v]) => `${k} ${v}`).join(', ')],
        ['Catalog version', c.version],
      ]));
      const op = s.operator;
      parts.push(el('h3', { text: 'Last cycle' }));
      if (!op) {
        parts.push(el('p', { text: s.problem || 'No cycle has been recorded.' }));
      } else {
        const n = op.counts;
        const resultClass = op.result === 'success' ? 'ok' : op.result === 'partial' ? 'lc-Degraded' : 'bad';
        parts.push(facts([
          ['Result', badge(op.result || 'unknown', resultClass)],
          ['Finished', time(op.lastCycleTime)],
          ['Duration', typeof op.lastCycleSeconds === 'number' ? op.lastCycleSeconds.toFixed(2) + ' s' : ''],
          ['Last success', time(op.lastSuccessTime) || 'never'],
          ['Leader', op.leader],
        ]));
        if (n) {
          parts.push(el('div', { class: 'table-wrap' }, table('Counts of the last cycle',
            ['Entries', 'Created', 'Updated', 'Offline', 'Deleted', 'Unchanged', 'Conflicts', 'Writes', 'Refused'],
            [[n.entries, n.created, n.updated, n.offline, n.deleted, n.unchanged, n.conflicts, n.writes, n.refused].map((v) => String(v ?? 0))])));
        }
        parts.push(el('h3', { text: 'Sources' }));
        const sources = Array.isArray(op.sources) ? op.sources : [];
        const sourceState = (src) => badge(src.succeeded ? 'ok' : 'failed', src.succeeded ? 'ok' : 'bad');
        parts.push(el('div', { class: 'table-wrap' }, op.partial
          ? table('Sources and their state', ['Source', 'State'], sources.map((src) => [src.name, sourceState(src)]))
          : table('Sources and their state', ['Source', 'State', 'Agents', 'Reason', 'Message'],
            sources.map((src) => [src.name, sourceState(src), String(src.agents ?? 0), src.reason, src.message]))));
        if (op.partial) parts.push(el('p', { class: 'help', text: 'Cluster-wide counts and messages are shown to readers who may list agenttypes in every namespace.' }));
      }
      body.replaceChildren(...parts);
    } catch (e) {
      if (e.status === 401) { signOut('Your token is no longer accepted: ' + e.message); return; }
      body.replaceChildren(el('p', { class: 'error', text: e.message }));
    }
  }

  // ---- signing in and out --------------------------------------------------------------------------------

  async function signIn(token) {
    state.token = token;
    try {
      const s = await api('/api/v1/status');
      sessionStorage.setItem(TOKEN_KEY, token);
      $('user').textContent = s.user ? 'Signed in as ' + s.user : '';
      $('token').value = '';
      route(true);
      watch();
    } catch (e) {
      state.token = null;
      if (token === NO_TOKEN) { route(true); return; }   // the API wants a token: ask for one
      showError((e.status === 401 ? 'The token was not accepted: ' : '') + e.message);
      $('token').focus();
    }
  }

  function signOut(why) {
    if (state.watch) state.watch.abort();
    state.watch = null;
    state.token = null;
    state.entries.clear();
    state.synced = false;
    state.lastEventId = null;
    sessionStorage.removeItem(TOKEN_KEY);
    $('user').textContent = '';
    show('sign-in', true);
    showError(why || '');
  }

  function start() {
    $('sign-in-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const token = $('token').value.trim();
      if (token) signIn(token);
    });
    $('sign-out').addEventListener('click', () => signOut(''));
    $('filters').addEventListener('submit', (e) => { e.preventDefault(); runSearch(); });
    $('q').addEventListener('input', searchSoon);
    for (const key of FILTERS) $('f-' + key).addEventListener('change', queueRender);
    window.addEventListener('hashchange', () => route(true));
    fillFilters([]);
    // A kept token signs in again; with none, try without one (an operator run with --api-auth none).
    signIn(state.token || NO_TOKEN);
  }

  document.addEventListener('DOMContentLoaded', start);
})();
