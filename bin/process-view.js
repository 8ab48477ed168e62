#!/usr/bin/env node
// The `process-view` command: the bundled CLI lives in out/cli.js (node scripts/build.mjs).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'out', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write(`process-view: ${cli} is missing; run "node scripts/build.mjs" first.\n`);
  process.exit(2);
}
require(cli);
