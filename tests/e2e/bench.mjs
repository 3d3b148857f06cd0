// Browser benchmark: run with `cargo xtask bench` (or `node tests/e2e/bench.mjs` after
// `cargo xtask build`). Prints a Markdown table for the README.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { serveStatic, launch, corpusFromCli, DIST } from './harness.mjs';

const RUNS = Number(process.env.RUNS ?? 15);
// ONLY=render|coding|export runs one part (the others report no figures).
const only = (part) => !process.env.ONLY || process.env.ONLY === part;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] ?? NaN; };
const slug = (id) => id.replace(/[^\p{L}\p{N}._]/gu, '-');

const corpus = corpusFromCli();
const largest = corpus.reduce((a, b) => ([...b.text].length > [...a.text].length ? b : a));
const server = await serveStatic();
const browser = await launch();

async function renderMs(page, what) {
  await page.waitForSelector(`body[data-rendered="${what}"]`);
  return Number(await page.getAttribute('body', 'data-render-ms'));
}

const cold = { corpus: [], report: [], nav: [], clean: [] };
for (let i = 0; only('render') && i < RUNS; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url);
  cold.corpus.push(await renderMs(page, 'corpus'));
  cold.clean.push(Number(await page.getAttribute('body', 'data-load-ms')));
  // In-app navigation: click the largest report in the corpus table.
  await page.evaluate(() => document.body.removeAttribute('data-rendered'));
  await page.locator('td.symbol a', { hasText: largest.symbol }).click();
  cold.nav.push(await renderMs(page, 'report'));
  // A fresh load straight onto the largest report (a deep link).
  const page2 = await context.newPage();
  await page2.goto(`${server.url}#/report/${slug(largest.id)}`);
  cold.report.push(await renderMs(page2, 'report'));
  await context.close();
}

// Coding at scale: the largest report with 2,000 annotations, many overlapping.
const N = 2000;
const chars = [...largest.text];
let seed = 42;
const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
const tags = ['threat', 'finance', 'repatriation', 'prosecution'];
const anns = [];
for (let i = 0; i < N; i++) {
  const start = rand(chars.length - 200);
  const end = start + 5 + rand(120);
  anns.push({ id: `bench${i}`, doc: largest.id, start, end, quote: chars.slice(start, end).join(''),
    prefix: '', suffix: '', tags: [tags[rand(4)]], memo: '', coder: 'bench', created: '2026-01-01T00:00:00Z', updated: '2026-01-01T00:00:00Z' });
}
const coded = { report: [], nav: [], tag: [], dom: [] };
for (let i = 0; only('coding') && i < RUNS; i++) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(server.url);
  await renderMs(page, 'corpus');
  await page.evaluate(([key, value]) => {
    localStorage.setItem('marginalia:v1:meta', JSON.stringify({ schema: 1, coder: 'bench' }));
    localStorage.setItem(key, value);
  }, [`marginalia:v1:doc:${largest.id}`, JSON.stringify(anns)]);
  await page.reload();
  await renderMs(page, 'corpus');
  await page.evaluate(() => document.body.removeAttribute('data-rendered'));
  await page.locator('td.symbol a', { hasText: largest.symbol }).click();
  coded.nav.push(await renderMs(page, 'report'));
  if (await page.locator('.hl').count() < 100) throw new Error('the generated annotations are not shown');
  // A new tag, from the key press to the paint that shows it.
  const pending = page.evaluate(async () => {
    const p = document.querySelector('#p20 > p');
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    let text = null;
    while (walker.nextNode()) { if (walker.currentNode.data.trim().length >= 12) { text = walker.currentNode; break; } }
    const range = document.createRange();
    range.setStart(text, 0);
    range.setEnd(text, Math.min(12, text.data.length));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    const before = document.querySelectorAll('.hl').length;
    return new Promise((resolve, reject) => {
      setTimeout(() => reject(new Error('no new highlight within 10 s')), 10000);
      let t0 = 0;
      addEventListener('keydown', () => { t0 = performance.now(); }, { capture: true, once: true });
      const obs = new MutationObserver(() => {
        if (document.querySelectorAll('.hl').length !== before && t0) {
          obs.disconnect();
          window.__domMs = performance.now() - t0;
          requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
        }
      });
      obs.observe(document.querySelector('.prose'), { childList: true, subtree: true });
      window.__press = true;
    });
  });
  await page.waitForFunction(() => window.__press === true);
  // The paint is read from Chromium's own trace: from the key's dispatch to the end
  // of the commit of the first frame painted after the highlight was in the DOM.
  const cdp = await context.newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
  await page.keyboard.press('1');
  await pending;
  await page.waitForTimeout(100);
  const traced = new Promise((ok) => cdp.once('Tracing.tracingComplete', ok));
  await cdp.send('Tracing.end');
  await traced;
  const x = events.filter((e) => e.ph === 'X');
  const key = x.find((e) => e.name === 'EventDispatch' && e.args?.data?.type === 'keydown');
  const updated = key.ts + key.dur; // the DOM changes inside the key's dispatch (microtasks)
  const paint = x.filter((e) => e.name === 'Paint' && e.ts >= updated).sort((a, b) => a.ts - b.ts)[0];
  const commit = x.filter((e) => e.name === 'Commit' && e.ts >= paint.ts).sort((a, b) => a.ts - b.ts)[0];
  coded.tag.push((commit.ts + commit.dur - key.ts) / 1000);
  coded.dom.push(await page.evaluate(() => window.__domMs));
  const page2 = await context.newPage();
  await page2.goto(`${server.url}#/report/${slug(largest.id)}`);
  coded.report.push(await renderMs(page2, 'report'));
  await context.close();
}

