#!/usr/bin/env -S node --max-semi-space-size=16 --heap-growing-percent=25
// Runs on the project's pinned Node 24 (npx puts node_modules/.bin first on PATH), which loads TypeScript
// natively; V8's young generation is held to 16 MiB and its old space grows by at most 25 % over what a full
// collection kept, as `npm start` and the image do (bench/README.md, "Memory").
await import('../src/main.ts');
