import { readNifti } from '../../io';
import { countNonFinite } from '../../io/non-finite';
import { axcodes } from '../../volume/orientation';
import { UsageError } from '../../errors';
import { parseCommandArgs } from '../args';
import type { Command } from '../command';

export const command: Command = {
  name: 'info',
  summary: 'print the grid of a NIfTI file: dims, spacing, datatype, affine, orientation',
  usage: [
    'usage: egfr-gtv info FILE [--json]',
    '',
    'Reads a .nii or .nii.gz file and prints its dims, voxel spacing (mm), stored datatype, voxel-to-world affine',
    '(4x4, row-major, chosen as nibabel does: sform, else qform, else pixdim scaling) and orientation codes (as',
    "nibabel's aff2axcodes, e.g. RAS).",
    '',
    '  --json   one JSON object: {file, dims, spacing, datatype, affine, orientation, non_finite: {nan, infinite}}',
  ].join('\n'),
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } }, true);
    if (positionals.length !== 1) throw new UsageError(`expected one FILE, got ${positionals.length}`);
    const file = positionals[0];
    // info describes a file, a broken one included: it counts non-finite voxels instead of refusing them.
    const im = await readNifti(file, { nonFinite: 'keep' });
    const nonFinite = countNonFinite(im.data);
    const info = {
      file,
      dims: im.dims,
      spacing: im.spacing,
      datatype: im.datatype,
      affine: im.affine,
      orientation: axcodes(im.affine),
      non_finite: nonFinite,
    };
    if (values.json) {
      process.stdout.write(JSON.stringify(info) + '\n');
      return 0;
    }
    const fmt = (x: number) => (Object.is(x, -0) ? 0 : +x.toPrecision(8)).toString();
    const rows = im.affine.map((r) => r.map(fmt));
    const width = Math.max(...rows.flat().map((s) => s.length));
    process.stdout.write(
      [
        `file         ${file}`,
        `dims         ${im.dims.join(' x ')}`,
        `spacing      ${im.spacing.map(fmt).join(' x ')} mm`,
        `datatype     ${im.datatype}`,
        `orientation  ${info.orientation}`,
        `non-finite   ${nonFinite.nan} NaN, ${nonFinite.infinite} infinite voxels`,
        `affine       ${rows.map((r) => r.map((s) => s.padStart(width)).join('  ')).join('\n             ')}`,
      ].join('\n') + '\n',
    );
    return 0;
  },
};
