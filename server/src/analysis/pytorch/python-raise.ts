import { SourceRange } from './types';

/** A Python exception raised by the evaluated code; try/except catches it by class name. */
export class PythonRaise extends Error {
  constructor(
    readonly exception: string,
    readonly detail: string,
    readonly range: SourceRange | null,
  ) {
    super(`${exception} raised at ${detail}`);
  }
}

