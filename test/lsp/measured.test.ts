import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Report } from '../../server/src/analysis/report';
import { SetMeasuredResult } from '../../server/src/protocol';
import { CORPUS, ensureBuilt, fileUri, LspSession } from '../../scripts/lib/lsp-session';
import { corpusPrerequisite } from '../support/corpus';
import { requireInSuite } from '../support/prerequisites';

/**
 * Measured mode in the editor: `ridgepoint/setMeasured` joins an ONNX Runtime profile (the checked-in
 * fixture, recorded with ONNX Runtime on this model) to the model's reports, so the roofline panel can
 * draw measured points; a malformed profile is refused with a reason; null stops the join.
 */
const MODEL = path.join(CORPUS, 'misc', 'keras_conv1d_lstm_onnxconverter.onnx');
const PROFILE = path.resolve(__dirname, '../fixtures/ort-profile/keras_conv1d_lstm.json');

describe('language server: imported ONNX Runtime profiles (measured mode)', function () {
  this.timeout(60_000);
  requireInSuite(corpusPrerequisite('models'));
  let session: LspSession;
  let tmp: string;
  const uri = fileUri(MODEL);

  before(async () => {
    ensureBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ridgepoint-measured-'));
    session = new LspSession({ chip: 'h100', peakMode: 'datasheet' });
    await session.initialize(tmp);
  });

  after(async () => {
    // Also after a before() that did not get this far (a missing prerequisite).
    await session?.dispose();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('joins the profile: every kernel of the trace names a node, and the reports carry the measurement', async () => {
    const before = await session.request<Report>('ridgepoint/profile', { uri });
    assert.equal(before.measurement, undefined);
    const result = await session.request<SetMeasuredResult>('ridgepoint/setMeasured', { uri, path: PROFILE });
    assert.deepEqual(result.errors, []);
    // The trace's kernel names, read from the fixture itself: each joins one node.
    const kernels = new Set((JSON.parse(fs.readFileSync(PROFILE, 'utf8')) as Array<{ cat: string; name: string }>).filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time')).map((e) => e.name.replace(/_kernel_time$/, '')));
    assert.equal(result.matched, kernels.size);
    const report = await session.request<Report>('ridgepoint/profile', { uri });
    assert.ok(report.measurement);
    assert.equal(report.measurement.matched, kernels.size);
    const measuredNodes = report.nodes.filter((n) => n.measuredSeconds !== undefined);
    assert.equal(measuredNodes.length, kernels.size);
    assert.ok(measuredNodes.every((n) => kernels.has(n.name)));
    // The panel's chart-detail report keeps it.
    const chart = await session.request<Report>('ridgepoint/profile', { uri, detail: 'chart' });
    assert.equal(chart.measurement?.matched, kernels.size);
  });

  it('refuses a malformed profile with a reason and keeps the previous one', async () => {
    const bad = path.join(tmp, 'bad.json');
    fs.writeFileSync(bad, '{"not": "a trace"');
    const result = await session.request<SetMeasuredResult>('ridgepoint/setMeasured', { uri, path: bad });
    assert.ok(result.errors.length > 0);
    const missing = await session.request<SetMeasuredResult>('ridgepoint/setMeasured', { uri, path: path.join(tmp, 'none.json') });
    assert.match(missing.errors.join(' '), /cannot read/);
    assert.ok((await session.request<Report>('ridgepoint/profile', { uri })).measurement);
  });

  it('null stops joining', async () => {
    await session.request<SetMeasuredResult>('ridgepoint/setMeasured', { uri, path: null });
    assert.equal((await session.request<Report>('ridgepoint/profile', { uri })).measurement, undefined);
  });
});
