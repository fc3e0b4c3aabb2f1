import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Storage } from '../../src/ports/storage.ts';

/** Attachments in a local directory: `<dir>/<key>` plus `<dir>/<key>.type` holding the content type. */
export function localStorage(dir: string, maxBytes: number): Storage {
  const root = resolve(dir);
  const pathOf = (key: string) => {
    const path = resolve(join(root, key));
    // Keys are ours, but never let one escape the directory.
    if (!path.startsWith(root + sep)) throw new Error(`storage key outside the storage directory: ${key}`);
    return path;
  };
  return {
    kind: 'local',
    maxBytes,
    put: async (key, data, contentType) => {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, data);
      await writeFile(`${path}.type`, contentType);
    },
    putStream: async (key, body, contentType) => {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      // Written beside the file and renamed into place when complete: a failed or cut-off body
      // never leaves a partial file under the key.
      const partial = `${path}.${randomUUID()}.partial`;
      let size = 0;
      const counted = async function* () {
        for await (const chunk of body) {
          size += chunk.byteLength;
          yield chunk;
        }
      };
      try {
        await pipeline(Readable.from(counted()), createWriteStream(partial));
        await writeFile(`${path}.type`, contentType);
        await rename(partial, path);
      } catch (err) {
        await rm(partial, { force: true });
        await rm(`${path}.type`, { force: true });
        throw err;
      }
      return { size };
    },
    get: async (key) => {
      const path = pathOf(key);
      try {
        const [data, contentType] = await Promise.all([readFile(path), readFile(`${path}.type`, 'utf8')]);
        return { data: new Uint8Array(data), contentType };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    delete: async (key) => {
      const path = pathOf(key);
      await rm(path, { force: true });
      await rm(`${path}.type`, { force: true });
    },
  };
}
