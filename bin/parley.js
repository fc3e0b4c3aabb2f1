#!/usr/bin/env node
// Runs on the project's pinned Node 24 (npx puts node_modules/.bin first on PATH), which loads TypeScript natively.
await import('../src/main.ts');
