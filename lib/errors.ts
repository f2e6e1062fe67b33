/**
 * Typed errors. Each carries the file (or other source) it is about, so a message always says which input was bad.
 * The command line prints `error.message` and exits non-zero for any `EgfrGtvError`, without a stack trace.
 */
export class EgfrGtvError extends Error {
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(file ? `${file}: ${message}` : message);
    this.name = new.target.name;
  }
}

/** A NIfTI file that cannot be read or written as asked (bad magic, truncated data, unsupported datatype, ...). */
export class NiftiError extends EgfrGtvError {}

/** A dataset that does not match its layout: a missing sequence, a bad labels.csv, grids that differ, NaN voxels. */
export class DatasetError extends EgfrGtvError {}

/** A model file (manifest or weights) that is missing, truncated or does not match the model it is loaded into. */
export class ModelFileError extends EgfrGtvError {}

/** A configuration value that is out of range or inconsistent with another one. */
export class ConfigError extends EgfrGtvError {}

/** A compute backend that cannot be used for what was asked (not installed, or known to give wrong results). */
export class BackendError extends EgfrGtvError {}

/** Bad command-line usage: unknown flags, missing required options. Exits with status 2. */
export class UsageError extends EgfrGtvError {}
