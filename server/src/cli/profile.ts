import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeModel } from '../analysis/analyze';
import { Dim } from '../analysis/ir/dim';
import { checkExternalData } from '../analysis/onnx/external-data';
import { advise } from '../analysis/advise/index';
import { Chip } from '../analysis/cost/chips';
import { profileAnalysis, ProfileOptions } from '../analysis/cost/index';
import { externalReferences } from '../analysis/ir/weights';
import { buildReport, Report } from '../analysis/report';
import { FileByteSource } from './file-source';
import { HfCliOptions, isHfConfigFile, profileHfFile } from './profile-hf';
import { isPythonFile, profilePythonFile } from './profile-python';

/**
 * Profiles one model file: open it as a ByteSource, analyse, check external data by stat, profile and
 * advise (unless `suggestions` is false), build the report. Never throws for a bad file: the report carries the diagnostics.
 */
export function profileFile(file: string, options: { dim: ReadonlyMap<string, number>; input: ReadonlyMap<string, Dim[]>; profile?: ProfileOptions; suggestions?: boolean; chips?: readonly Chip[]; hf?: HfCliOptions; entry?: string; python?: string }): Report {
  // A Hugging Face config.json is built into the graph of one phase (cli/profile-hf.ts).
  if (options.hf !== undefined && isHfConfigFile(file)) return profileHfFile(file, { ...options, hf: options.hf });
  // A PyTorch .py model definition is evaluated statically into the graph (cli/profile-python.ts).
  if (isPythonFile(file)) return profilePythonFile(file, options);
  let source: FileByteSource;
  try {
    source = new FileByteSource(file);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return buildReport({ model: null, inference: null, diagnostics: [{ severity: 'error', code: 'io.open', message: `cannot open ${file}: ${message}` }] }, file, options.dim);
  }
  try {
    const analysis = analyzeModel(source, { bindings: options.dim, inputShapes: options.input });
    if (analysis.model) {
      const dir = path.dirname(path.resolve(file));
      analysis.diagnostics.push(
        ...checkExternalData(externalReferences(analysis.model), (location) => {
          try {
            return fs.statSync(path.join(dir, location)).size;
          } catch {
            return undefined;
          }
        }),
      );
    }
    const profiled = options.profile ? profileAnalysis(analysis, options.profile) : null;
    // Advice re-infers for the batch what-if, which may load small shape constants: before the file closes.
    const advice = profiled && options.profile && options.suggestions !== false ? advise(analysis, { ...options.profile, baseline: profiled.result, chips: options.chips, inferOptions: { bindings: options.dim, inputShapes: options.input, source } }) : null;
    return buildReport(analysis, file, options.dim, profiled, advice);
  } finally {
    source.close();
  }
}

