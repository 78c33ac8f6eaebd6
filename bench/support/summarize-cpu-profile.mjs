// node bench/support/summarize-cpu-profile.mjs <file.cpuprofile> [bundle dir, default dist/lambda] [rows]
//
// Self time of a V8 CPU profile (bench/cold-start.ts --cpu-prof) by npm package or source folder.
// Frames in the bundle (index.mjs and its chunks) are mapped back through each file's own source
// map; Node's internals keep their module name. V8 counts compiling a lazily compiled function to
// its caller, so some parse time shows up under the package that first calls it.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';

const [profileFile, bundleDir = 'dist/lambda', rows = '40'] = process.argv.slice(2);
if (!profileFile) {
  console.error('usage: summarize-cpu-profile.mjs <file.cpuprofile> [bundle dir] [rows]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(profileFile, 'utf8'));

/** The bundle file's source map, by its path relative to the bundle (the profile has the unpacked copy's URL). */
const maps = new Map();
function sourceMapOf(url) {
  const relative = /\/(chunks\/[^/]+\.mjs|index\.mjs)$/.exec(url)?.[1];
  if (relative === undefined) return undefined;
  if (!maps.has(relative)) {
    const mapFile = join(bundleDir, `${relative}.map`);
    maps.set(relative, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : undefined);
  }
  return maps.get(relative);
}

function ownerOf(callFrame) {
  if (!callFrame.url) return callFrame.functionName || '(native)';
  if (!callFrame.url.endsWith('.mjs')) return callFrame.url.startsWith('node:') ? callFrame.url : `file ${callFrame.url}`;
  const source = sourceMapOf(callFrame.url)?.findEntry(callFrame.lineNumber, callFrame.columnNumber)?.originalSource;
  if (source === undefined) return '(bundle, unmapped)';
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(source);
  return pkg ? pkg[1] : source.replace(/^.*\/src\//, 'src/');
}

const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map();
let totalMicros = 0;
profile.samples.forEach((id, index) => {
  const micros = profile.timeDeltas[index] ?? 0;
  const owner = ownerOf(nodes.get(id).callFrame);
  selfMicros.set(owner, (selfMicros.get(owner) ?? 0) + micros);
  totalMicros += micros;
});

console.log(`total ${(totalMicros / 1000).toFixed(1)} ms`);
for (const [owner, micros] of [...selfMicros].sort((a, b) => b[1] - a[1]).slice(0, Number(rows))) {
  console.log(`${(micros / 1000).toFixed(1).padStart(7)} ${owner}`);
}
