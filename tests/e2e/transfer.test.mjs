// Exporting and importing, end to end, in headless Chromium against the release build:
// every format downloads with a meaningful name and exact offsets; exported files
// import back (picked or dropped) after a preview; bad files change nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serveStatic, launch, screenshot, watchErrors, corpusFromCli } from './harness.mjs';

let server, browser, corpus;
before(async () => { server = await serveStatic(); browser = await launch(); corpus = corpusFromCli(); });
after(async () => { await browser?.close(); await server?.close(); });

const DAY = /\d{4}-\d{2}-\d{2}/.source;

/** A coded state: annotations over two reports, overlapping, with memos that need care. */
function codedState() {
  const out = {};
  const tags = ['threat', 'finance', 'repatriation', 'prosecution'];
  for (const doc of corpus.filter((d) => d.id === 'S/2019/103' || d.id === 'S/2019/612')) {
    const chars = [...doc.text];
    const anns = [];
    for (let i = 0; i < 12; i++) {
      const start = 300 + i * 211;
      const end = start + 40 + (i % 3) * 30;
      anns.push({
        id: `${doc.id.replace(/\W/g, '')}-${i}`, doc: doc.id, start, end, quote: chars.slice(start, end).join(''),
        prefix: chars.slice(Math.max(0, start - 32), start).join(''), suffix: chars.slice(end, end + 32).join(''),
        tags: i % 4 === 0 ? [tags[i % 4], tags[(i + 1) % 4]] : [tags[i % 4]],
        memo: i === 1 ? '=SUM(A1), "quoted"\nsecond line' : '', coder: i % 2 ? 'ana' : 'ben',
        created: '2026-11-01T10:00:00Z', updated: '2026-11-01T10:00:00Z',
      });
    }
    out[doc.id] = anns;
  }
  return out;
}

async function openWith(state) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(server.url);
  await page.locator('table.reports').waitFor();
  await page.evaluate((state) => {
    localStorage.setItem('marginalia:v1:meta', JSON.stringify({ schema: 1, coder: 'ana' }));
    for (const [doc, anns] of Object.entries(state)) localStorage.setItem(`marginalia:v1:doc:${doc}`, JSON.stringify(anns));
  }, state);
  await page.reload();
  await page.locator('table.reports').waitFor();
  return { context, page, errors };
}

async function exportAs(page, key, setup = async () => {}) {
  await page.locator('button.export-open').click();
  await page.locator('dialog.export').waitFor();
  await page.locator(`input[name="export-format"][value="${key}"]`).check();
  await setup();
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('.export-go').click()]);
  await page.locator('dialog.export').waitFor({ state: 'detached' });
  return { name: download.suggestedFilename(), bytes: fs.readFileSync(await download.path()) };
}

const sliceCp = (text, s, e) => [...text].slice(s, e).join('');

