// What the catalog page shows of an entry and of the operator's status, built from the API's JSON.
import { el, badge, facts, table, time } from './dom.js';


export const KINDS = {
  'a2a.skill': 'Skills', 'mcp.tool': 'Tools', 'mcp.resource': 'Resources', 'mcp.prompt': 'Prompts',
  'a2a.interface': 'Interfaces', 'a2a.extension': 'Extensions',
  'a2a.security_scheme': 'Security schemes', 'a2a.security_requirement': 'Security requirements', 'a2a.signature': 'Signatures',
};
export const COUNTED = ['a2a.skill', 'mcp.tool', 'mcp.resource', 'mcp.prompt'];

/** Whether an entry's capabilities are known: an MCP server that could not be asked and whose card listed no tools has tools nobody knows of. */
export function capabilitiesKnown(protocol, caps, conditions) {
  if (protocol !== 'mcp') return true;
  const refused = conditions.some((c) => c.type === 'CapabilitiesListed' && c.status === 'False');
  return !refused || caps.some((c) => c.kind === 'mcp.tool');
}

/** What a reader needs before calling the agent (kubectl's AUTHORIZATION cell): 'required (auth.example.com)', 'oauth | apiKey+mtls' or ''. */
export function accessText(a) {
  if (!a) return '';
  if (a.required) {
    const first = Array.isArray(a.authorizationServers) ? a.authorizationServers[0] : null;
    let host = null;
    try { host = first ? new URL(first).host : null; } catch { host = null; }
    return host ? `required (${host})` : 'required';
  }
  const alternatives = (Array.isArray(a.requirements) ? a.requirements : []).filter(Boolean)
    .map((r) => (Array.isArray(r.schemes) ? r.schemes : []).join('+')).filter(Boolean);
  return alternatives.join(' | ');
}

/** The scopes to ask for: the challenge's when it named any, else those the resource supports; A2A: those its requirements name. */
export function accessScopes(a) {
  const list = (v) => (Array.isArray(v) ? v.filter((s) => typeof s === 'string' && s) : []);
  if (a.required) return list(a.scopesRequired).length ? list(a.scopesRequired) : list(a.scopesSupported);
  const scopes = (Array.isArray(a.requirements) ? a.requirements : []).filter(Boolean)
    .flatMap((r) => Object.values(r.scopes || {})).flatMap((v) => String(v).split(' ')).filter(Boolean);
  return [...new Set(scopes)].sort();
}

export function fields(item) {
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
    capabilitiesKnown: capabilitiesKnown(spec.protocol, caps, Array.isArray(status.conditions) ? status.conditions : []),
    access: accessText(status.authorization),
    accessRequired: !!status.authorization && accessText(status.authorization).startsWith('required'),
    team: spec.team || '',
    version: status.version || '',
    signed: labels['agentlens.io/signed'] || '',
  };
}

export function capabilityCard(cap) {
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

/** An agent's view: its heading and what goes under it. */
export function agentView(item) {
  const f = fields(item);
  const t = item.agentType || {};
  const spec = t.spec || {};
  const status = t.status || {};
  const caps = Array.isArray(status.capabilities) ? status.capabilities : [];
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

  parts.push(el('h3', { id: 'authorization', text: 'Authorization' }), ...authorizationParts(status.authorization));
  const auth = caps.filter((c) => c.kind === 'a2a.security_scheme' || c.kind === 'a2a.security_requirement');
  // An MCP server's security is what it answered (above); only an A2A card declares schemes.
  if (auth.length || f.protocol === 'a2a') {
    parts.push(el('h3', { text: 'Authentication' }));
    parts.push(auth.length ? el('div', { class: 'cards' }, ...auth.map(capabilityCard)) : el('p', { text: 'The card declares no authentication.' }));
  }

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

  return { title: fields(item).display, parts };
}

/** Whether calling the agent needs credentials, who grants them and which scopes to ask for (status.authorization). */
function authorizationParts(a) {
  if (!a) return [el('p', { text: 'None needed: the agent declares no security and answered without credentials.' })];
  const required = a.required || accessText(a) !== '';
  const list = (v) => (Array.isArray(v) ? v.filter(Boolean) : []);
  const parts = [facts([
    ['Required', badge(required ? 'yes' : 'no', required ? 'auth-required' : 'ok')],
    ['Summary', accessText(a)],
    ['Authorization servers', list(a.authorizationServers).length ? el('ul', {}, ...list(a.authorizationServers).map((u) => el('li', {}, el('code', { text: u })))) : ''],
    ['Scopes to ask for', accessScopes(a).join(' ')],
    ['Scopes supported', a.required && list(a.scopesRequired).length ? list(a.scopesSupported).join(' ') : ''],
    ['Resource', [a.resourceName, a.resource].filter(Boolean).join(' — ')],
    ['Resource metadata', a.metadataUrl ? el('code', { text: a.metadataUrl }) : ''],
    ['Metadata problem', a.metadataProblem],
    ['Challenge error', a.error],
    ['Credentials sent', a.required && a.credentialsSent ? 'yes: the operator\'s token was refused' : ''],
    ['Extended card', typeof a.extendedCard === 'boolean' ? (a.extendedCard ? 'yes (authenticated)' : 'no') : ''],
  ])];
  if (a.required) parts.push(el('p', { class: 'help', text: 'Its tools are listed once the operator is given a token (a static source\'s bearerTokenFile or the agentlens.io/credentials-secret annotation).' }));
  return parts;
}

/** The operator view from GET /api/v1/status; open: the API asks for no token. */
export function operatorView(s, open) {
  const parts = [];
  const c = s.catalog || {};
  parts.push(el('h3', { text: 'The catalog you see' }), facts([
    ['Signed in as', s.user || (open ? 'anyone (the API is open)' : '')],
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
  return parts;
}
