import { main } from './commands.ts';

const exitCode = await main(process.argv.slice(2));
// A long-running command (serve) answers -1 and keeps the process alive.
if (exitCode >= 0) process.exitCode = exitCode;