test('every format downloads from the export dialog with a meaningful name and exact offsets', async () => {
  const state = codedState();
  const { context, page, errors } = await openWith(state);
  const byId = Object.fromEntries(corpus.map((d) => [d.id, d]));
  const all = Object.values(state).flat();

  // From a report, the scope starts at that report.
  await page.goto(`${server.url}#/report/S-2019-103`);
  await page.locator('.prose .hl').first().waitFor();
  await page.locator('button.export-open').click();
  await page.locator('dialog.export').waitFor();
  assert.equal(await page.locator('input[name="export-docs"][value="current"]').isChecked(), true);
  assert.match(await page.locator('.export-preview').innerText(), /12 annotations from 1 document → marginalia-S-2019-103-segments-/);
  await screenshot(page, 'export-dialog');
  // A modal dialog: focus is inside it, Escape closes it, focus goes back to the opener.
  assert.equal(await page.evaluate(() => !!document.activeElement?.closest('dialog.export')), true);
  await page.keyboard.press('Escape');
  await page.locator('dialog.export').waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.activeElement?.classList.contains('export-open'), null, { timeout: 5000 });

  const csv = await exportAs(page, 'csv');
  assert.match(csv.name, new RegExp(`^marginalia-S-2019-103-segments-${DAY}\\.csv$`));
  const rows = parseCsv(csv.bytes.toString('utf8'));
  const header = rows.shift();
  const col = (n) => header.indexOf(n);
  assert.equal(rows.length, 12 + 3, 'one row per annotation and tag (three carry two tags)');
  for (const r of rows) {
    const doc = byId[r[col('document')]];
    const text = r[col('text')];
    assert.equal(sliceCp(doc.text, +r[col('start')], +r[col('end')]), text);
    assert.equal(r[col('text_sha256')], doc.text_sha256);
  }
  assert.ok(rows.some((r) => r[col('memo')] === `'=SUM(A1), "quoted"\nsecond line`), 'formula neutralised, quotes and line break kept');

  // The whole corpus, two tags, one coder: the scope is applied.
  const doccano = await exportAs(page, 'doccano', async () => {
    await page.locator('input[name="export-docs"][value="all"]').check();
    await page.locator('dialog.export input.tag[value="finance"]').uncheck();
    await page.locator('dialog.export input.tag[value="prosecution"]').uncheck();
    // Every coder's spans in one training file: said, until one coder is chosen.
    await page.locator('.coder-warning', { hasText: 'These files do not say who coded what' }).waitFor();
    await page.locator('select.coder-select').selectOption('ana');
    await page.locator('.coder-warning').waitFor({ state: 'hidden' });
  });
  assert.match(doccano.name, new RegExp(`^marginalia-corpus-doccano-ana-${DAY}\\.jsonl$`));
  // No tag chosen: nothing to download, and the dialog says so.
  await page.locator('button.export-open').click();
  await page.locator('dialog.export').waitFor();
  for (const box of await page.locator('dialog.export input.tag').all()) await box.uncheck();
  assert.equal(await page.locator('.export-preview').innerText(), 'No tag is chosen: choose at least one.');
  assert.equal(await page.locator('.export-go').isDisabled(), true);
  await page.locator('input[name="export-format"][value="codebook-json"]').check();
  assert.equal(await page.locator('.export-go').isDisabled(), true, 'nor an empty codebook');
  await page.locator('dialog.export input.tag').first().check();
  assert.equal(await page.locator('.export-go').isDisabled(), false);
  await page.locator('dialog.export button', { hasText: 'Cancel' }).click();
  await page.locator('dialog.export').waitFor({ state: 'detached' });
  const lines = doccano.bytes.toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
  // The texts ana coded, not the three no one coded (no labels would teach "nothing here").
  assert.deepEqual(lines.map((l) => l.document), ['S/2019/103', 'S/2019/612']);
  const labels = lines.flatMap((l) => l.label.map((x) => ({ doc: l, x })));
  const expected = all.filter((a) => a.coder === 'ana').flatMap((a) => a.tags.filter((t) => t === 'threat' || t === 'repatriation'));
  assert.equal(labels.length, expected.length);
  for (const { doc, x } of labels) {
    assert.ok(['threat', 'repatriation'].includes(x[2]));
    assert.ok(all.some((a) => a.start === x[0] && a.end === x[1] && a.quote === sliceCp(doc.text, x[0], x[1])));
  }

  // Every other format: a file with the right name and a body its readers expect.
  const checks = {
    matrix: (b) => assert.match(b.toString('utf8').split('\n')[0], /^document,symbol,ordinal,date,kind,number,section,.*,threat,finance,repatriation,prosecution/),
    spacy: (b) => assert.ok(b.toString('utf8').trim().split('\n').every((l) => Array.isArray(JSON.parse(l).spans))),
    labelstudio: (b) => assert.ok(Array.isArray(JSON.parse(b.toString('utf8')))),
    w3c: (b) => assert.equal(JSON.parse(b.toString('utf8')).type, 'AnnotationCollection'),
    brat: (b) => assert.equal(b.subarray(0, 2).toString('latin1'), 'PK'),
    qdpx: (b) => assert.equal(b.subarray(0, 2).toString('latin1'), 'PK'),
    qdc: (b) => assert.match(b.toString('utf8'), /<CodeBook[^>]*urn:QDA-XML:codebook:1.0/),
    'codebook-json': (b) => assert.equal(JSON.parse(b.toString('utf8')).tags.length, 4),
    'codebook-md': (b) => assert.match(b.toString('utf8'), /threat/i),
    'codebook-html': (b) => {
      const page = b.toString('utf8');
      assert.match(page, /<html/i);
      // Its one script element is the codebook as data (never run).
      assert.deepEqual(page.match(/<script[^>]*>/gi), ['<script type="application/json" id="marginalia-codebook">']);
    },
  };
  const exts = { matrix: 'csv', spacy: 'jsonl', labelstudio: 'json', w3c: 'jsonld', brat: 'zip', qdpx: 'qdpx', qdc: 'qdc', 'codebook-json': 'json', 'codebook-md': 'md', 'codebook-html': 'html' };
  for (const [key, check] of Object.entries(checks)) {
    const f = await exportAs(page, key, async () => {
      if (await page.locator('input[name="export-docs"][value="all"]').isEnabled()) await page.locator('input[name="export-docs"][value="all"]').check();
    });
    assert.match(f.name, new RegExp(`^marginalia-[\\w-]+-${DAY}\\.${exts[key]}$`), `${key}: ${f.name}`);
    check(f.bytes);
  }
  // Label Studio's labeling interface for the file, to paste into its project: shown and copied.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await page.locator('button.export-open').click();
  await page.locator('input[name="export-format"][value="labelstudio"]').check();
  await page.locator('details.ls-config summary').click();
  const config = await page.locator('.ls-config-xml').innerText();
  assert.match(config, /<Labels name="label" toName="text" choice="multiple">/);
  assert.match(config, /<Label value="threat" background="#[0-9a-fA-F]{6}"\/>/);
  assert.match(config, /<TextArea name="memo" toName="text" perRegion="true"/);
  await page.locator('.ls-config-copy').click();
  await page.locator('.toast', { hasText: 'Copied the labeling interface' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), config.trim() + '\n');
  await page.keyboard.press('Escape');
  assert.deepEqual(errors, []);
  await context.close();
});

