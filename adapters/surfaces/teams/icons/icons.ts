import { crc32, deflateSync } from 'node:zlib';

/**
 * The Teams app's two icons, drawn here rather than kept as binary files: a speech bubble, white
 * on the accent colour (color, 192×192), and its white outline on transparency (outline, 32×32),
 * as Teams requires. Shapes are sampled 4×4 per pixel for smooth edges and written as RGBA PNGs.
 */
const ACCENT = [0x3b, 0x5b, 0xdb] as const;
const WHITE = [0xff, 0xff, 0xff] as const;
const SAMPLES = 4;

/** The bubble's body in unit coordinates, and its tail (a triangle below it, to the left). */
const BODY = { x0: 0.16, y0: 0.2, x1: 0.84, y1: 0.68, r: 0.14 };
const TAIL: [number, number][] = [
  [0.28, 0.6],
  [0.46, 0.6],
  [0.24, 0.84],
];
const DOTS = [0.36, 0.5, 0.64].map((x) => ({ x, y: 0.44, r: 0.05 }));

function inRoundRect(u: number, v: number, inset: number): boolean {
  const x0 = BODY.x0 + inset;
  const y0 = BODY.y0 + inset;
  const x1 = BODY.x1 - inset;
  const y1 = BODY.y1 - inset;
  const r = Math.max(BODY.r - inset, 0);
  if (u < x0 || u > x1 || v < y0 || v > y1) return false;
  const cx = Math.min(Math.max(u, x0 + r), x1 - r);
  const cy = Math.min(Math.max(v, y0 + r), y1 - r);
  return (u - cx) ** 2 + (v - cy) ** 2 <= r * r;
}

function inTail(u: number, v: number): boolean {
  const [[ax, ay], [bx, by], [cx, cy]] = TAIL as [[number, number], [number, number], [number, number]];
  const side = (px: number, py: number, qx: number, qy: number) =>
    (qx - px) * (v - py) - (qy - py) * (u - px);
  const d1 = side(ax, ay, bx, by);
  const d2 = side(bx, by, cx, cy);
  const d3 = side(cx, cy, ax, ay);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
}

type Paint = (u: number, v: number) => { rgb: readonly number[]; alpha: number };

/** Full colour: the accent square, a white bubble with three accent dots. */
const colorPaint: Paint = (u, v) => {
  const bubble = inRoundRect(u, v, 0) || inTail(u, v);
  const dot = DOTS.some((d) => (u - d.x) ** 2 + (v - d.y) ** 2 <= d.r * d.r);
  return { rgb: bubble && !dot ? WHITE : ACCENT, alpha: 1 };
};

/** Outline: the bubble's white edge (about 2.5 px at 32 px) and its tail; the rest transparent. */
const outlinePaint: Paint = (u, v) => {
  const edge = (inRoundRect(u, v, 0) && !inRoundRect(u, v, 0.08)) || inTail(u, v);
  return { rgb: WHITE, alpha: edge ? 1 : 0 };
};

function draw(size: number, paint: Paint): Uint8Array {
  const rgba = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < SAMPLES; sy++)
        for (let sx = 0; sx < SAMPLES; sx++) {
          const p = paint((x + (sx + 0.5) / SAMPLES) / size, (y + (sy + 0.5) / SAMPLES) / size);
          r += p.rgb[0]! * p.alpha;
          g += p.rgb[1]! * p.alpha;
          b += p.rgb[2]! * p.alpha;
          a += p.alpha;
        }
      const i = (y * size + x) * 4;
      // Colour averaged over the covered samples only, so edges stay white rather than greying.
      rgba[i] = a ? Math.round(r / a) : 0;
      rgba[i + 1] = a ? Math.round(g / a) : 0;
      rgba[i + 2] = a ? Math.round(b / a) : 0;
      rgba[i + 3] = Math.round((a / SAMPLES ** 2) * 255);
    }
  return encodePng(size, size, rgba);
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit RGBA PNG, every row unfiltered. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++)
    rows.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', new Uint8Array()),
  ]);
}

/** The icons as the manifest names them. */
export function teamsIcons(): { 'color.png': Uint8Array; 'outline.png': Uint8Array } {
  return { 'color.png': draw(192, colorPaint), 'outline.png': draw(32, outlinePaint) };
}
