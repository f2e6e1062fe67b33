import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, DatasetError } from '../errors';
import { scalingAffine, type Vec3, type Volume } from '../volume/volume';
import { decodePng } from './png';

/** The PNG files of a folder in numeric order of their names (2.png before 10.png); other files are ignored. */
export async function listPngSlices(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    throw new DatasetError(`cannot list PNG slices: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, dir);
  }
  const pngs = names.filter((n) => n.toLowerCase().endsWith('.png'));
  const numbered = pngs.map((name) => {
    const m = /(\d+)\.png$/i.exec(name);
    if (!m) throw new DatasetError(`PNG slice name '${name}' has no slice number`, join(dir, name));
    return { name, n: Number(m[1]) };
  });
  numbered.sort((a, b) => a.n - b.n || a.name.localeCompare(b.name));
  for (let i = 1; i < numbered.length; i++) {
    if (numbered[i].n === numbered[i - 1].n) {
      throw new DatasetError(`two slices share number ${numbered[i].n}: ${numbered[i - 1].name}, ${numbered[i].name}`, dir);
    }
  }
  return numbered.map((x) => join(dir, x.name));
}

/**
 * A volume from a folder of 2D PNG slices: x = column, y = row (row 0 = top of the picture), z = slice in numeric
 * order. PNGs carry no geometry, so the caller gives the spacing and the affine is plain scaling (orientation unknown).
 * With `mask`, the values 0 and 255 (or 0 and 1) become 0 and 1 and any other value is an error.
 */
export async function readPngStack(dir: string, spacing: Vec3, opts: { mask?: boolean } = {}): Promise<Volume<Float32Array>> {
  if (!spacing.every((s) => Number.isFinite(s) && s > 0)) throw new ConfigError(`PNG stack spacing ${spacing.join('x')} must be positive`);
  const files = await listPngSlices(dir);
  if (files.length === 0) throw new DatasetError('no PNG slices in folder', dir);
  let width = 0;
  let height = 0;
  let data = new Float32Array(0);
  for (let z = 0; z < files.length; z++) {
    const img = decodePng(await fs.readFile(files[z]), files[z]);
    if (z === 0) {
      ({ width, height } = img);
      data = new Float32Array(width * height * files.length);
    } else if (img.width !== width || img.height !== height) {
      throw new DatasetError(`slice is ${img.width}x${img.height}, the first slice ${width}x${height}`, files[z]);
    }
    if (opts.mask) {
      for (let i = 0; i < img.data.length; i++) {
        const v = img.data[i];
        if (v !== 0 && v !== 255 && v !== 1) throw new DatasetError(`mask value ${v} is neither 0 nor 255`, files[z]);
        img.data[i] = v > 0 ? 1 : 0;
      }
    }
    data.set(img.data, z * width * height);
  }
  return { data, dims: [width, height, files.length], spacing, affine: scalingAffine(spacing) };
}