test("a teacher's handout names the address students open, when they can open it", async () => {
  // Served from this machine (127.0.0.1), the address would mean nothing to a class: left out.
  const { context, page, errors } = await openWith({});
  // The teacher adds a tag and writes the task; the handout carries both.
  await page.goto(`${server.url}#/codebook`);
  await page.locator('.add-tag input').fill('Gender');
  await page.locator('.add-tag button').click();
  await page.locator('.tag-row[data-tag="gender"]').waitFor();
  const local = (await exportAs(page, 'codebook-html', async () => {
    await page.locator('textarea.handout-task').fill('Code ¶5–18 of S/2019/103.\n\nHand in your backup file by Friday.');
  })).bytes.toString('utf8');
  assert.match(local, /<li>Open Marginalia in a browser\./);
  assert.match(local, /<h2>Your task<\/h2>\n<p>Code ¶5–18 of S\/2019\/103\.<\/p>\n<p>Hand in your backup file by Friday\.<\/p>/);
  // The task written is kept for the next handout, over a reload; it is not the teacher's own task.
  await page.reload();
  await page.locator('button.export-open').click();
  await page.locator('input[name="export-format"][value="codebook-html"]').check();
  assert.equal(await page.locator('textarea.handout-task').inputValue(), 'Code ¶5–18 of S/2019/103.\n\nHand in your backup file by Friday.');
  // The box says which passage the Agreement page will offer, as the teacher writes it.
  assert.equal(await page.locator('.task-passage-hint').innerText(), 'The Agreement page will offer to compare the class over ¶5–18 of S/2019/103.');
  await page.locator('textarea.handout-task').fill('Read S/2018/770, paragraphs 3 to 9.');
  assert.equal(await page.locator('.task-passage-hint').innerText(), 'The Agreement page will offer to compare the class over ¶3–9 of S/2018/770.');
  await page.locator('textarea.handout-task').fill('Code the whole corpus.');
  assert.match(await page.locator('.task-passage-hint').innerText(), /^Name a passage/);
  await page.locator('textarea.handout-task').fill('Code ¶5–18 of S/2019/103.\n\nHand in your backup file by Friday.');
  await page.keyboard.press('Escape');
  await page.goto(`${server.url}#/`);
  await page.locator('table.reports').waitFor();
  assert.equal(await page.locator('.task-box').count(), 0, "the teacher's page shows no task");
  // The teacher's page says how a class goes; a student's (with a task) does not.
  // Found from the top of the page: the link opens the steps below the reports.
  await page.locator('.class-hint a', { hasText: 'Teaching a class? How to run an exercise ↓' }).click();
  await page.waitForFunction(() => document.querySelector('details.for-class').open);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Teaching a class with Marginalia');
  assert.match(await page.locator('details.for-class ol').innerText(), /Export… → Codebook handout/);
  // Handed back in place of a student's work, it is said for what it is, and nothing is added.
  await page.goto(`${server.url}#/`);
  await page.locator('label.add-files input[type=file]').setInputFiles({ name: 'dev-homework.html', mimeType: 'text/html', buffer: Buffer.from(local) });
  await page.locator('.toast', { hasText: "dev-homework.html is the codebook handout: its tags are the ones here already, and it holds no one's work." }).waitFor();
  assert.equal(await page.locator('dialog').count(), 0, 'no preview to add it');
  await context.close();
  // A student brings in the handout itself with Import…: its codebook comes with it (one file to hand out).
  const student = await openWith({});
  await student.page.locator('input.import-file').setInputFiles({ name: 'codebook.html', mimeType: 'text/html', buffer: Buffer.from(local) });
  await student.page.locator('.toast', { hasText: 'Codebook imported from codebook.html' }).waitFor();
  // The task comes with it, said.
  assert.match(await student.page.locator('.toast').innerText(), /It gives you a task: see “Your task”, above the list of reports and beside each report\./);
  // The notice may fade: the task stays in view above the reports.
  await student.page.locator('section.task-box', { hasText: 'Hand in your backup file by Friday.' }).waitFor();
  // The passage it names is one tap away.
  await student.page.locator('section.task-box a', { hasText: 'Go to ¶5–18 of S/2019/103 →' }).click();
  await student.page.locator('#p5.target').waitFor();
  await student.page.goto(`${server.url}#/`);
  await student.page.locator('section.task-box').waitFor();
  await student.page.waitForFunction(() => JSON.parse(localStorage.getItem('marginalia:v1:codebook') ?? '{"tags":[]}').tags.some((t) => t.name === 'Gender'));
  // Brought in again, its tags the ones here already (as a class keeping the default tags): the task still comes.
  await student.page.locator('input.import-file').setInputFiles({ name: 'codebook.html', mimeType: 'text/html', buffer: Buffer.from(local) });
  await student.page.locator('.toast', { hasText: 'codebook.html is read: its tags are the ones you have already. It gives you a task' }).waitFor();
  // The task stays in view: above the reports, over a reload, and folded beside a report.
  await student.page.reload();
  const box = student.page.locator('section.task-box');
  assert.deepEqual(await box.locator('p:not(.task-go, .task-hand-in)').allInnerTexts(), ['Code ¶5–18 of S/2019/103.', 'Hand in your backup file by Friday.']);
  assert.equal(await student.page.locator('details.for-class, .class-hint').count(), 0, "a student's page has the task, not the teacher's steps");
  await screenshot(student.page, 'task-above-the-reports');
  await student.page.goto(`${server.url}#/report/S-2019-103`);
  const note = student.page.locator('.coding details.task-note');
  await note.locator('summary').click();
  assert.match(await note.innerText(), /Your task\s+Code ¶5–18 of S\/2019\/103\.\s+Hand in your backup file by Friday\./);
  // Coding outside the task's passage is said (once), with Undo.
  await student.page.locator('#p2 .pnum').focus();
  await student.page.keyboard.press('1');
  const outside = student.page.locator('.toast', { hasText: 'All of S/2019/103 ¶2 tagged threat. Your task names ¶5–18 of S/2019/103; this is S/2019/103 ¶2. It is coded all the same: Undo if that was a slip.' });
  await outside.waitFor();
  await outside.locator('button', { hasText: 'Undo' }).click();
  await student.page.waitForFunction(() => !document.querySelector('#p2 .hl'));
  // The student's backup carries the task: brought in on another computer, it comes back with the work.
  // Handed in from the task itself.
  await student.page.goto(`${server.url}#/`);
  const [saved] = await Promise.all([student.page.waitForEvent('download'), box.locator('button.hand-in', { hasText: 'Download backup to hand in' }).click()]);
  const home = await openWith({});
  await home.page.locator('input.import-file').setInputFiles({ name: 'mine.json', mimeType: 'application/json', buffer: fs.readFileSync(await saved.path()) });
  await home.page.locator('dialog.restore button', { hasText: /^Merge$/ }).click();
  await home.page.locator('section.task-box', { hasText: 'Code ¶5–18 of S/2019/103.' }).waitFor();
  await home.context.close();
  // Put aside once done with: gone, and it stays gone.
  await student.page.goto(`${server.url}#/`);
  await box.locator('button.put-task-aside').click();
  await student.page.locator('.toast', { hasText: 'The task is put aside.' }).waitFor();
  await student.page.reload();
  await student.page.locator('table.reports').waitFor();
  assert.equal(await box.count(), 0);
  // The Codebook page's Import codebook… takes the handout too.
  const another = await openWith({});
  await another.page.goto(`${server.url}#/codebook`);
  await another.page.locator('label.import-codebook input[type=file]').setInputFiles({ name: 'codebook.html', mimeType: 'text/html', buffer: Buffer.from(local) });
  await another.page.locator('.tag-row[data-tag="gender"]').waitFor();
  await another.context.close();
  assert.deepEqual(student.errors, []);
  await student.context.close();
  // Served from a school's web server (the same files, under its name).
  const school = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  await school.route('http://class.example.org/**', (route) => route.continue({ url: route.request().url().replace('http://class.example.org', new URL(server.url).origin) }));
  const p = await school.newPage();
  await p.goto('http://class.example.org/#/codebook');
  await p.locator('.tag-row').first().waitFor();
  const html = (await exportAs(p, 'codebook-html')).bytes.toString('utf8');
  assert.match(html, /<li>Open Marginalia at <a href="http:\/\/class\.example\.org\/">http:\/\/class\.example\.org\/<\/a> in a browser\./);
  // The Markdown handout says what it is for: print; the HTML one is what students import.
  const md = (await exportAs(p, 'codebook-md', async () => {
    assert.match(await p.locator('.md-handout-hint').innerText(), /^This one is to print or to paste into a document\. To give students the tags and the task in Marginalia, hand out the HTML handout/);
  })).bytes.toString('utf8');
  assert.match(md, /\n1\. Open Marginalia at <http:\/\/class\.example\.org\/> in a browser\./);
  assert.deepEqual(errors, []);
  await school.close();
});

