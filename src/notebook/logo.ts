/**
 * The kernel's logo, drawn in code: a packet's path (orange) crossing three tables (grey bars)
 * on a dark tile, written as PNG at any size (Jupyter wants 32×32 and 64×64).
 *
 * Why: a kernelspec shows its logo in the launcher and the notebook header; drawing it here keeps
 * binary files out of the repository and needs nothing downloaded. The PNG writer is the minimum
 * the format asks for: RGBA, 8 bits, one zlib-compressed IDAT, CRC-32 per chunk.
 */
import { deflateSync } from "node:zlib";

type Rgba = [number, number, number, number];

const TILE: Rgba = [29, 43, 79, 255];
const BAR: Rgba = [201, 211, 230, 255];
const PATH: Rgba = [255, 140, 26, 255];
const PATH_POINTS: [number, number][] = [
  [0.3, 0.08],
  [0.3, 0.24],
  [0.7, 0.5],
  [0.36, 0.76],
  [0.36, 0.92],
];

function insideRoundedRect(x: number, y: number, r: number): boolean {
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function distToSegment(px: number, py: number, [ax, ay]: [number, number], [bx, by]: [number, number]): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

/** The colour at a point of the unit square (no antialiasing: sampling takes care of that). */
function colourAt(x: number, y: number): Rgba | undefined {
  if (!insideRoundedRect(x, y, 0.2)) return undefined;
  for (let i = 0; i + 1 < PATH_POINTS.length; i++) if (distToSegment(x, y, PATH_POINTS[i]!, PATH_POINTS[i + 1]!) < 0.05) return PATH;
  for (const top of [0.17, 0.44, 0.71]) if (x > 0.14 && x < 0.86 && y > top && y < top + 0.12) return BAR;
  return TILE;
}

/** RGBA pixels of the logo at size×size, 4×4 samples per pixel. */
export function logoPixels(size: number): Uint8Array {
  const px = new Uint8Array(size * size * 4);
  const n = 4;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < n; sy++)
        for (let sx = 0; sx < n; sx++) {
          const c = colourAt((x + (sx + 0.5) / n) / size, (y + (sy + 0.5) / n) / size);
          if (!c) continue;
          for (let k = 0; k < 3; k++) acc[k]! += c[k]! * c[3];
          acc[3]! += c[3];
        }
      const o = (y * size + x) * 4;
      const a = acc[3]!;
      for (let k = 0; k < 3; k++) px[o + k] = a ? Math.round(acc[k]! / a) : 0;
      px[o + 3] = Math.round(a / (n * n));
    }
  return px;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** The logo as a PNG file's bytes. */
export function logoPng(size: number): Buffer {
  const px = logoPixels(size);
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    Buffer.from(px.buffer, y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter method, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", new Uint8Array())]);
}