// Exports of a large state: 20,000 annotations over the five reports, each
// format from the export dialog (time from the click to the file being handed
// to the browser, measured in the page).
const BIG = 20000;
const big = {};
for (const d of corpus) big[d.id] = [];
for (let i = 0; i < BIG; i++) {
  const d = corpus[i % corpus.length];
  const cs = [...d.text];
  const start = rand(cs.length - 200);
  const end = start + 5 + rand(120);
  big[d.id].push({ id: `big${i}`, doc: d.id, start, end, quote: cs.slice(start, end).join(''), prefix: '', suffix: '',
    tags: i % 7 ? [tags[rand(4)]] : [tags[rand(4)], tags[(rand(4) + 1) % 4]], memo: i % 5 ? '' : 'a memo, with "quotes"', coder: 'bench',
    created: '2026-01-01T00:00:00Z', updated: '2026-01-01T00:00:00Z' });
}
const defaultCodebook = { tags: tags.map((t, i) => ({ id: t, name: t, colour: ['#D55E00', '#0072B2', '#009E73', '#CC79A7'][i], key: String(i + 1), description: '' })) };
const exportKeys = ['csv', 'matrix', 'doccano', 'spacy', 'labelstudio', 'w3c', 'brat', 'qdpx'];
const exportMs = Object.fromEntries(exportKeys.map((k) => [k, []]));
for (let i = 0; only('export') && i < Math.min(RUNS, 5); i++) {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(server.url);
  await renderMs(page, 'corpus');
  // 20,000 annotations are more than localStorage holds (about 5 MB): they come in
  // as a restored backup and stay in memory (the app says the store is full).
  await page.evaluate(() => localStorage.setItem('marginalia:v1:meta', JSON.stringify({ schema: 1, coder: 'bench' })));
  await page.reload();
  await renderMs(page, 'corpus');
  const backup = { format: 'marginalia-backup', version: 1, app_version: 'bench', exported_at: '2026-01-01T00:00:00Z', coder: 'bench',
    codebook: defaultCodebook, documents: corpus.map((d) => ({ id: d.id, text_sha256: d.text_sha256 })), annotations: Object.values(big).flat(), texts: [] };
  await page.locator('label.restore input').setInputFiles({ name: 'big.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(backup)) });
  await page.locator('dialog.restore button', { hasText: 'Replace' }).click();
  await page.locator('dialog.restore').waitFor({ state: 'detached' });
  for (const key of exportKeys) {
    await page.locator('button.export-open').click();
    await page.locator(`input[name="export-format"][value="${key}"]`).check();
    await page.locator('input[name="export-docs"][value="all"]').check();
    await Promise.all([page.waitForEvent('download'), page.locator('.export-go').click()]);
    exportMs[key].push(Number(await page.getAttribute('body', 'data-export-ms')));
  }
  await context.close();
}

const sizes = fs.readdirSync(DIST).filter((f) => !f.startsWith('.')).map((f) => {
  const body = fs.readFileSync(path.join(DIST, f));
  return { f, raw: body.length, gz: zlib.gzipSync(body, { level: 9 }).length };
});
const kind = (f) => f.endsWith('.wasm') ? 'wasm' : f.endsWith('.js') ? 'js' : f.endsWith('.css') ? 'css' : 'html';
const kb = (n) => (n / 1024).toFixed(1);

console.log(`\nHeadless Chromium, release build, median of ${RUNS} runs (ms):\n`);
console.log('| measure | median | min | max |');
console.log('|---|---|---|---|');
for (const [name, xs] of [
  ['page load → corpus view painted and interactive', cold.corpus],
  ['  of which: reading the five cleaned reports (cleaned at build time)', cold.clean],
  [`click → largest report (${largest.symbol}, ${[...largest.text].length} chars) fully painted`, cold.nav],
  [`page load on a deep link → largest report fully painted`, cold.report],
]) console.log(`| ${name} | ${median(xs).toFixed(1)} | ${Math.min(...xs).toFixed(1)} | ${Math.max(...xs).toFixed(1)} |`);
console.log(`\nThe largest report with ${N} annotations (many overlapping), median of ${RUNS} runs (ms):\n`);
console.log('| measure | median | min | max |');
console.log('|---|---|---|---|');
for (const [name, xs] of [
  [`click → ${largest.symbol} with ${N} annotations fully painted`, coded.nav],
  [`page load on a deep link → ${largest.symbol} with ${N} annotations fully painted`, coded.report],
  ['key press → new highlight in the DOM', coded.dom],
  ['key press → the frame showing the new highlight painted and committed (Chromium trace)', coded.tag],
]) console.log(`| ${name} | ${median(xs).toFixed(1)} | ${Math.min(...xs).toFixed(1)} | ${Math.max(...xs).toFixed(1)} |`);
console.log(`\nExport of ${BIG} annotations over the five reports, from the export dialog (ms, median of ${Math.min(RUNS, 5)}):\n`);
console.log('| format | median | min | max |');
console.log('|---|---|---|---|');
for (const [k, xs] of Object.entries(exportMs)) console.log(`| ${k} | ${median(xs).toFixed(1)} | ${Math.min(...xs).toFixed(1)} | ${Math.max(...xs).toFixed(1)} |`);
console.log('\nTransferred size of the release build (dist/):\n');
console.log('| file | raw KB | gzip -9 KB |');
console.log('|---|---|---|');
for (const s of sizes) console.log(`| ${kind(s.f)} | ${kb(s.raw)} | ${kb(s.gz)} |`);
const total = sizes.reduce((a, s) => ({ raw: a.raw + s.raw, gz: a.gz + s.gz }), { raw: 0, gz: 0 });
console.log(`| **total** | ${kb(total.raw)} | **${kb(total.gz)}** |`);

await browser.close();
await server.close();