test('exported files import back after a preview, by picking or dropping them; bad files change nothing', async () => {
  const state = codedState();
  const first = await openWith(state);
  const files = {};
  for (const key of ['doccano', 'labelstudio', 'w3c', 'brat', 'qdpx', 'spacy', 'csv']) {
    files[key] = await exportAs(first.page, key, async () => first.page.locator('input[name="export-docs"][value="all"]').check());
  }
  await first.context.close();

  for (const [key, file] of Object.entries(files)) {
    const { context, page, errors } = await openWith({});
    await page.locator('input.import-file').setInputFiles({ name: file.name, mimeType: 'application/octet-stream', buffer: file.bytes });
    await page.locator('dialog.import-preview').waitFor();
    assert.equal(await page.locator('.import-counts').innerText(), '24 to add.', key);
    // Whose work it is (formats that carry no coder come in as the importer's).
    assert.match(await page.locator('.import-whose').innerText(), /^By .*: \d+ annotations?, new here/, key);
    if (key === 'qdpx') await screenshot(page, 'import-preview');
    await page.locator('.import-go').click();
    await page.locator('dialog.import-preview').waitFor({ state: 'detached' });
    // The focus is somewhere the keyboard goes on from, not lost.
    await page.waitForFunction(() => document.activeElement && document.activeElement !== document.body);
    await page.goto(`${server.url}#/report/S-2019-612`);
    await page.locator('.prose .hl').first().waitFor();
    const got = await page.evaluate(() => JSON.parse(localStorage.getItem('marginalia:v1:doc:S/2019/612')));
    const live = got.filter((a) => !a.deleted);
    assert.equal(live.length, 12, key);
    for (const a of state['S/2019/612']) {
      const b = live.find((x) => x.start === a.start && x.end === a.end);
      assert.ok(b, `${key}: ${a.id} is back at its place`);
      assert.equal(b.quote, a.quote);
      assert.deepEqual([...b.tags].sort(), [...a.tags].sort(), key);
    }
    // Importing the same file again adds nothing.
    await page.locator('input.import-file').setInputFiles({ name: file.name, mimeType: 'application/octet-stream', buffer: file.bytes });
    await page.locator('dialog.import-preview').waitFor();
    assert.equal(await page.locator('.import-counts').innerText(), '24 already here.', key);
    await page.locator('dialog.import-preview button', { hasText: 'Cancel' }).click();
    assert.deepEqual(errors, [], key);
    await context.close();
  }

  // Dropped on the page: the same preview.
  const { context, page } = await openWith({});
  await page.evaluate(({ name, bytes }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(bytes)], name));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { name: files.doccano.name, bytes: [...files.doccano.bytes] });
  await page.locator('dialog.import-preview').waitFor();
  await page.locator('dialog.import-preview button', { hasText: 'Cancel' }).click();

  // Several files dropped at once (a class's work) open one after another, none lost:
  // a file that is refused says so, and the next preview opens when the last one closes.
  await page.evaluate((list) => {
    const dt = new DataTransfer();
    for (const { name, bytes } of list) dt.items.add(new File([new Uint8Array(bytes)], name));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, [
    { name: 'notes.json', bytes: [...Buffer.from('{"hello": "world"}')] },
    { name: files.doccano.name, bytes: [...files.doccano.bytes] },
    { name: files.w3c.name, bytes: [...files.w3c.bytes] },
  ]);
  await page.locator('.toast', { hasText: 'notes.json' }).waitFor();
  await page.locator('dialog.import-preview', { hasText: files.doccano.name }).waitFor();
  assert.equal(await page.locator('dialog[open]').count(), 1, 'one preview at a time');
  assert.match(await page.locator('#import-title').innerText(), /\(file 2 of 3\)$/);
  await page.locator('.import-go').click();
  await page.locator('dialog.import-preview', { hasText: files.w3c.name }).waitFor();
  assert.equal(await page.locator('.import-counts').innerText(), '24 already here.');
  await page.locator('dialog.import-preview button', { hasText: 'Cancel' }).click();
  await page.locator('dialog.import-preview').waitFor({ state: 'detached' });
  // When the last is done, one notice says what became of them all.
  await page.locator('.toast', { hasText: `Of the 3 files picked together: 1 brought in (${files.doccano.name}); 1 could not be read (notes.json); 1 left out (${files.w3c.name}).` }).waitFor();
  // Picked together with Import…, too.
  await page.locator('input.import-file').setInputFiles([
    { name: files.spacy.name, mimeType: 'application/octet-stream', buffer: files.spacy.bytes },
    { name: files.csv.name, mimeType: 'application/octet-stream', buffer: files.csv.bytes },
  ]);
  await page.locator('dialog.import-preview', { hasText: files.spacy.name }).waitFor();
  await page.locator('dialog.import-preview button', { hasText: 'Cancel' }).click();
  await page.locator('dialog.import-preview', { hasText: files.csv.name }).waitFor();
  await page.locator('dialog.import-preview button', { hasText: 'Cancel' }).click();
  await page.locator('dialog.import-preview').waitFor({ state: 'detached' });
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.locator('.topbar').waitFor();

  // Bad files: a truncated export, a zip bomb's cousin (not a zip), HTML with a script.
  const before = await page.evaluate(() => JSON.stringify(localStorage));
  const bad = [
    { name: 'truncated.jsonl', buffer: files.doccano.bytes.subarray(0, 100) },
    { name: 'fake.qdpx', buffer: Buffer.from('PK\x03\x04 this is not a zip') },
    { name: 'labels.json', buffer: Buffer.from('{"hello": "world"}') },
  ];
  for (const f of bad) {
    await page.locator('input.import-file').setInputFiles({ ...f, mimeType: 'application/octet-stream' });
    const toast = page.locator('.toast');
    await toast.waitFor();
    assert.match(await toast.innerText(), new RegExp(`${f.name.replace('.', '\\.')}.*(not imported|not a file).*[Nn]othing was changed`, 's'));
    if (f.name === 'labels.json') assert.match(await toast.innerText(), /it is JSON, but none of the kinds Marginalia reads\. It reads a backup, a codebook,/);
    if (f.name === 'labels.json') assert.equal((await toast.innerText()).match(/doccano/g)?.length ?? 0, 1, 'what it reads, said once');
    await toast.locator('button', { hasText: 'Dismiss' }).click();
  }
  assert.equal(await page.locator('dialog.import-preview').count(), 0);
  assert.equal(await page.evaluate(() => JSON.stringify(localStorage)), before, 'nothing changed');

  // An annotation whose text is not in the report is not dropped: it comes in detached.
  const stray = JSON.stringify({ id: 'S/2019/103', text: 'xx nowhere to be found in it xx', label: [[3, 22, 'threat']] }) + '\n';
  await page.locator('input.import-file').setInputFiles({ name: 'stray.jsonl', mimeType: 'application/octet-stream', buffer: Buffer.from(stray) });
  await page.locator('dialog.import-preview').waitFor();
  assert.match(await page.locator('.import-counts').innerText(), /1 cannot be placed \(1 kept as detached\)/);
  await page.locator('.import-go').click();
  await page.goto(`${server.url}#/report/S-2019-103`);
  await page.locator('.ann-list.detached li').waitFor();
  assert.match(await page.locator('.ann-list.detached').innerText(), /nowhere to be found/);
  assert.equal(await page.locator('.prose .hl').count(), 0, 'drawn nowhere');

  // A doccano file of a text that is not here: said, and its text can be added, its annotation placed on it.
  const own = JSON.stringify({ text: 'Interview one.\nThe money came by hawala.\n\nA second paragraph.', label: [[15, 40, 'finance']] }) + '\n';
  await page.locator('input.import-file').setInputFiles({ name: 'interviews.jsonl', mimeType: 'application/octet-stream', buffer: Buffer.from(own) });
  await page.locator('dialog.import-preview').waitFor();
  assert.equal(await page.locator('.import-counts').innerText(), '1 on a text that is not here.');
  assert.ok(await page.locator('.import-go').isDisabled());
  assert.equal(await page.locator('.import-unknown').innerText(), 'The file carries its text (line-1): add it to your texts, and its annotations are placed on it. Add the text');
  // Added, then Cancel: the text goes again.
  await page.locator('.import-add-texts').click();
  await page.locator('.import-counts', { hasText: '1 to add.' }).waitFor();
  await page.locator('dialog.import-preview button', { hasText: 'Cancel' }).click();
  await page.locator('.toast', { hasText: 'Nothing was imported, and the text added for it went again.' }).waitFor();
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('marginalia:v1:text:')).length), 0);
  // Added, then Import: named by its first line, its annotation on it.
  await page.locator('input.import-file').setInputFiles({ name: 'interviews.jsonl', mimeType: 'application/octet-stream', buffer: Buffer.from(own) });
  await page.locator('.import-add-texts').click();
  await page.locator('.toast', { hasText: 'Added to your texts: “Interview one”. Import places the file\'s annotations on it; Cancel takes it away again.' }).waitFor();
  await page.locator('.import-counts', { hasText: '1 to add.' }).waitFor();
  await page.locator('.import-go').click();
  await page.goto(`${server.url}#/report/Interview-one`);
  await page.locator('.prose .hl').waitFor();
  assert.equal(await page.locator('.prose .hl').innerText(), 'The money came by hawala.');
  await page.reload();
  await page.locator('.prose .hl').waitFor();
  await context.close();
});

