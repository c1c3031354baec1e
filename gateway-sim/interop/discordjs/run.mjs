// Interop driver: runs the real @discordjs/ws client (with @discordjs/rest for discovery) against
// a gateway-sim instance and reports what it saw, one JSON object per line on stdout.
//
// Usage: node run.mjs <http_base_url> <token>
//   - discovers the gateway through GET <http_base_url>/api/v10/gateway/bot,
//   - connects with compress=zlib-stream using node's built-in zlib (no native addon),
//   - prints {"event":"dispatch","t":...,"s":...} for every dispatch (READY and RESUMED included),
//     {"event":"closed","code":...} when a socket closes, {"event":"error",...} on errors,
//   - on a line "done" on stdin (or stdin closing), destroys the manager (close 1000) and prints
//     {"event":"summary",...} with the sequence numbers it received, then exits 0.
// The Rust test gateway-sim/tests/interop_discordjs.rs drives it and checks both its output and
// the simulator's log. Nothing here decides pass or fail beyond reporting.

import { REST } from '@discordjs/rest';
import { CompressionMethod, WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import { createInterface } from 'node:readline';

const [httpBase, token] = process.argv.slice(2);
if (!httpBase || !token) {
  console.error('usage: node run.mjs <http_base_url> <token>');
  process.exit(2);
}

const out = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
const seqs = [];
let readyCount = 0;
let resumedCount = 0;

const rest = new REST({ api: `${httpBase}/api`, version: '10' }).setToken(token);
const manager = new WebSocketManager({
  token,
  rest,
  // GUILDS | GUILD_MESSAGES | GUILD_MESSAGE_REACTIONS | GUILD_MESSAGE_TYPING | MESSAGE_CONTENT
  intents: 1 | 512 | 1024 | 2048 | 32768,
  compression: CompressionMethod.ZlibNative,
});

manager.on(WebSocketShardEvents.Dispatch, (payload) => {
  if (payload.t === 'READY') readyCount += 1;
  if (payload.t === 'RESUMED') resumedCount += 1;
  seqs.push(payload.s);
  out({ event: 'dispatch', t: payload.t, s: payload.s });
});
manager.on(WebSocketShardEvents.Closed, (code) => out({ event: 'closed', code }));
manager.on(WebSocketShardEvents.Error, (error) => out({ event: 'error', message: String(error?.message ?? error) }));

let finished = false;
async function finish() {
  if (finished) return;
  finished = true;
  await manager.destroy({ code: 1000, reason: 'interop done' });
  out({ event: 'summary', ready: readyCount, resumed: resumedCount, seqs });
  process.exit(0);
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'done') void finish();
}).on('close', () => void finish());

try {
  await manager.connect();
  out({ event: 'connected' });
} catch (error) {
  out({ event: 'error', message: String(error?.message ?? error) });
  process.exit(1);
}
