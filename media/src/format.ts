/**
 * The report page's, the webview's and the client's short names for the one units module
 * (server/src/format/units.ts, where the conventions are stated): dense table and chart code reads better
 * with `seconds(t)` than `humanTime(t)`. No formatting of its own here.
 */
export {
  humanBytes as bytes,
  humanEnergy as joules,
  humanPercent as percent,
  humanRatio as ratio,
  humanSi as si,
  humanTime as seconds,
} from '../../server/src/format/units';
