// node bench/support/summarize-cpu-profile.mjs <file.cpuprofile> <bundle.mjs.map> [rows]: self time of a
// V8 CPU profile (bench/cold-start.ts --cpu-prof) by npm package or source folder, through the source map.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
const [profFile, mapFile] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(profFile, 'utf8'));
const map = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = prof.timeDeltas; let total = 0;
const counts = new Map();
prof.samples.forEach((id, i) => { counts.set(id, (counts.get(id) ?? 0) + (dt[i] ?? 0)); total += dt[i] ?? 0; });
function pkgOf(node) {
  const f = node.callFrame;
  if (!f.url) return f.functionName || '(native)';
  if (!f.url.endsWith('index.mjs')) return f.url.replace(/^.*\//, 'node:');
  const e = map.findEntry(f.lineNumber, f.columnNumber);
  const src = e?.originalSource ?? '?';
  const m = src.match(/node_modules\/((@[^/]+\/)?[^/]+)/);
  return m ? m[1] : src.replace(/^.*\/src\//, 'src/');
}
for (const [id, us] of counts) { const k = pkgOf(byId.get(id)); self.set(k, (self.get(k) ?? 0) + us); }
console.log('total ms', (total/1000).toFixed(1));
for (const [k, us] of [...self].sort((a,b)=>b[1]-a[1]).slice(0, Number(process.argv[4] ?? 40))) console.log((us/1000).toFixed(1).padStart(7), k);
