#!/usr/bin/env node
// The installed `hubflash` command: loads the TypeScript CLI through tsx's loader in this same
// process (no build step, and signals such as SIGTERM reach the CLI directly).
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
