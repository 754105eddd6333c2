// The node's stable entry point: `node dist/apps/server/main.js` (systemd units, compose and tests use it).
import './src/main.js';
