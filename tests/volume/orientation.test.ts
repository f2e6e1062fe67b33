import { strict as assert } from 'node:assert';
import { readNifti } from '../../lib/io';
import { axcodes, fromCanonical, reorient, toCanonical } from '../../lib/volume/orientation';
import { voxelIndex, type Mat4, type Vec3 } from '../../lib/volume/volume';
import { affinesClose, applyAffine, invertAffine, multiply4 } from '../../lib/volume/affine';
import { fixture } from '../io/fixtures';

/** 16 random oblique, sheared affines and the codes nibabel 5.0.0's aff2axcodes printed for them. */
const NIBABEL_CASES: Array<[Mat4, string]> = JSON.parse(
  '[[[[0.002054,0.375697,-0.327886,5.270712],[-1.487144,-0.571785,-1.186073,-46.523402],[0.10043,1.685429,-0.588711,-1.462591],[0,0,0,1]],"PSL"],' +
    '[[[0.409673,-2.40241,-0.762166,-26.934645],[-1.120202,-2.30469,-3.067437,-2.425047],[-0.138516,-2.265208,0.451795,5.665449],[0,0,0,1]],"RIP"],' +
    '[[[-1.788726,-1.290331,-1.73636,-61.252791],[-0.945529,2.865307,-1.432952,3.807012],[-0.038018,2.388587,-1.035586,67.941171],[0,0,0,1]],"PLI"],' +
    '[[[-1.354524,2.183558,0.172898,33.362378],[-0.561607,5.082749,1.104221,71.92613],[-1.049977,0.189334,0.835401,-33.783113],[0,0,0,1]],"LAS"],' +
    '[[[0.442723,-0.579621,0.34174,-23.158493],[-2.587387,-0.724735,-0.526824,-4.864346],[1.958778,1.43273,-3.553927,62.850749],[0,0,0,1]],"PLI"],' +
    '[[[1.450457,-0.629636,-0.531015,-22.179061],[-0.526393,2.93163,-0.616664,58.306389],[-0.638922,0.678464,-0.173996,32.654425],[0,0,0,1]],"IAL"],' +
    '[[[-0.070448,1.433277,-0.533782,8.20264],[3.069969,-0.011579,0.916232,112.237831],[-3.766659,0.743421,-2.65141,-41.586159],[0,0,0,1]],"ARI"],' +
    '[[[-1.486511,0.518915,0.415073,-42.897824],[-0.420278,-0.520245,0.591411,48.603335],[1.238651,-2.611393,-0.066664,9.637296],[0,0,0,1]],"LIA"],' +
    '[[[0.256337,-1.142654,-0.160143,6.54756],[-5.734151,-2.187386,0.489895,-76.841747],[-6.109648,1.636775,-2.357527,62.457437],[0,0,0,1]],"PLI"],' +
    '[[[4.046726,-0.044207,-0.431416,-7.704379],[-0.44873,-0.655096,1.730266,48.296081],[-1.523843,-0.034389,-1.249436,0.66623],[0,0,0,1]],"RPI"],' +
    '[[[-1.936456,-0.84952,-0.437548,-38.144943],[0.022195,-0.975852,-0.234243,70.36361],[-3.844377,-2.09814,1.291843,-72.701215],[0,0,0,1]],"LPS"],' +
    '[[[-0.502553,-1.604184,-4.094323,66.776593],[1.771229,-0.059502,0.1661,-25.355235],[-1.813127,1.154267,-1.253852,14.584018],[0,0,0,1]],"ASL"],' +
    '[[[-0.064798,-0.263569,-1.003715,47.476497],[1.208271,-0.180355,-0.299248,48.322357],[0.042613,0.702922,1.344669,-7.03542],[0,0,0,1]],"ASL"],' +
    '[[[1.356964,2.266323,2.19019,-57.258845],[2.307293,-1.321372,3.991988,-84.433579],[-3.12167,2.49915,1.301522,40.844453],[0,0,0,1]],"IRA"],' +
    '[[[-1.008117,-0.023993,1.760803,-48.585435],[-1.63263,-4.080919,0.543718,-82.174066],[0.044084,-0.475408,0.080803,25.284054],[0,0,0,1]],"SPR"],' +
    '[[[-0.130596,0.421444,-1.888835,44.395119],[-1.399703,-1.035699,-1.692843,-4.474398],[0.415636,-0.811702,0.679828,-0.701487],[0,0,0,1]],"PIL"]]',
);

