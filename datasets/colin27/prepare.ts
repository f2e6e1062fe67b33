/**
 * Regenerates datasets/colin27/{ch2,brainmask}_1.5mm.nii.gz from Debian's mricron-data package:
 *
 *   apt-get download mricron-data && dpkg -x mricron-data_*.deb /tmp/mricron
 *   npx tsx datasets/colin27/prepare.ts /tmp/mricron/usr/share/mricron/templates
 *
 * Steps: repair the brain mask (ch2bet > 0) where its mid-sagittal stripe artefacts are, keep its largest connected
 * component and fill its holes; blur both volumes by the 1 mm -> 1.5 mm anti-aliasing Gaussian; resample them onto a
 * 128 x 128 x 112 grid of 1.5 mm centred on the brain (MNI space, sform code 4). The T1 keeps a shell of the head
 * around the brain (what a case's interpolation can reach at the skull strip) and is 0 beyond it, which halves the
 * file; both are stored as uint8.
 */
import { join } from 'node:path';
import { readNifti, writeNifti } from '../../lib/io';
import { applyAffine, boundingBox, connectedComponents, invertAffine, resampleToGrid, type Mat4, type Vec3, type Volume } from '../../lib/volume';
import { gaussianBlur } from '../../lib/synth/fields';

export const WORKING_SPACING_MM = 1.5;
export const WORKING_DIMS: Vec3 = [128, 128, 112];
const MNI_XFORM = 4;

/**
 * The sagittal slab (MNI x, mm) where ch2bet's mask has horizontal stripes: spurious brain outside the brain and
 * missing brain inside it. Measured by counting, per sagittal slice, the mask voxels that disagree with the
 * intersection of the slices 3 mm to either side: 800-1000 per slice outside this slab, 1500-2700 inside it.
 */
const STRIPE_SLAB_MNI_X: [number, number] = [-7, 8];

async function main(templates: string): Promise<void> {
  const ch2 = await readNifti(join(templates, 'ch2.nii.gz'));
  const bet = await readNifti(join(templates, 'ch2bet.nii.gz'));
  const mask = cleanBrainMask(bet);
  const t1 = Float32Array.from(ch2.data);
  const brain = Float32Array.from(mask);
  // A Gaussian of SD sqrt(1.5² - 1²) / 2.355 mm makes the 1 mm point spread match a 1.5 mm voxel's.
  const sigma = Math.sqrt(WORKING_SPACING_MM ** 2 - 1) / 2.355;
  gaussianBlur(t1, ch2.dims, ch2.spacing.map((s) => sigma / s) as Vec3);
  gaussianBlur(brain, ch2.dims, ch2.spacing.map((s) => sigma / s) as Vec3);
  const grid = workingGrid({ ...bet, data: mask });
  const t1w = resampleToGrid({ ...ch2, data: t1 }, grid, { interpolation: 'linear' });
  const brainw = resampleToGrid({ ...ch2, data: brain }, grid, { interpolation: 'linear' });
  // The shell: where the brain blurred by a 3 mm Gaussian is still above 1 %, about 6 mm around the brain.
  const shell = Float32Array.from(brainw.data);
  gaussianBlur(shell, grid.dims, [3 / WORKING_SPACING_MM, 3 / WORKING_SPACING_MM, 3 / WORKING_SPACING_MM]);
  for (let v = 0; v < shell.length; v++) if (shell[v] < 0.01) t1w.data[v] = 0;
  const here = __dirname;
  const spacing: Vec3 = [WORKING_SPACING_MM, WORKING_SPACING_MM, WORKING_SPACING_MM];
  await writeNifti(join(here, 'ch2_1.5mm.nii.gz'), { ...t1w, spacing, data: Uint8Array.from(t1w.data, (x) => Math.round(Math.min(255, Math.max(0, x)))) }, { xformCode: MNI_XFORM, description: 'Colin27 ch2, 1.5 mm (egfr-gtv)' });
  await writeNifti(join(here, 'brainmask_1.5mm.nii.gz'), { ...brainw, spacing, data: Uint8Array.from(brainw.data, (x) => (x >= 0.5 ? 1 : 0)) }, { xformCode: MNI_XFORM, description: 'Colin27 brain mask, 1.5 mm (egfr-gtv)' });
}

/** ch2bet > 0, with the stripe slab replaced by the intersection of the slices bounding it, then one solid piece. */
export function cleanBrainMask(bet: Volume): Uint8Array {
  const [nx, ny, nz] = bet.dims;
  const m = Uint8Array.from(bet.data, (x) => (x > 0 ? 1 : 0));
  const toVoxelX = (x: number) => Math.round(applyAffine(invertAffine(bet.affine), [x, 0, 0])[0]);
  const [i0, i1] = STRIPE_SLAB_MNI_X.map(toVoxelX).sort((a, b) => a - b);
  const left = i0 - 1;
  const right = i1 + 1;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const row = nx * (j + ny * k);
      const keep = m[row + left] & m[row + right];
      for (let i = i0; i <= i1; i++) m[row + i] = keep;
    }
  }
  const comps = connectedComponents(m, bet.dims, 6);
  const largest = comps.sizes.indexOf(Math.max(...comps.sizes)) + 1;
  for (let v = 0; v < m.length; v++) m[v] = comps.labels[v] === largest ? 1 : 0;
  // Holes: background components that do not touch the grid's border.
  const background = Uint8Array.from(m, (x) => 1 - x);
  const bg = connectedComponents(background, bet.dims, 6);
  const touches = new Uint8Array(bg.count + 1);
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        if (i === 0 || j === 0 || k === 0 || i === nx - 1 || j === ny - 1 || k === nz - 1) touches[bg.labels[i + nx * (j + ny * k)]] = 1;
      }
    }
  }
  for (let v = 0; v < m.length; v++) if (bg.labels[v] > 0 && !touches[bg.labels[v]]) m[v] = 1;
  return m;
}

/** WORKING_DIMS voxels of WORKING_SPACING_MM, axes as MNI, centred on the brain's bounding box (origin on 0.5 mm). */
function workingGrid(mask: Volume<Uint8Array>): { dims: Vec3; affine: Mat4 } {
  const box = boundingBox(mask.data, mask.dims);
  if (!box) throw new Error('empty brain mask');
  const lo = applyAffine(mask.affine, box.min);
  const hi = applyAffine(mask.affine, box.max);
  const s = WORKING_SPACING_MM;
  const origin = [0, 1, 2].map((a) => Math.round(((lo[a] + hi[a]) / 2 - ((WORKING_DIMS[a] - 1) / 2) * s) * 2) / 2);
  return {
    dims: WORKING_DIMS,
    affine: [
      [s, 0, 0, origin[0]],
      [0, s, 0, origin[1]],
      [0, 0, s, origin[2]],
      [0, 0, 0, 1],
    ],
  };
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: npx tsx datasets/colin27/prepare.ts <mricron templates folder>\n');
    process.exit(2);
  }
  main(dir).catch((err) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  });
}