/** RFC 4180 CSV (quoted fields with commas, quotes and line breaks). */
function parseCsv(text) {
  text = text.replace(/^\uFEFF/, '');
  const rows = []; let row = []; let field = ''; let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') q = false; else field += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; }
    else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

test("a class's backups picked together: one by one or all merged at once, then one summary", async () => {
  // A student's backup, made by the app, as the model for the class's files.
  const { context, page } = await openWith(codedState());
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('button.backup').click()]);
  const model = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  await context.close();
  const file = (coder, from) => {
    const annotations = model.annotations.filter((a) => a.coder === from).map((a) => ({ ...a, id: `${coder}-${a.id}`, coder }));
    const task = 'Code ¶12–13 of S/2019/103.';
    return { name: `marginalia-backup-${coder}.json`, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ...model, coder, annotations, task })) };
  };
  // Another student who also typed "Amira" (none of the first one's annotations), and a Word file handed in for a backup.
  const otherAmira = { ...file('Amira', 'ben'), name: 'marginalia-backup-Amira (1).json' };
  const twin = JSON.parse(otherAmira.buffer.toString('utf8'));
  otherAmira.buffer = Buffer.from(JSON.stringify({ ...twin, annotations: twin.annotations.map((a) => ({ ...a, id: `twin-${a.id}` })) }));
  const word = { name: 'marginalia-backup-Eve.json', mimeType: 'application/json',
    buffer: Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(26), Buffer.from('[Content_Types].xml'), Buffer.alloc(40), Buffer.from('word/document.xml')]) };
  const files = [file('Amira', 'ana'), file('Ben', 'ben'), { name: 'oops.json', mimeType: 'application/json', buffer: Buffer.from('{"x": 1}') },
    file('Chloe', 'ana'), file('Farah', 'nobody'), otherAmira, word];
  // The teacher has given no name yet: the class's files must not give them the first student's.
  const teacher = await openWith({});
  const t = teacher.page;
  await t.evaluate(() => localStorage.setItem('marginalia:v1:meta', JSON.stringify({ schema: 1, coder: '' })));
  await t.reload();
  await t.locator('table.reports').waitFor();
  // A handout handed back in place of work comes among them too.
  const handout = (await exportAs(t, 'codebook-html')).bytes;
  files.push({ name: 'codebook.html', mimeType: 'text/html', buffer: handout });
  await t.locator('input.import-file').setInputFiles(files);
  // One at a time: the first, then Merge all for the rest.
  await t.locator('#restore-title', { hasText: "Bring in Amira's backup? (file 1 of 8)" }).waitFor();
  assert.equal(await t.locator('dialog.restore button.merge-all').innerText(), 'Merge this and every backup among the 6 other files waiting');
  // Among a class's files no file replaces the work here; the preview names the texts coded.
  assert.equal(await t.locator('dialog.restore button', { hasText: 'Replace' }).count(), 0);
  assert.match(await t.locator('dialog.restore p').first().innerText(), / in 2 documents \(S\/2019\/103, S\/2019\/612\), /);
  await t.locator('dialog.restore button', { hasText: /^Merge$/ }).click();
  await t.locator('#restore-title', { hasText: "Bring in Ben's backup? (file 2 of 8)" }).waitFor();
  await t.locator('dialog.restore button.merge-all').click();
  const summary = "Of the 8 files picked together: 4 brought in (Amira, Ben, Chloe, Amira (2)); 1 brought in with no annotations in it (Farah); "
    + "2 could not be read (oops.json, marginalia-backup-Eve.json: a Word document); 1 left out (codebook.html, the codebook handout, no one's work). "
    + "Two people gave the name Amira: the second file's work came in as Amira (2) (if they are one person, rename Amira (2) to Amira on the Agreement page).";
  await t.locator('.toast', { hasText: summary }).waitFor();
  assert.equal(await t.locator('.toast').getAttribute('role'), 'alert', 'files refused: it stays until dismissed');
  assert.equal(await t.locator('dialog[open]').count(), 0, 'no dialog left');
  const coders = await t.evaluate(() => {
    const all = Object.keys(localStorage).filter((k) => k.startsWith('marginalia:v1:doc:')).flatMap((k) => JSON.parse(localStorage.getItem(k)));
    return [...new Set(all.map((a) => a.coder))].sort();
  });
  assert.deepEqual(coders, ['Amira', 'Amira (2)', 'Ben', 'Chloe'], 'the two Amiras apart');
  // The class's task is kept (no task was written here), and the Agreement page opens over its passage.
  const meta = await t.evaluate(() => JSON.parse(localStorage.getItem('marginalia:v1:meta')));
  assert.deepEqual([meta.class_task, meta.task ?? ''], ['Code ¶12–13 of S/2019/103.', ''], 'kept for the class, not taken as the teacher\'s own task');
  assert.equal(await t.evaluate(() => JSON.parse(localStorage.getItem('marginalia:v1:meta')).coder), '', "the teacher is not taken for a student");
  await screenshot(t, 'class-files-summary');
  // One Undo takes back what Merge all merged (Ben's, Chloe's and the second Amira's files), not the first Amira's, merged on its own.
  assert.match(await t.locator('.toast').innerText(), /Undo takes back the 3 files merged \(1 other changed nothing here\)\./);
  // The class's work is in this browser alone: the summary offers to save it to a file.
  assert.match(await t.locator('.toast').innerText(), /A backup keeps the class's work safe if this browser's data is cleared\./);
  assert.equal(await t.locator('.toast button', { hasText: 'Download backup' }).count(), 1);
  // The class against Amira's work (in a second tab): Farah, who handed in nothing, has a row (F1 0), in the gradebook too.
  const t2 = await teacher.context.newPage();
  await t2.goto(`${server.url}#/agreement`);
  await t2.waitForFunction(() => location.hash === '#/agreement?in=S-2019-103&p=12-13');
  await t2.goto(`${server.url}#/agreement?a=Amira`);
  const farah = t2.locator('table.class-table tr.nothing');
  await farah.waitFor();
  assert.equal(await farah.locator('th').innerText(), 'Farah (handed in nothing)');
  assert.deepEqual((await farah.locator('td').allInnerTexts()).slice(0, 2), ['0', '0.00']);
  await screenshot(t2, 'class-with-one-who-handed-in-nothing');
  const [grades] = await Promise.all([t2.waitForEvent('download'), t2.locator('.class-csv').click()]);
  const gradebook = parseCsv(fs.readFileSync(await grades.path(), 'utf8'));
  assert.deepEqual(gradebook.slice(1).map((r) => r[1]), ['Amira (2)', 'Ben', 'Chloe', 'Farah']);
  assert.equal(gradebook.find((r) => r[1] === 'Farah')[3], '0', 'nothing coded');
  assert.equal(gradebook.find((r) => r[1] === 'Farah')[gradebook[0].indexOf('note')], 'handed in nothing', 'and why, on the row');
  assert.equal(gradebook.find((r) => r[1] === 'Ben')[gradebook[0].indexOf('note')], '');
  await t2.close();
  await t.locator('.toast button', { hasText: 'Undo' }).click();
  await t.waitForFunction(() => {
    const all = Object.keys(localStorage).filter((k) => k.startsWith('marginalia:v1:doc:')).flatMap((k) => JSON.parse(localStorage.getItem(k)));
    return [...new Set(all.filter((a) => !a.deleted).map((a) => a.coder))].join() === 'Amira';
  });
  assert.deepEqual(teacher.errors, []);
  await teacher.context.close();
});

