#!/usr/bin/env node
import { main } from '../dist/src/cli/main.js';

// Exit explicitly once stdout is flushed: stdin may still hold the event loop open.
const exit = (code) => process.stdout.write('', () => process.exit(code));

main(process.argv.slice(2)).then(exit, (err) => {
  process.stderr.write(`cameras-usb2: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  exit(1);
});
