// Generates realistic person and company names that are (almost surely) not on any sanctions
// list, for the false-positive benchmark. Usage:
//   node gen_names.mjs COUNT SEED OUT.jsonl
// Needs @faker-js/faker (scripts/setup/screening.sh installs it under the kycd cache dir);
// NODE_PATH or FAKER_DIR points at that node_modules folder. Each line: {"name","type","locale"}.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';

const [count = '100000', seed = '42', out = 'names.jsonl'] = process.argv.slice(2);
const cache = process.env.KYCD_CACHE_DIR || path.join(os.homedir(), '.cache', 'kycd');
const fakerDir = process.env.FAKER_DIR || path.join(cache, 'npm', 'faker');
const require = createRequire(path.join(fakerDir, 'package.json'));
const fakerPath = require.resolve('@faker-js/faker');
const mod = await import(fakerPath);

// Locales weighted towards the scripts and name pools that collide most with sanctions lists
// (Russian, Arabic, Persian, Chinese, Turkish, Spanish), plus the usual Western ones.
const locales = [
  ['ru', 12], ['ar', 10], ['fa', 10], ['zh_CN', 8], ['uk', 4], ['tr', 5], ['es', 5], ['es_MX', 5],
  ['en_US', 6], ['en_GB', 3], ['en_IN', 4], ['en_NG', 3], ['de', 4], ['fr', 4], ['it', 3], ['pt_BR', 3],
  ['pl', 2], ['el', 2], ['he', 2], ['ko', 2], ['ja', 2], ['vi', 2], ['id_ID', 2], ['nl', 1], ['sv', 1],
  ['hu', 1], ['cs_CZ', 1], ['ro', 1], ['az', 1], ['ka_GE', 1], ['hy', 1], ['ur', 1],
];
const pool = [];
for (const [loc, w] of locales) {
  const key = 'faker' + loc.toUpperCase();
  const f = mod[key];
  if (!f) { console.error(`locale ${loc} (${key}) not in this faker version, skipped`); continue; }
  f.seed(Number(seed) + pool.length);
  for (let i = 0; i < w; i++) pool.push([loc, f]);
}

const n = Number(count);
const lines = [];
const rnd = mod.faker; rnd.seed(Number(seed));
for (let i = 0; i < n; i++) {
  const [loc, f] = pool[rnd.number.int({ min: 0, max: pool.length - 1 })];
  let name, type;
  try {
    if (rnd.number.float() < 0.8) {
      type = 'person';
      // Mix full names (some with middle names/prefixes) with plain first+last.
      const r = rnd.number.float();
      if (r < 0.6) name = f.person.fullName();
      else if (r < 0.85) name = `${f.person.firstName()} ${f.person.lastName()}`;
      else name = `${f.person.firstName()} ${f.person.middleName?.() ?? f.person.firstName()} ${f.person.lastName()}`;
    } else {
      type = 'organization';
      name = f.company.name();
    }
  } catch (e) {
    type = 'person';
    name = `${f.person.firstName()} ${f.person.lastName()}`;
  }
  lines.push(JSON.stringify({ name, type, locale: loc }));
}
writeFileSync(out, lines.join('\n') + '\n');
console.error(`wrote ${n} names to ${out}`);