test("a student who typed the teacher's name is kept out of the answer key", async () => {
  // The teacher, "ana", has coded the key; a student's file among the class's says "ana" too.
  const key = codedState();
  for (const anns of Object.values(key)) for (const a of anns) a.coder = 'ana';
  const { context, page } = await openWith(key);
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('button.backup').click()]);
  const model = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  const student = (coder, prefix, name) => ({
    name, mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ ...model, coder, annotations: model.annotations.slice(0, 5).map((a) => ({ ...a, id: `${prefix}-${a.id}`, coder })) })),
  });
  // Dev's browser named finance "money": the same tag.
  const dev = student('ana', 'dev', 'marginalia-backup-ana-dev.json');
  const devJson = JSON.parse(dev.buffer.toString('utf8'));
  devJson.codebook.tags = devJson.codebook.tags.map((t) => (t.id === 'finance' ? { ...t, name: 'money' } : t));
  dev.buffer = Buffer.from(JSON.stringify(devJson));
  await page.locator('input.import-file').setInputFiles([dev, student('Ben', 'ben', 'marginalia-backup-Ben.json')]);
  await page.locator('#restore-title', { hasText: "(file 1 of 2)" }).waitFor();
  assert.equal(await page.locator('dialog.restore .renamed-tags').innerText(),
    'The file names a tag otherwise: finance (“money” in the file). They are the same tags; Merge keeps the names here, and the file\'s codings of them count under these names.');
  assert.match(await page.locator('dialog.restore .restore-apart').innerText(),
    /This file's work is under your own name, ana, and has none of your annotations: someone else seems to have typed your name\. Merge brings it in as ana \(2\), apart from yours/);
  await page.locator('dialog.restore button.merge-all').click();
  await page.locator('.toast', { hasText: 'Of the 2 files picked together: 2 brought in' }).waitFor();
  // All went in: the summary is news, which fades (one that refused a file stays, as above).
  assert.equal(await page.locator('.toast').getAttribute('role'), 'status');
  assert.ok(await page.locator('.toast').evaluate((t) => t.classList.contains('done')));
  const coders = await page.evaluate(() => {
    const all = Object.keys(localStorage).filter((k) => k.startsWith('marginalia:v1:doc:')).flatMap((k) => JSON.parse(localStorage.getItem(k)));
    return Object.fromEntries([...new Set(all.map((a) => a.coder))].sort().map((c) => [c, all.filter((a) => a.coder === c).length]));
  });
  assert.deepEqual(coders, { Ben: 5, ana: 24, 'ana (2)': 5 }, 'the key keeps its 24 annotations alone');
  // The same two files picked again: nothing new, said so, and Dev's work stays apart from the key.
  await page.locator('.toast button', { hasText: 'Dismiss' }).click();
  await page.locator('input.import-file').setInputFiles([dev, student('Ben', 'ben', 'marginalia-backup-Ben.json')]);
  await page.locator('#restore-title', { hasText: "(file 1 of 2)" }).waitFor();
  await page.locator('dialog.restore button.merge-all').click();
  await page.locator('.toast', { hasText: 'Of the 2 files picked together: 2 here already, nothing new in them (ana, Ben).' }).waitFor();
  const again = await page.evaluate(() => {
    const all = Object.keys(localStorage).filter((k) => k.startsWith('marginalia:v1:doc:')).flatMap((k) => JSON.parse(localStorage.getItem(k)));
    return Object.fromEntries([...new Set(all.map((a) => a.coder))].sort().map((c) => [c, all.filter((a) => a.coder === c).length]));
  });
  assert.deepEqual(again, coders);
  // Alone, the teacher's own file from another computer still joins their work.
  const own = { ...student('ana', 'laptop', 'marginalia-backup-ana.json') };
  await page.locator('label.restore input[type="file"]').setInputFiles(own);
  await page.locator('dialog.restore').waitFor();
  assert.equal(await page.locator('dialog.restore .restore-apart').count(), 0);
  await context.close();
});
