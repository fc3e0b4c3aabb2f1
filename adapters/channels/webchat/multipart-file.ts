import { Readable } from 'node:stream';
import { Busboy, type BusboyFileStream } from '@fastify/busboy';
import { AppError } from '../../../src/domain/errors.ts';
import { formatFileSize, tooLargeMessage } from '../../../src/domain/file-size.ts';

/**
 * One file out of a `multipart/form-data` body, parsed by busboy as it arrives: the file's bytes
 * are handed on chunk by chunk (to storage), never held whole. Other parts are skipped. A body
 * that ends before its closing boundary was cut off, and is refused even after the file was
 * complete.
 */
export interface FilePart {
  filename: string;
  contentType: string;
  /** The file's bytes; fails with 413 past `fileBytes`. Read it to its end before `finish`. */
  body: AsyncIterable<Uint8Array>;
  /** Waits for the rest of the form, up to its closing boundary. */
  finish(): Promise<void>;
  /** Stops reading the request (after a refusal). */
  cancel(): void;
}

export interface FormLimits {
  /** The largest file accepted. */
  fileBytes: number;
  /** The most read of the body in all: the file and the multipart envelope around it. */
  bodyBytes: number;
}

const HOW = 'Send the file as multipart/form-data in a field named "file".';
const notAForm = () => new AppError('bad_request', HOW);
/** The request ended (or the connection dropped) before the form did. */
const cutOff = () =>
  new AppError('bad_request', 'The upload was cut off before it was complete; send the file again.', {
    reason: 'truncated',
  });

export async function readFilePart(request: Request, field: string, limits: FormLimits): Promise<FilePart> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(type) || !request.body) throw notAForm();
  let busboy: ReturnType<typeof Busboy>;
  try {
    busboy = Busboy({
      headers: { 'content-type': type },
      // Only the one file is wanted: everything else is skipped unread, and headers stay small.
      limits: {
        fileSize: limits.fileBytes,
        files: 1,
        fields: 0,
        parts: 20,
        headerPairs: 20,
        headerSize: 8192,
      },
      // The name is only shown (the storage key is Parley's own), so it is kept as sent.
      preservePath: true,
    });
  } catch {
    throw notAForm(); // busboy refuses a Content-Type without a boundary
  }

  const source = Readable.fromWeb(request.body);
  const form = Promise.withResolvers<void>();
  form.promise.catch(() => undefined); // awaited only once the file was found
  const found = Promise.withResolvers<FilePart>();
  let file: BusboyFileStream | undefined;
  let failure: Error | undefined;
  // The one way out on a refusal: every stream is destroyed, and whoever waits gets `err`.
  const fail = (err: Error) => {
    if (failure) return;
    failure = err;
    source.unpipe(busboy);
    source.destroy();
    busboy.destroy();
    file?.destroy(err);
    form.reject(err);
    found.reject(err);
  };

  // busboy bounds the file; the envelope around it (preamble, skipped parts) is bounded here.
  let read = 0;
  source.on('data', (chunk: Buffer) => {
    read += chunk.byteLength;
    if (read > limits.bodyBytes) {
      const most = formatFileSize(limits.fileBytes);
      const message = `The form is larger than ${most}, the most a file can be; send the file alone, in a field named "${field}".`;
      fail(new AppError('payload_too_large', message, { limitBytes: limits.bodyBytes }));
    }
  });
  source.on('error', () => fail(cutOff()));
  // busboy's one stream error is "Unexpected end of multipart data": no closing boundary.
  busboy.on('error', (err) => fail(/unexpected end/i.test(String(err)) ? cutOff() : notAForm()));
  busboy.on('file', (name, stream, filename, _encoding, mimeType) => {
    stream.on('error', () => fail(cutOff()));
    if (name !== field || file) return void stream.resume();
    file = stream;
    const shownName = unescapeName(filename ?? '');
    stream.on('limit', () => fail(tooLarge(shownName, limits.fileBytes)));
    found.resolve({
      filename: shownName,
      contentType: mimeType,
      body: bytesOf(stream, () => failure ?? cutOff()),
      finish: () => form.promise,
      cancel: () => fail(new Error('upload cancelled')),
    });
  });
  // 'finish' comes only after the closing boundary and once every part was read.
  busboy.on('finish', () => {
    form.resolve();
    found.reject(notAForm());
  });
  source.pipe(busboy);
  return found.promise;
}

/**
 * The file's bytes. busboy also emits its own errors on the stream (a part "terminated early"),
 * sometimes before ours: whatever the stream fails with, the reader gets the refusal.
 */
async function* bytesOf(stream: BusboyFileStream, refusal: () => Error): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch {
    throw refusal();
  }
}

/** Worded as `withinLimit` words it: busboy's `fileSize` stops the file before storage counts past it. */
function tooLarge(filename: string, maxBytes: number): AppError {
  return new AppError('payload_too_large', tooLargeMessage(`"${filename.slice(0, 200)}"`, maxBytes), {
    limitBytes: maxBytes,
  });
}

/**
 * Browsers write `"`, CR and LF in a file name as %22, %0D and %0A (HTML's form encoding);
 * busboy decodes `filename*` (RFC 5987) but leaves these as they are.
 */
const unescapeName = (name: string) =>
  name.replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');
