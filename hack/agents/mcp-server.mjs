// A real MCP server (@modelcontextprotocol/sdk, Streamable HTTP) for tests and `make run`.
// It publishes no server card, as most MCP servers don't: AgentLens must introspect it at /mcp.
// Usage: node mcp-server.mjs [port] [name]   (port 0 = any free port; prints "listening <port>")
// Stateless by default. MCP_SESSIONS=1: one session per initialize (Mcp-Session-Id), with the standalone GET
// stream on which the SDK sends notifications/tools/list_changed when a tool is added (2025-11-25 and older).
// Control (loopback only): POST /control/add-tool?name=N adds a tool (every session's server registers it,
// which is what makes the SDK send list_changed); GET /control/stats says
// {"toolsList": tools/list requests, "streams": GET streams open, "opened": ever}; POST /control/end-streams ends the GET streams.
import { randomUUID } from 'node:crypto';
import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

const port = Number(process.argv[2] ?? 0);
const name = process.argv[3] ?? 'docs-mcp';
const sessions = process.env.MCP_SESSIONS === '1' ? new Map() : null;
const added = [];
const stats = { toolsList: 0, streams: 0, opened: 0 };

function addTool(server, tool) {
  server.registerTool(tool, { description: `Added at run time: ${tool}`, inputSchema: { id: z.string() } },
    async ({ id }) => ({ content: [{ type: 'text', text: `${tool} ${id}` }] }));
}

function build() {
  const server = new McpServer({ name, version: '0.4.1' });
  server.registerTool('search_docs', { description: 'Full-text search over the docs', inputSchema: { query: z.string() } },
    async ({ query }) => ({ content: [{ type: 'text', text: `results for ${query}` }] }));
  server.registerTool('get_page', { description: 'Fetch one docs page', inputSchema: { path: z.string() } },
    async ({ path }) => ({ content: [{ type: 'text', text: path }] }));
  server.registerResource('changelog', 'docs://changelog', { description: 'The changelog', mimeType: 'text/markdown' },
    async (uri) => ({ contents: [{ uri: uri.href, text: '# Changes' }] }));
  server.registerPrompt('summarize', { description: 'Summarize a page', argsSchema: { path: z.string() } },
    ({ path }) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Summarize ${path}` } }] }));
  for (const tool of added) addTool(server, tool);
  return server;
}

const loopback = (req) => ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(req.socket.remoteAddress);
const app = express();
app.use(express.json());
app.use('/mcp', (req, _res, next) => {
  const messages = Array.isArray(req.body) ? req.body : [req.body];
  if (req.method === 'POST') stats.toolsList += messages.filter((m) => m?.method === 'tools/list').length;
  next();
});

async function stateless(req, res) {
  const server = build();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  res.on('close', () => { transport.close(); server.close(); });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
}

async function stateful(req, res) {
  const id = req.headers['mcp-session-id'];
  const session = id ? sessions.get(id) : undefined;
  if (session) {
    if (req.method === 'GET') {
      stats.streams++;
      stats.opened++;
      res.on('close', () => { stats.streams--; });
    }
    await session.transport.handleRequest(req, res, req.body);
    return;
  }
  if (id || req.method !== 'POST' || !isInitializeRequest(req.body)) {
    res.status(id ? 404 : 400).json({ jsonrpc: '2.0', error: { code: -32000, message: 'No such session.' }, id: null });
    return;
  }
  const server = build();
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (sid) => sessions.set(sid, { server, transport }),
  });
  transport.onclose = () => { if (transport.sessionId) sessions.delete(transport.sessionId); server.close(); };
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
}

if (sessions) {
  app.all('/mcp', stateful);
} else {
  app.post('/mcp', stateless);
  app.all('/mcp', (_req, res) => res.status(405).json({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null }));
}
app.post('/control/add-tool', (req, res) => {
  if (!loopback(req) || typeof req.query.name !== 'string') return res.status(400).end();
  added.push(req.query.name);
  for (const { server } of sessions?.values() ?? []) addTool(server, req.query.name);
  res.status(200).end();
});
// As a proxy's idle timeout would: every session's GET stream ends, the sessions stay.
app.post('/control/end-streams', (req, res) => {
  if (!loopback(req)) return res.status(403).end();
  for (const { transport } of sessions?.values() ?? []) transport.closeStandaloneSSEStream();
  res.status(200).end();
});
app.get('/control/stats', (req, res) => (loopback(req) ? res.json(stats) : res.status(403).end()));
const listener = app.listen(port, '127.0.0.1', () => console.log(`listening ${listener.address().port}`));
const stop = () => listener.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
