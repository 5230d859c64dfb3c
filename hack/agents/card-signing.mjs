// The official A2A SDK's card signing, for the tests: they check our canonicalization and verification
// against it. Reads one JSON request on stdin, writes one JSON answer on stdout.
//   {"op":"canonicalize","cards":[...]}                          -> ["<canonical text>", ...]
//   {"op":"sign","card":{...},"keys":[{"alg":"ES256","kid":"k1","jku":"https://…"}]}
//        -> {"signed":{card with one signature per key},"jwks":{"keys":[public JWKs with kid and alg]}}
import { canonicalizeAgentCard, generateAgentCardSignature } from '@a2a-js/sdk';
import * as jose from 'jose';

const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => { text += chunk; });
  process.stdin.on('end', () => resolve(text));
}));

if (input.op === 'canonicalize') {
  process.stdout.write(JSON.stringify(input.cards.map((card) => canonicalizeAgentCard(card))));
} else if (input.op === 'sign') {
  let card = input.card;
  const keys = [];
  for (const { alg, kid, jku } of input.keys) {
    const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
    const header = { alg, kid, typ: 'JOSE', ...(jku ? { jku } : {}) };
    card = await generateAgentCardSignature(privateKey, header)(card);
    keys.push({ ...(await jose.exportJWK(publicKey)), kid, alg });
  }
  process.stdout.write(JSON.stringify({ signed: card, jwks: { keys } }));
} else {
  process.stderr.write(`unknown op ${input.op}\n`);
  process.exit(2);
}
