// The official TypeScript MCP SDK client against the operator's catalog at /mcp, for the tests and by hand.
// Usage: AGENTLENS_TOKEN=<bearer token> node mcp-catalog-client.mjs <url> [tool] [arguments as JSON]
// Prints one JSON line: the server's name, the tools it lists, and the result of calling <tool>, if given.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [url, tool, args] = process.argv.slice(2);
const token = process.env.AGENTLENS_TOKEN;
const headers = token ? { Authorization: `Bearer ${token}` } : {};
const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
const client = new Client({ name: 'agentlens-test-client', version: '1.0.0' });
try {
  await client.connect(transport);
  const { tools } = await client.listTools();
  // callTool checks structured content against the tool's output schema; a mismatch throws.
  const call = tool ? await client.callTool({ name: tool, arguments: JSON.parse(args ?? '{}') }) : null;
  console.log(JSON.stringify({
    server: client.getServerVersion()?.name,
    protocolVersion: transport.protocolVersion ?? null,
    tools: tools.map(t => ({ name: t.name, inputSchema: t.inputSchema, outputSchema: t.outputSchema ?? null })),
    call,
  }));
  await client.close();
} catch (e) {
  console.error(`mcp-catalog-client: ${e?.message ?? e}`);
  process.exit(1);
}
