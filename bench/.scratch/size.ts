import { spawnSync } from 'node:child_process';
import { chartDetail, Report } from '../../server/src/analysis/report';
const r = spawnSync(process.execPath, ['dist/cli.js', 'profile', 'bench/.generated/vit-deep-5k.onnx', '--dim', 'batch=2', '--chip', 'h100', '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
const full = JSON.parse(r.stdout) as Report;
const chart = chartDetail(full);
const slim = { ...chart, nodes: chart.nodes.map(({ graph: _g, opset: _o, status: _s, macs: _m, weightBytes: _w, intensity: _i, ridge: _r, ridgeRatio: _rr, reason: _re, inputs, outputs, ...rest }) => ({ ...rest, inputs: inputs.map((v) => v && { dtype: v.dtype, shape: v.shape }), outputs: outputs.map((v) => ({ dtype: v.dtype, shape: v.shape })) })) };
for (const [k, v] of [['full', full], ['chart', chart], ['slim', slim]] as const) {
  let t = performance.now(); let s = ''; for (let i = 0; i < 5; i++) s = JSON.stringify(v); const st = (performance.now() - t) / 5;
  t = performance.now(); for (let i = 0; i < 5; i++) JSON.parse(s); const pt = (performance.now() - t) / 5;
  console.log(k, (s.length / 1e6).toFixed(2), 'MB', 'stringify', st.toFixed(1), 'parse', pt.toFixed(1));
}
console.log(JSON.stringify(chart.nodes[100]));
