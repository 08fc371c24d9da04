// Prints where a V8 CPU profile (`node --cpu-prof`) spent its time: self time per function, largest first.
// Usage: node --import tsx bench/cpu-profile-summary.ts FILE.cpuprofile [TOP]
import fs from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, top = '30'] = process.argv.slice(2);
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const byName = new Map<string, number>();
for (const n of profile.nodes) {
  const f = n.callFrame;
  const where = f.url ? `${f.url.replace(/^.*\/(node_modules|src)\//, '$1/')}:${f.lineNumber + 1}` : '';
  const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
  byName.set(key, (byName.get(key) ?? 0) + (self.get(n.id) ?? 0));
}
const total = profile.endTime - profile.startTime;
console.log(`profiled ${(total / 1e6).toFixed(2)} s`);
for (const [name, us] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, Number(top)))
  console.log(`${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / 1e6).toFixed(2).padStart(6)} s  ${name}`);
