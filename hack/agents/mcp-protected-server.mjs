// A real OAuth-protected MCP server (@modelcontextprotocol/sdk: requireBearerAuth + mcpAuthMetadataRouter,
// Streamable HTTP, stateless) for tests: /mcp answers 401 with a WWW-Authenticate Bearer challenge unless
// the request carries the one token it accepts, and the RFC 9728 protected resource metadata is served at
// /.well-known/oauth-protected-resource/mcp. The authorization server it names is never contacted.
// Usage: node mcp-protected-server.mjs [port] [name]   (port 0 = any free port; prints "listening <port>")
// Environment: MCP_TOKEN       the accepted bearer token (default "test-token")
//              MCP_METADATA    "same" (default): resource_metadata names our own metadata URL;
//                              "none": no resource_metadata, clients look at the well-known URL;
//                              any URL: resource_metadata names it (another origin, say)
//              MCP_SCOPE       a scope the token must carry; a token without it gets 403 insufficient_scope
//              MCP_TOKEN_SCOPES the scopes the accepted token carries (space-separated, default "docs:read")
import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { mcpAuthMetadataRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { z } from 'zod';

const port = Number(process.argv[2] ?? 0);
const name = process.argv[3] ?? 'private-docs-mcp';
const accepted = process.env.MCP_TOKEN ?? 'test-token';
const metadataMode = process.env.MCP_METADATA ?? 'same';
const requiredScope = process.env.MCP_SCOPE;
const tokenScopes = (process.env.MCP_TOKEN_SCOPES ?? 'docs:read').split(' ').filter(s => s);
const issuer = 'https://auth.example.test/';

function build() {
  const server = new McpServer({ name, version: '1.2.0' });
  server.registerTool('search_private_docs', { description: 'Search the private docs', inputSchema: { query: z.string() } },
    async ({ query }) => ({ content: [{ type: 'text', text: `results for ${query}` }] }));
  return server;
}

const app = express();
app.use(express.json());
const listener = app.listen(port, '127.0.0.1', () => {
  const origin = `http://127.0.0.1:${listener.address().port}`;
  const resource = new URL(`${origin}/mcp`);
  app.use(mcpAuthMetadataRouter({
    oauthMetadata: {
      issuer,
      authorization_endpoint: `${issuer}authorize`,
      token_endpoint: `${issuer}token`,
      response_types_supported: ['code'],
    },
    resourceServerUrl: resource,
    scopesSupported: ['docs:read', 'docs:write'],
    resourceName: 'Private docs',
  }));
  const verifier = {
    async verifyAccessToken(token) {
      if (token !== accepted) {
        throw new InvalidTokenError('Unknown token');
      }
      return { token, clientId: 'agentlens', scopes: tokenScopes, expiresAt: Math.floor(Date.now() / 1000) + 3600 };
    },
  };
  const resourceMetadataUrl = metadataMode === 'none' ? undefined
    : metadataMode === 'same' ? `${origin}/.well-known/oauth-protected-resource/mcp`
    : metadataMode;
  const auth = requireBearerAuth({ verifier, requiredScopes: requiredScope ? [requiredScope] : [], resourceMetadataUrl });
  app.post('/mcp', auth, async (req, res) => {
    const server = build();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => { transport.close(); server.close(); });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  app.all('/mcp', auth, (_req, res) => res.status(405).json({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null }));
  console.log(`listening ${listener.address().port}`);
});
const stop = () => listener.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
