// The catalog page: thin bindings over the catalog API of the operator that serves it. Every call carries
// the bearer token the person signed in with (kept in sessionStorage: this tab only, never in a URL); the
// table is fed by the SSE watch, read with fetch() because EventSource cannot send an Authorization header.
// Everything shown is set as text (never as HTML): an agent's card is written by whoever runs the agent.
import { el, badge } from './dom.js';
import { fields, agentView, operatorView } from './views.js';

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

  function showError(text) {
    const box = $('error');
    box.textContent = text || '';
    box.hidden = !text;
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
        ['Lifecycle', badge(r.lifecycle, 'lc-' + r.lifecycle)],
        ['Capabilities', r.capabilitiesKnown || r.capabilities > 0 ? String(r.capabilities) : el('span', { title: 'not known: the server could not be asked', text: '?' })],
        ['Team', r.team], ['Version', r.version], ['Signed', r.signed ? badge(r.signed, 'sig-' + r.signed) : ''],
        ['Authorization', r.accessRequired ? badge(r.access, 'auth-required') : r.access],
      ];
      const tr = el('tr', { 'data-name': r.name, 'data-lifecycle': r.lifecycle, class: r.lifecycle === 'Offline' ? 'offline' : null });
      for (const [label, value] of cells) tr.append(el('td', { 'data-label': label, class: label === 'Capabilities' ? 'num' : null }, value));
      return tr;
    });
    if (out.length === 0) {
      out.push(el('tr', {}, el('td', { colspan: 9, class: 'empty', text: state.synced ? 'No agents match.' : 'Loading…' })));
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
    const view = agentView(item);
    title.textContent = view.title;
    body.replaceChildren(...view.parts);
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
      body.replaceChildren(...operatorView(s, state.token === NO_TOKEN));
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
