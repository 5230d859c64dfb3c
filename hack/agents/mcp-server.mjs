// A real MCP server (@modelcontextprotocol/sdk, Streamable HTTP, stateless) for tests and `make run`.
// It publishes no server card, as most MCP servers don't: AgentLens must introspect it at /mcp.
// Usage: node mcp-server.mjs [port] [name]   (port 0 = any free port; prints "listening <port>")
import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

const port = Number(process.argv[2] ?? 0);
const name = process.argv[3] ?? 'docs-mcp';

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
  return server;
}

const app = express();
app.use(express.json());
app.post('/mcp', async (req, res) => {
  const server = build();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  res.on('close', () => { transport.close(); server.close(); });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});
app.all('/mcp', (_req, res) => res.status(405).json({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null }));
const listener = app.listen(port, '127.0.0.1', () => console.log(`listening ${listener.address().port}`));
const stop = () => listener.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