describe('orientation codes', () => {
  it('match nibabel 5.0.0 on the real fixtures', async () => {
    assert.equal(axcodes((await readNifti(fixture('KmeansTest_T1UCharRaw.nii.gz'))).affine), 'LSA');
    assert.equal(axcodes((await readNifti(fixture('ch2_crop.nii.gz'))).affine), 'RAS');
    assert.equal(axcodes((await readNifti(fixture('nifti2_float64_qform.nii.gz'))).affine), 'LSA');
    assert.equal(axcodes((await readNifti(fixture('noxform_uint16.nii'))).affine), 'LAS');
  });

  it('match nibabel 5.0.0 on random oblique and sheared affines', () => {
    NIBABEL_CASES.forEach(([affine, codes], i) => assert.equal(axcodes(affine), codes, `case ${i}`));
  });
});

describe('reorient', () => {
  it('puts the coronal ITK volume in RAS order exactly as nibabel as_closest_canonical does', async () => {
    const im = await readNifti(fixture('KmeansTest_T1UCharRaw.nii.gz'));
    const can = toCanonical(im);
    assert.deepEqual(can.dims, [128, 62, 128]);
    assert.deepEqual(can.spacing, [2, 3, 2]);
    assert.deepEqual(can.affine, [
      [2, 0, 0, -254],
      [0, 3, 0, -254],
      [0, 0, 2, 0],
      [0, 0, 0, 1],
    ]);
    assert.equal(axcodes(can.affine), 'RAS');
    assert.equal(can.data[64 + 128 * (31 + 62 * 64)], 87);
    let checksum = 0;
    for (let f = 0; f < can.data.length; f++) checksum += (can.data[f] * f) % 1000;
    assert.equal(checksum, 123632742);
  });

  it('goes back to the input grid exactly, and every voxel keeps its world position', async () => {
    const im = await readNifti(fixture('KmeansTest_T1UCharRaw.nii.gz'));
    for (const codes of ['RAS', 'LPS', 'SPL', 'PRI']) {
      const r = reorient(im, codes);
      assert.equal(axcodes(r.affine), codes);
      const back = fromCanonical(r, im);
      assert.deepEqual(back.dims, im.dims);
      assert.ok(affinesClose(back.affine, im.affine, 0));
      assert.deepEqual(back.data, im.data);
    }
    const r = reorient(im, 'PIR');
    const toInput = multiply4(invertAffine(im.affine), r.affine);
    for (let t = 0; t < 200; t++) {
      const o: Vec3 = [(t * 37) % r.dims[0], (t * 11) % r.dims[1], (t * 7) % r.dims[2]];
      const p = applyAffine(toInput, o).map(Math.round) as Vec3;
      assert.deepEqual(applyAffine(toInput, o).map((x, a) => Math.abs(x - p[a]) < 1e-9), [true, true, true]);
      assert.equal(r.data[voxelIndex(r.dims, ...o)], im.data[voxelIndex(im.dims, ...p)]);
    }
  });

  it('refuses codes that do not name each axis once', () => {
    const v = { data: new Uint8Array(8), dims: [2, 2, 2] as Vec3, spacing: [1, 1, 1] as Vec3, affine: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]] };
    assert.throws(() => reorient(v, 'RRS'), RangeError);
    assert.throws(() => reorient(v, 'RAX'), RangeError);
  });
});
