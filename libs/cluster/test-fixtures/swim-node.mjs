// One gossip node in its own process, for the specs that SIGKILL/SIGSTOP a node.
// Usage: node swim-node.mjs <compiled swim-membership.js> '<SwimMembershipOptions JSON>' '<seeds JSON>'
// Prints one JSON line per event: {"event":"starting"|"ready"|"join"|"leave"|"update","at":ms,...}.
import { pathToFileURL } from 'node:url';

const [modulePath, optionsJson, seedsJson] = process.argv.slice(2);
const { SwimMembership } = await import(pathToFileURL(modulePath).href);
const print = (line) => process.stdout.write(JSON.stringify({ ...line, at: Date.now() }) + '\n');

const membership = new SwimMembership({ ...JSON.parse(optionsJson), log: (level, message) => print({ event: 'log', level, message }) });
for (const event of ['join', 'leave', 'update']) membership.on(event, (node) => print({ event, id: node.id }));
print({ event: 'starting', self: membership.self() });
await membership.start(JSON.parse(seedsJson));
print({ event: 'ready', members: membership.members().map((n) => n.id) });

process.on('SIGTERM', async () => {
  await membership.stop();
  process.exit(0);
});
