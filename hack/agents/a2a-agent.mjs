// A real A2A agent (@a2a-js/sdk) for tests and `make run`: serves its agent card on loopback.
// Usage: node a2a-agent.mjs [port] [name]   (port 0 = any free port; prints "listening <port>")
import express from 'express';
import { agentCardHandler } from '@a2a-js/sdk/server/express';

const port = Number(process.argv[2] ?? 0);
const name = process.argv[3] ?? 'Weather Agent';

const card = () => ({
  name,
  description: 'Answers questions about the weather.',
  supportedInterfaces: [
    { url: `http://127.0.0.1:${server.address().port}/a2a/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0', tenant: '' },
    { url: `http://127.0.0.1:${server.address().port}/a2a/v03`, protocolBinding: 'JSONRPC', protocolVersion: '0.3', tenant: '' },
  ],
  provider: { organization: 'AgentLens Tests', url: 'https://agentlens.example' },
  version: '1.2.0',
  capabilities: {
    streaming: true,
    pushNotifications: false,
    extensions: [{ uri: 'https://agentlens.example/ext/units', description: 'Metric or imperial units', required: false, params: undefined }],
    extendedAgentCard: false,
  },
  securitySchemes: {
    bearer: { scheme: { $case: 'httpAuthSecurityScheme', value: { description: 'A bearer token', scheme: 'Bearer', bearerFormat: 'JWT' } } },
  },
  securityRequirements: [{ schemes: { bearer: { list: [] } } }],
  defaultInputModes: ['text/plain'],
  defaultOutputModes: ['text/plain'],
  skills: [
    { id: 'forecast', name: 'Forecast', description: 'Weather forecast for a city', tags: ['weather', 'forecast'], examples: ['Weather in Paris?'], inputModes: [], outputModes: [], securityRequirements: [] },
    { id: 'alerts', name: 'Severe weather alerts', description: 'Active alerts for a region', tags: ['weather'], examples: [], inputModes: [], outputModes: [], securityRequirements: [] },
  ],
  signatures: [],
});

const app = express();
app.use('/.well-known/agent-card.json', agentCardHandler({ agentCardProvider: async () => card(), legacyCompat: { enabled: true } }));
const server = app.listen(port, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
