import { DatasetError } from '../errors';
import { readNifti } from '../io/nifti-read';
import { affinesClose } from '../volume/affine';
import { segmentationMetrics, type SegmentationMetrics, type SegmentationMetricsOptions } from './segmentation';

/**
 * Segmentation metrics of a predicted mask file against a ground-truth mask file (NIfTI, .nii or .nii.gz), each
 * binarised as value > 0. Both must share one grid: the same dims, spacing and affine (to 1e-4 mm, so float32 headers
 * written by different tools agree); otherwise a `DatasetError` names both files and both grids.
 */
export async function scoreMaskFiles(
  predPath: string,
  gtPath: string,
  options: Partial<SegmentationMetricsOptions> = {},
): Promise<SegmentationMetrics> {
  const [pred, gt] = await Promise.all([readNifti(predPath), readNifti(gtPath)]);
  const sameDims = pred.dims.every((d, a) => d === gt.dims[a]);
  if (!sameDims || !affinesClose(pred.affine, gt.affine)) {
    const describe = (v: typeof pred) => `${v.dims.join('x')} voxels, affine ${JSON.stringify(v.affine)}`;
    throw new DatasetError(`grid (${describe(pred)}) differs from the grid of ${gtPath} (${describe(gt)})`, predPath);
  }
  try {
    return segmentationMetrics(pred, gt, options);
  } catch (err) {
    if (err instanceof DatasetError) throw new DatasetError(`${err.message} (against ${gtPath})`, predPath);
    throw err;
  }
}
