// Coding a report, end to end, in headless Chromium against the release build.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launch, screenshot, watchErrors } from './harness.mjs';

let server, browser;
before(async () => { server = await serveStatic(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** Selects `phrase` inside `sel` with a real mouse drag. */
async function selectText(page, sel, phrase) {
  // Where the phrase is, once the page has stopped moving (a panel or a font that comes a
  // frame later reflows the text: a drag made before would land elsewhere).
  const find = () => page.evaluate(([sel, phrase]) => {
    const p = document.querySelector(sel);
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    let text = ''; const nodes = [];
    while (walker.nextNode()) { nodes.push([walker.currentNode, text.length]); text += walker.currentNode.data; }
    const i = text.indexOf(phrase);
    if (i < 0) throw new Error(`"${phrase}" is not in ${sel}`);
    const at = (off) => { for (let k = nodes.length - 1; k >= 0; k--) if (nodes[k][1] <= off) return [nodes[k][0], off - nodes[k][1]]; };
    const rect = (off) => { const [n, o] = at(off); const r = document.createRange(); r.setStart(n, o); r.setEnd(n, o + 1); return r.getBoundingClientRect(); };
    const a = rect(i), b = rect(i + phrase.length - 1);
    return { x0: a.left + 1, y0: a.top + a.height / 2, x1: b.right - 1, y1: b.top + b.height / 2 };
  }, [sel, phrase]);
  const frames = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  let box = await find();
  for (let i = 0; i < 20; i++) {
    await frames();
    const again = await find();
    if (JSON.stringify(again) === JSON.stringify(box)) break;
    box = again;
  }
  await page.mouse.move(box.x0, box.y0);
  await page.mouse.down();
  await page.mouse.move(box.x1, box.y1, { steps: 6 });
  await page.mouse.up();
}

/** Selects `phrase` (or, for a number, that many characters of the first long text node)
 * in `sel` as a script or a touch would: no mouse, so the focus stays where it is. */
async function selectRange(page, sel, phrase) {
  await page.evaluate(([sel, phrase]) => {
    const p = document.querySelector(sel);
    const nodes = [...p.childNodes].filter((n) => n.nodeType === 3);
    const node = typeof phrase === 'number' ? nodes.find((n) => n.data.length > phrase + 10) : nodes.find((n) => n.data.includes(phrase));
    const at = typeof phrase === 'number' ? 0 : node.data.indexOf(phrase);
    const r = document.createRange();
    r.setStart(node, at);
    r.setEnd(node, at + (typeof phrase === 'number' ? phrase : phrase.length));
    getSelection().removeAllRanges();
    getSelection().addRange(r);
  }, [sel, phrase]);
}

/** The text of each annotation shown, by tag: { id: {text, tags} }. */
async function highlights(page) {
  return page.evaluate(() => {
    const out = {};
    for (const el of document.querySelectorAll('.hl')) {
      for (const id of el.dataset.ids.split(' ')) {
        out[id] ??= { text: '', tags: new Set() };
        out[id].text += el.textContent;
      }
    }
    // Tags per annotation from the list (one entry per annotation).
    return Object.fromEntries(Object.entries(out).map(([id, v]) => [id, v.text]));
  });
}

/** A fresh browser (context) coding as `coder`, open at `#/report/<slug>/p<n>`. */
async function codingAt(coder, slug, n, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(`${server.url}#/report/${slug}/p${n}`);
  await page.evaluate((c) => localStorage.setItem('marginalia:v1:meta', JSON.stringify({ schema: 1, coder: c })), coder);
  await page.reload();
  await page.locator(`#p${n}.target`).waitFor();
  return { context, page };
}

/** Codes "financial reserves" (¶12 of S/2019/103) as finance, from the keyboard, and closes it. */
async function codeReserves(page) {
  await selectText(page, '#p12 > p', 'financial reserves');
  await page.keyboard.press('2');
  await page.locator('.hl[data-tags="finance"]').waitFor();
  await page.keyboard.press('Escape');
}

async function freshPage(context) {
  const page = await context.newPage({ viewport: { width: 1280, height: 900 } });
  return page;
}

test('select with the mouse, press a key, see the highlight; overlap; memo; undo and redo; reload', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${server.url}#/report/S-2019-103/p12`);
  await page.locator('#p12.target').waitFor();
  // A tag's key with nothing to tag says what to do, and changes nothing.
  await page.keyboard.press('1');
  await page.locator('.toast', { hasText: 'Select a passage first' }).waitFor();
  assert.equal(await page.locator('.hl').count(), 0);

  await selectText(page, '#p12 > p', 'financial reserves');
  await page.locator('.palette').waitFor();
  await screenshot(page, 'annotate-palette');
  await page.keyboard.press('2');
  // First time: the coder's name is asked. Cancel keeps the text selected; the key asks again.
  await page.locator('#coder-name').waitFor();
  await page.locator('dialog button', { hasText: 'Cancel' }).click();
  await page.waitForFunction(() => !document.querySelector('#coder-name') && getSelection().toString() === 'financial reserves');
  await page.keyboard.press('2');
  // So does Escape.
  await page.locator('#coder-name').waitFor();
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('#coder-name') && getSelection().toString() === 'financial reserves');
  await page.keyboard.press('2');
  // A digit typed into the name (meaning to tag) is not taken as a name.
  await page.locator('#coder-name').fill('2');
  await page.keyboard.press('Enter');
  await page.locator('dialog [role=alert]', { hasText: 'Type your name (not a number)' }).waitFor();
  assert.equal(await page.locator('#coder-name').inputValue(), '');
  // Spaces are not a name either: the dialog says so.
  await page.locator('#coder-name').fill('   ');
  await page.keyboard.press('Enter');
  await page.locator('dialog [role=alert]', { hasText: 'Type your name: it is recorded' }).waitFor();
  // Then the name is given and the tag is applied.
  await page.locator('#coder-name').fill('Ana');
  await page.keyboard.press('Enter');
  await page.locator('.hl[data-tags~="finance"]').first().waitFor();
  let hl = await highlights(page);
  assert.deepEqual(Object.values(hl), ['financial reserves']);
  assert.equal(await page.locator('.palette').count(), 0, 'the palette closes');

  // The editor shows the citation and coder.
  assert.equal(await page.locator('.editor .cite').innerText(), 'S/2019/103 ¶12');
  assert.match(await page.locator('.editor .meta').innerText(), /Coded by Ana/);

  // An overlapping span with another tag: both stay visible.
  await selectText(page, '#p12 > p', 'reserves of between $50 million');
  await page.keyboard.press('1');
  await page.locator('.hl[data-tags~="threat"]').first().waitFor();
  hl = await highlights(page);
  assert.deepEqual(Object.values(hl).sort(), ['financial reserves', 'reserves of between $50 million']);
  const both = await page.locator('.hl[data-tags="finance threat"], .hl[data-tags="threat finance"]').innerText();
  assert.equal(both, 'reserves');
  // Every highlight of the paragraph keeps the same room under the text, so each tag's band
  // (drawn from the bottom of that room) stays at one height along the paragraph.
  const pads = await page.locator('#p12 .hl').evaluateAll((els) => [...new Set(els.map((e) => getComputedStyle(e).paddingBottom))]);
  assert.deepEqual(pads, ['10px']);
  await screenshot(page, 'annotate-overlap');
  // Clicking the overlap opens the newest annotation, then the other, then the newest again.
  const overlap = page.locator('.hl[data-tags="finance threat"], .hl[data-tags="threat finance"]');
  assert.match(await overlap.getAttribute('title'), /2 annotations here: click again for the next/);
  const openQuote = () => page.locator('.editor .quote').innerText();
  await page.keyboard.press('Escape');
  await overlap.click();
  await page.waitForFunction(() => document.querySelector('.editor .quote')?.textContent.includes('$50 million'));
  await overlap.click();
  await page.waitForFunction(() => document.querySelector('.editor .quote')?.textContent === 'financial reserves');
  await overlap.click();
  assert.match(await openQuote(), /\$50 million/);

  // A memo on the open annotation (the threat one, just made).
  await page.locator('.editor textarea.memo').fill('Scale of reserves is a threat indicator.');
  await page.locator('.editor .cite').click(); // blur commits the memo
  await page.locator('.ann-list li').nth(1).waitFor();
  assert.equal(await page.locator('.ann-list li').count(), 2);
  // The list shows the memo's beginning under its quote.
  await page.locator('.ann-list .ann-memo', { hasText: 'Scale of reserves is a threat indicator.' }).waitFor();
  assert.equal(await page.locator('.ann-list .ann-memo').count(), 1);
  assert.equal(await page.locator('[data-count-tag="finance"] strong').innerText(), '1');
  // A count narrows the list to its tag, and says so, with the way back.
  await page.locator('[data-count-tag="finance"]').click();
  await page.locator('.filter-line', { hasText: 'Only finance is listed.' }).waitFor();
  assert.equal(await page.locator('.ann-list li').count(), 1);
  await page.locator('.filter-line .show-all-tags').click();
  await page.locator('.filter-line').waitFor({ state: 'detached' });
  assert.equal(await page.locator('.ann-list li').count(), 2);
  await page.locator('.editor .cite').click();

  // Undo the memo and the second annotation, then redo both.
  await page.keyboard.press('Control+z');
  assert.equal(await page.locator('.editor textarea.memo').inputValue(), '');
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => document.querySelectorAll('.ann-list li').length === 1);
  await page.keyboard.press('Control+Shift+z');
  await page.keyboard.press('Control+Shift+z');
  await page.waitForFunction(() => document.querySelectorAll('.ann-list li').length === 2);

  // Reload: everything is as it was.
  await page.reload();
  await page.locator('.hl').first().waitFor();
  hl = await highlights(page);
  assert.deepEqual(Object.values(hl).sort(), ['financial reserves', 'reserves of between $50 million']);
  await page.locator('.hl[data-tags="threat"]').first().click();
  assert.equal(await page.locator('.editor textarea.memo').inputValue(), 'Scale of reserves is a threat indicator.');
  await screenshot(page, 'annotate-after-reload');
  // A memo typed and left in its box (no click elsewhere) is saved too.
  await page.locator('.editor textarea.memo').fill('Still typing');
  await page.waitForTimeout(900);
  await page.reload();
  await page.locator('.hl[data-tags="threat"]').first().click();
  assert.equal(await page.locator('.editor textarea.memo').inputValue(), 'Still typing');
  // Escape closes it from the memo too, keeping what was typed; the focus goes to its paragraph's number.
  await page.locator('.editor textarea.memo').fill('Closed with Escape');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('.editor'));
  assert.ok(await page.evaluate(() => document.activeElement.classList.contains('pnum')), 'focus on the paragraph number');
  await page.locator('.hl[data-tags="threat"]').first().click();
  assert.equal(await page.locator('.editor textarea.memo').inputValue(), 'Closed with Escape');

  // Delete with the key; the list empties to one, and the notice offers Undo.
  await page.keyboard.press('Delete');
  await page.waitForFunction(() => document.querySelectorAll('.ann-list li').length === 1);
  const toast = page.locator('.toast.done[role="status"]');
  assert.match(await toast.innerText(), /Annotation deleted: “reserves of between \$50 million”/);
  await toast.locator('button.undo').click();
  await page.waitForFunction(() => document.querySelectorAll('.ann-list li').length === 2);
  assert.equal(await page.locator('.toast').count(), 0, 'Undo closes the notice');
  // What came back is open again, and the focus is on the page, not lost.
  await page.waitForFunction(() => document.querySelector('.editor .quote')?.textContent.includes('$50 million'));
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
  await page.locator('.hl[data-tags="threat"]').first().click();
  await page.keyboard.press('Delete');
  await page.waitForFunction(() => document.querySelectorAll('.ann-list li').length === 1);
  await toast.waitFor();
  // Ctrl+Z takes the deletion back: the notice closes, so its Undo cannot take back anything else.
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => document.querySelectorAll('.ann-list li').length === 2);
  await page.waitForFunction(() => !document.querySelector('.toast'));
  await page.locator('.hl[data-tags="threat"]').first().click();
  await page.keyboard.press('Delete');
  await page.waitForFunction(() => document.querySelectorAll('.ann-list li').length === 1);
  // A notice of something done goes away by itself (problems stay until dismissed).
  await toast.waitFor();
  await page.mouse.move(5, 5);
  await page.waitForFunction(() => !document.querySelector('.toast'), null, { timeout: 12000 });
  // Progress shows in the corpus view.
  await page.goto(server.url);
  const row = page.locator('table.reports tr', { hasText: 'S/2019/103' });
  await row.locator('td.coded .chip').first().waitFor();
  assert.equal((await row.locator('td.coded').innerText()).replace(/\s+/g, ' ').trim(), 'finance 1');
  assert.equal((await page.locator('table.reports tr', { hasText: 'S/2017/97' }).locator('td.coded').innerText()).trim(), '—');
  assert.deepEqual(errors, []);
  await context.close();
});

test('on a touch screen the palette follows a selection, above it when there is no room below, and scrolls with it', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${server.url}#/report/S-2019-103/p12`);
  await page.evaluate(() => localStorage.setItem('marginalia:v1:meta', JSON.stringify({ schema: 1, coder: 'Phone' })));
  await page.reload();
  await page.locator('#p12.target').waitFor();
  assert.ok(await page.evaluate(() => matchMedia('(pointer: coarse)').matches), 'a touch screen');
  // A selection made as a long press makes it: no mouse, no key; near the bottom of the screen.
  const select = (phrase, where) => page.evaluate(([phrase, where]) => {
    const p = document.querySelector('#p12 > p');
    const node = [...p.childNodes].find((n) => n.nodeType === 3 && n.data.includes(phrase));
    const i = node.data.indexOf(phrase);
    const r = document.createRange();
    r.setStart(node, i);
    r.setEnd(node, i + phrase.length);
    // Scroll so that the phrase sits at `where` (a share of the screen's height).
    scrollBy(0, r.getBoundingClientRect().top - innerHeight * where);
    getSelection().removeAllRanges();
    getSelection().addRange(r);
    return r.getBoundingClientRect().toJSON();
  }, [phrase, where]);
  const low = await select('financial reserves', 0.9);
  await page.locator('.palette').waitFor();
  const box = await page.locator('.palette').boundingBox();
  assert.ok(box.y + box.height <= low.top + 1, `above the selection: ${JSON.stringify(box)} / ${JSON.stringify(low)}`);
  assert.ok(box.y >= 0 && box.x >= 0 && box.x + box.width <= 360, 'on the screen');
  await screenshot(page, 'touch-palette');
  // It scrolls with the text.
  await page.evaluate(() => scrollBy(0, -40));
  await page.waitForTimeout(50);
  const moved = await page.locator('.palette').boundingBox();
  assert.ok(Math.abs(moved.y - (box.y + 40)) < 2, `${moved.y} against ${box.y + 40}`);
  // A tap on a tag codes it.
  await page.locator('.palette button[data-tag="finance"]').tap();
  await page.locator('.hl[data-tags="finance"]', { hasText: 'financial reserves' }).waitFor();
  // The sheet that opens is small: the citation, the tags and the buttons; the text stays in view.
  const sheet = page.locator('.editor.fresh');
  await sheet.waitFor();
  const small = await sheet.boundingBox();
  // (its buttons a finger wide: a third of the screen at most)
  assert.ok(small.height < 740 * 0.34, `a small sheet: ${small.height}px`);
  assert.equal(await sheet.locator('textarea.memo').isVisible(), false);
  assert.equal(await sheet.locator('.tagkey').first().isVisible(), false, 'no keys on a touch screen');
  // What was coded (low on the screen) moves up above the sheet, not under it.
  const above = () => page.evaluate(() => {
    const marks = document.querySelectorAll('.hl[data-tags="finance"]');
    return marks[marks.length - 1].getBoundingClientRect().bottom <= document.querySelector('.editor').getBoundingClientRect().top;
  });
  await page.waitForFunction(() => {
    const marks = document.querySelectorAll('.hl[data-tags="finance"]');
    return marks[marks.length - 1].getBoundingClientRect().bottom <= document.querySelector('.editor').getBoundingClientRect().top;
  });
  await screenshot(page, 'touch-coded-sheet');
  // Memo… opens the rest, ready to type in.
  await sheet.locator('button.open-memo').tap();
  await page.locator('.editor:not(.fresh) textarea.memo:focus').waitFor();
  await page.waitForTimeout(100);
  assert.ok(await above(), 'still above the grown sheet');
  assert.equal(await page.locator('.editor button.open-memo').isVisible(), false);
  await page.locator('.editor .actions button', { hasText: 'Close' }).tap();
  await page.locator('.editor').waitFor({ state: 'detached' });
  // An annotation open, then a new selection: the sheet (with the open annotation's tags) gives
  // way to the palette, so that a tap cannot change the annotation above instead.
  await page.locator('.hl[data-tags="finance"]').first().tap();
  await page.locator('.editor').waitFor();
  await select('territorial losses', 0.5);
  await page.locator('.palette').waitFor();
  await page.waitForFunction(() => getComputedStyle(document.querySelector('.editor')).display === 'none');
  // A finger wide: the palette's tags.
  for (const b of await page.locator('.palette button').all()) assert.ok((await b.boundingBox()).height >= 44, 'a palette button 44px high');
  await page.locator('.palette button[data-tag="threat"]').tap();
  await page.locator('.hl[data-tags="threat"]', { hasText: 'territorial losses' }).waitFor();
  await sheet.waitFor();
  for (const b of await sheet.locator('.actions button:visible').all()) assert.ok((await b.boundingBox()).height >= 44, 'a sheet button 44px high');
  await screenshot(page, 'touch-sheet-undo');
  // Undo is in the sheet (the panel's is after the whole report).
  await sheet.locator('button.sheet-undo').tap();
  await page.waitForFunction(() => !document.querySelector('.hl[data-tags="threat"]'));
  assert.equal(await page.locator('.hl[data-tags="finance"]').count() > 0, true, 'only the last step undone');
  // The "?" list says what a finger does.
  await page.locator('.topbar button', { hasText: '?' }).tap();
  await page.locator('#keys-title', { hasText: 'How to code' }).waitFor();
  assert.match(await page.locator('dl.touch-list').innerText(), /Press and hold a word/);
  await page.locator('dialog.keys button', { hasText: 'Close' }).tap();
  // High on the screen, the palette opens below.
  await page.keyboard.press('Escape');
  const high = await select('territorial losses', 0.2);
  await page.locator('.palette').waitFor();
  const below = await page.locator('.palette').boundingBox();
  assert.ok(below.y >= high.bottom - 1, 'below the selection');
  assert.deepEqual(errors, []);
  await context.close();
});

test("on a touch screen, a student's first tag waits for their name and is applied", async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  await page.goto(`${server.url}#/report/S-2019-103/p7`);
  await page.locator('#p7.target').waitFor();
  await selectRange(page, '#p7 > p', 30);
  await page.locator('.palette').waitFor();
  await page.locator('.palette button[data-tag="threat"]').tap();
  await page.locator('#coder-name').waitFor();
  // Typing the name takes the focus, and the selection, for longer than the palette waits.
  await page.locator('#coder-name').tap();
  await page.waitForTimeout(500);
  await page.locator('#coder-name').fill('Chloe');
  await page.locator('dialog button[type=submit]').tap();
  await page.locator('.hl[data-tags="threat"]').waitFor();
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('marginalia:v1:meta')).coder), 'Chloe');
  // The corpus page tells a phone how to start (no keys there).
  await page.goto(`${server.url}#/`);
  await page.locator('.start-hint:visible', { hasText: 'hold a finger on a passage to select it, then tap a tag' }).waitFor();
  assert.equal(await page.locator('.start-hint:visible').count(), 1);
  await context.close();
});

test('in a narrow window (a split screen, a small laptop) the open annotation is in view, not below the report', async () => {
  const { context, page } = await codingAt('Narrow', 'S-2019-103', 12, { width: 800, height: 900 });
  await selectText(page, '#p12 > p', 'financial reserves');
  await page.keyboard.press('2');
  const editor = page.locator('.editor');
  await editor.waitFor();
  const box = await editor.boundingBox();
  assert.ok(box.y >= 0 && box.y + box.height <= 900 + 1, `the editor is on screen: ${JSON.stringify(box)}`);
  // A notice (at the top while the sheet is open) does not cover the text coded: it moves below it.
  await page.keyboard.press('2');
  const toast = page.locator('.toast', { hasText: "finance is this annotation's only tag" });
  await toast.waitFor();
  await page.waitForFunction(() => {
    const mark = document.querySelector('.hl[data-tags="finance"]').getBoundingClientRect();
    return mark.top >= document.querySelector('.toast').getBoundingClientRect().bottom
      && mark.bottom <= document.querySelector('.editor').getBoundingClientRect().top;
  });
  await screenshot(page, 'narrow-window-notice');
  // The memo is right there to type in; the highlight stays above the sheet.
  await editor.locator('textarea.memo').fill('Reserves, not revenue.');
  await editor.locator('textarea.memo').press('Escape');
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('marginalia:v1:doc:S/2019/103') ?? '[]').some((a) => a.memo === 'Reserves, not revenue.'));
  await screenshot(page, 'narrow-window');
  await context.close();
});

test('Tab after coding goes to the memo, where digits are words, not tags', async () => {
  const { context, page } = await codingAt('Tabber', 'S-2019-103', 12);
  await selectText(page, '#p12 > p', 'financial reserves');
  await page.keyboard.press('2');
  await page.locator('.editor textarea.memo').waitFor();
  // Its only tag's key again: an annotation keeps one tag, which is said.
  await page.keyboard.press('2');
  await page.locator('.toast', { hasText: "finance is this annotation's only tag" }).waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.matches('.editor textarea.memo')), true);
  await page.keyboard.type('7 sources say so');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('marginalia:v1:doc:S/2019/103') ?? '[]').some((a) => a.memo === '7 sources say so'));
  const anns = await page.evaluate(() => JSON.parse(localStorage.getItem('marginalia:v1:doc:S/2019/103')));
  assert.equal(anns.length, 1, 'no paragraph coded by the digit');
  // The focus left on ¶12's number (Escape), then a passage selected without a click (the keyboard's
  // selection): Tab after coding goes to the memo all the same, not on to the next number.
  assert.equal(await page.evaluate(() => document.activeElement.closest('.para')?.id), 'p12');
  await selectRange(page, '#p14 > p', 20);
  await page.keyboard.press('3');
  await page.locator('.editor .cite', { hasText: '¶14' }).waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.matches('.editor textarea.memo')), true);
  await page.keyboard.press('Escape');
  // Escape lets a selection go: the next key tags nothing.
  await selectText(page, '#p13 > p', 'bulk-stored cash');
  await page.keyboard.press('Escape');
  assert.equal(await page.evaluate(() => getSelection().toString()), '');
  await page.keyboard.press('1');
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('marginalia:v1:doc:S/2019/103')).length), 2, 'nothing more tagged');
  // A paragraph coded from its number: Tab goes on to the next number, M to the memo.
  await page.locator('#p15 .pnum').focus();
  await page.keyboard.press('1');
  await page.locator('.editor .cite', { hasText: '¶15' }).waitFor();
  await page.keyboard.press('m');
  assert.equal(await page.evaluate(() => document.activeElement.matches('.editor textarea.memo')), true);
  await page.keyboard.type('my memo');
  assert.equal(await page.locator('.editor textarea.memo').inputValue(), 'my memo', 'm types in the memo');
  await context.close();
});

test('keys tag after Import… was used (the focus on its file input); a key no tag has says so', async () => {
  const { context, page } = await codingAt('Keys', 'S-2019-103', 12);
  // As after picking a file: the focus stays on the (hidden) file input.
  await page.locator('input.import-file').focus();
  await selectRange(page, '#p12 > p', 'financial reserves');
  assert.equal(await page.evaluate(() => document.activeElement.type), 'file');
  await page.keyboard.press('7');
  await page.locator('.toast', { hasText: 'No tag has the key 7. The Codebook gives tags their keys; a codebook or handout you were given comes in with Import…' }).waitFor();
  await page.keyboard.press('2');
  await page.locator('.hl[data-tags="finance"]', { hasText: 'financial reserves' }).waitFor();
  // A notice does not cover the open annotation: beside the report in a wide window, above
  // the sheet in a narrow one.
  for (const size of [{ width: 1440, height: 900 }, { width: 900, height: 800 }]) {
    await page.setViewportSize(size);
    await page.keyboard.press('8');
    await page.locator('.toast', { hasText: 'the key 8' }).waitFor();
    const [t, e] = await Promise.all(['.toast', '.editor'].map((s) => page.locator(s).boundingBox()));
    const apart = t.x + t.width <= e.x || e.x + e.width <= t.x || t.y + t.height <= e.y || e.y + e.height <= t.y;
    assert.ok(apart, `${size.width}: the notice ${JSON.stringify(t)} covers the annotation ${JSON.stringify(e)}`);
    await page.locator('.toast button', { hasText: 'Dismiss' }).click();
  }
  await context.close();
});

test('after Escape, a key asks before coding the whole paragraph; pressed again, it does', async () => {
  const { context, page } = await codingAt('Esc', 'S-2019-103', 13);
  await selectText(page, '#p13 > p', 'bulk-stored cash');
  await page.keyboard.press('2');
  await page.locator('.editor').waitFor();
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.activeElement.matches('#p13 .pnum'));
  await page.keyboard.press('3');
  await page.locator('.toast', { hasText: 'The annotation is closed: click it to change its tags, or select a passage. To tag all of S/2019/103 ¶13 repatriation, press 3 again.' }).waitFor();
  assert.equal(await page.locator('.ann-list li').count(), 1, 'nothing coded yet');
  await page.keyboard.press('3');
  await page.locator('.toast', { hasText: 'All of S/2019/103 ¶13 tagged repatriation.' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('.ann-list li').length === 2);
  // Closed again, the focus back on ¶13's number; a passage of ¶14 selected without a click
  // (the focus stays there): its key codes the passage, and the next key goes to it, not to ¶13.
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.activeElement.matches('#p13 .pnum'));
  await selectRange(page, '#p14 > p', 20);
  await page.keyboard.press('1');
  await page.waitForFunction(() => document.querySelectorAll('.ann-list li').length === 3);
  await page.keyboard.press('4');
  await page.locator('#p14 .hl[data-tags="threat prosecution"]').first().waitFor();
  assert.equal(await page.locator('.ann-list li').count(), 3, 'no whole ¶13 annotation');
  await page.keyboard.press('Escape');
  // A number the user goes to codes at once, as before.
  await page.locator('#p15 .pnum').focus();
  await page.keyboard.press('1');
  await page.locator('.toast', { hasText: 'All of S/2019/103 ¶15 tagged threat.' }).waitFor();
  // Undone from another report: said, not done out of sight.
  await page.goto(`${server.url}#/report/S-2018-80/p3`);
  await page.locator('#p3.target').waitFor();
  await page.keyboard.press('Control+z');
  await page.locator('.toast', { hasText: 'Undone: a change to 1 annotation of S/2019/103.' }).waitFor();
  await page.keyboard.press('Control+Shift+z');
  await page.locator('.toast', { hasText: 'Redone: a change to 1 annotation of S/2019/103.' }).waitFor();
  await context.close();
});

test('two keys pressed at once after a selection give the new annotation both tags', async () => {
  const { context, page } = await codingAt('Quick', 'S-2019-103', 12);
  await selectText(page, '#p12 > p', 'financial reserves');
  await page.locator('.palette').waitFor();
  // Both keys in one go, before the new annotation has opened.
  await page.evaluate(() => {
    for (const key of ['1', '2']) window.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
  });
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('marginalia:v1:doc:S/2019/103') ?? '[]').some((a) => a.tags.join() === 'threat,finance'));
  assert.equal(await page.locator('.toast', { hasText: 'Select a passage first' }).count(), 0);
  await context.close();
});

test("a key on a footnote marker codes the marker's paragraph, as on its number", async () => {
  const { context, page } = await codingAt('Keys', 'S-2019-103', 2);
  // Tab from ¶2's number stops at its footnote markers before ¶3's number.
  await page.locator('#p2 .pnum').focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => !!document.activeElement.closest('#p2 .fnref')), true, 'a marker of ¶2 has the focus');
  await page.keyboard.press('4');
  await page.locator('.toast', { hasText: 'All of S/2019/103 ¶2 tagged prosecution.' }).waitFor();
  // The highlight runs on under the paragraph's markers, with no gap at them.
  const gaps = await page.locator('#p2 > p').evaluate((p) => [...p.querySelectorAll('.fnref')].map((m) => {
    const gap = m.closest('.hlgap');
    // The word before a marker and the marker are kept together (.fnstick): what follows is after both.
    const next = ((gap ?? m).closest('.fnstick') ?? gap ?? m).nextSibling;
    if (!next) return 'at the end';
    const hl = (gap ?? m).previousElementSibling;
    const [g, h] = [gap, hl].map((e) => e && getComputedStyle(e));
    const [gr, hr] = [gap, hl].map((e) => e && [...e.getClientRects()].at(-1)); // the line the marker is on
    return gap && g.backgroundColor === h.backgroundColor && g.backgroundImage === h.backgroundImage
      && Math.abs(gr.bottom - hr.bottom) < 1 && Math.abs(gr.left - hr.right) < 1 ? 'covered' : `bare: ${g?.backgroundColor} ${h?.backgroundColor} ${gr?.bottom} ${hr?.bottom} ${gr?.left} ${hr?.right}`;
  }));
  assert.ok(gaps.includes('covered'), `¶2 has a marker inside it: ${gaps}`);
  assert.deepEqual(gaps.filter((g) => g !== 'at the end').filter((g) => g !== 'covered'), []);
  await page.locator('#p2 .hlgap').first().scrollIntoViewIfNeeded();
  await screenshot(page, 'marker-in-highlight');
  await context.close();
});

test('a passage of a footnote is coded as the prose is, and cited by its note', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}#/report/S-2019-103/n9`);
  await page.evaluate(() => localStorage.setItem('marginalia:v1:meta', JSON.stringify({ schema: 1, coder: 'Notes' })));
  await page.reload();
  await page.locator('#fn9.target').waitFor();
  const phrase = await page.locator('#fn9').evaluate((li) => li.textContent.trim().split(/\s+/).slice(0, 4).join(' '));
  await selectText(page, '#fn9', phrase);
  await page.keyboard.press('2');
  await page.locator('#fn9 .hl[data-tags="finance"]').waitFor();
  assert.equal(await page.locator('#fn9 .hl').innerText(), phrase);
  assert.match(await page.locator('.editor').innerText(), /S\/2019\/103 n\. 9/);
  assert.match(await page.locator('.ann-list li').first().innerText(), /S\/2019\/103 n\. 9 · finance/);
  // Kept over a reload, and a click on it opens it.
  await page.reload();
  await page.locator('#fn9 .hl').click();
  await page.locator('.editor', { hasText: 'S/2019/103 n. 9' }).waitFor();
  // Segments links to the note itself, and the report opens there.
  await page.goto(`${server.url}#/segments`);
  const cite = page.locator('ol.segments .seg-cite', { hasText: 'S/2019/103 n. 9' });
  assert.equal(await cite.getAttribute('href'), '#/report/S-2019-103/n9');
  await cite.click();
  await page.locator('#fn9.target').waitFor();
  await context.close();
});

test("a student's backup of work on another report than the task's says so before it is handed in", async () => {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}#/report/S-2019-612/p2`);
  await page.evaluate(() => localStorage.setItem('marginalia:v1:meta', JSON.stringify({ schema: 1, coder: 'Chloe', task: 'Code ¶5–18 of S/2019/103.' })));
  await page.reload();
  await page.locator('#p2.target').waitFor();
  await page.locator('#p2 .pnum').focus();
  await page.keyboard.press('1');
  await page.locator('#p2 .hl').first().waitFor();
  const [saved] = await Promise.all([page.waitForEvent('download'), page.locator('button.backup').click()]);
  await page.locator('.toast', { hasText: `Downloaded ${saved.suggestedFilename()} (1 annotation). Your task is ¶5–18 of S/2019/103, and none of your annotations is there: check the report and the paragraphs before you hand it in.` }).waitFor();
  // In the task's report, its paragraphs are marked in the margin; the others are not.
  await page.goto(`${server.url}#/report/S-2019-103/p6`);
  await page.locator('#p6.target').waitFor();
  const mark = (n) => page.locator(`#p${n}`).evaluate((e) => getComputedStyle(e).boxShadow);
  assert.match(await mark(5), /inset/);
  assert.match(await mark(18), /inset/);
  assert.equal(await mark(19), 'none');
  assert.equal(await mark(4), 'none');
  // Some of the work in the passage, some not: the download says how much is outside.
  await page.locator('#p6 .pnum').focus();
  await page.keyboard.press('1');
  await page.locator('#p6 .hl').first().waitFor();
  await screenshot(page, 'task-passage-marked');
  const [again] = await Promise.all([page.waitForEvent('download'), page.locator('button.backup').click()]);
  await page.locator('.toast', { hasText: `Downloaded ${again.suggestedFilename()} (2 annotations). 1 of them is outside your task, ¶5–18 of S/2019/103: check it before you hand it in (what is outside is not scored).` }).waitFor();
  // All of it in the passage: the download says what it always does.
  await page.goto(`${server.url}#/report/S-2019-612/p2`);
  await page.locator('#p2 .hl').first().click();
  await page.keyboard.press('Delete');
  await page.locator('#p2 .hl').waitFor({ state: 'detached' });
  const [third] = await Promise.all([page.waitForEvent('download'), page.locator('button.backup').click()]);
  await page.locator('.toast', { hasText: `Downloaded ${third.suggestedFilename()} (1 annotation): this file is all the work here` }).waitFor();
  await context.close();
});

test('a long list shows its first hundred, and always the open annotation', async () => {
  const { context, page } = await codingAt('Many', 'S-2017-97', 1);
  await page.evaluate(() => {
    const list = [];
    for (const p of document.querySelectorAll('.prose .para > p[data-start]')) {
      const start = Number(p.dataset.start);
      for (const at of [0, 10]) {
        const quote = p.textContent.slice(at, at + 8);
        if (quote.length === 8 && [...quote].length === 8) list.push({ id: `m${list.length}`, doc: 'S/2017/97', start: start + at, end: start + at + 8, quote, tags: ['threat'], memo: '', coder: 'Many', created: 't', updated: 't' });
      }
    }
    localStorage.setItem('marginalia:v1:doc:S/2017/97', JSON.stringify(list.slice(0, 120)));
  });
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll('.ann-list li').length === 100);
  await page.locator('button.more', { hasText: 'Show 20 more' }).waitFor();
  // The last one, opened from the text, is listed (and marked) at once.
  const last = page.locator('.hl[data-ids="m119"]');
  await last.scrollIntoViewIfNeeded();
  await last.click();
  await page.waitForFunction(() => document.querySelectorAll('.ann-list li').length === 120);
  assert.equal(await page.locator('.ann-list button[aria-current="true"]').getAttribute('data-id'), 'm119');
  assert.equal(await page.locator('button.more').count(), 0);
  await context.close();
});

test('two tabs coding at once lose nothing', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const a = await context.newPage();
  const b = await context.newPage();
  await a.goto(`${server.url}#/report/S-2019-612/p4`);
  await b.goto(`${server.url}#/report/S-2019-612/p5`);
  await a.evaluate(() => localStorage.setItem('marginalia:v1:meta', JSON.stringify({ schema: 1, coder: 'Tab' })));
  await a.reload(); await b.reload();
  await a.locator('#p4.target').waitFor();
  await b.locator('#p5.target').waitFor();
  await a.bringToFront();
  await selectText(a, '#p4 > p', 'fall of Baghuz');
  await a.keyboard.press('1');
  await b.bringToFront();
  await selectText(b, '#p5 > p', 'covert ISIL network');
  await b.keyboard.press('1');
  // Each tab sees the other's annotation without a reload.
  await a.waitForFunction(() => document.querySelectorAll('.hl').length >= 2, null, { timeout: 15000 });
  await b.waitForFunction(() => document.querySelectorAll('.hl').length >= 2, null, { timeout: 15000 });
  const stored = await a.evaluate(() => JSON.parse(localStorage.getItem('marginalia:v1:doc:S/2019/612')).filter((x) => !x.deleted).map((x) => x.quote).sort());
  assert.deepEqual(stored, ['covert ISIL network', 'fall of Baghuz']);
  // A deletion in one tab reaches the other.
  await a.bringToFront();
  await a.locator('.hl', { hasText: 'fall of Baghuz' }).click();
  await a.keyboard.press('Delete');
  await b.waitForFunction(() => document.querySelectorAll('.ann-list li').length === 1, null, { timeout: 15000 });
  // A memo written in one tab shows in the other, open on the same annotation.
  await b.bringToFront();
  await b.locator('.hl', { hasText: 'covert ISIL network' }).click();
  await a.bringToFront();
  await a.locator('.hl', { hasText: 'covert ISIL network' }).click();
  await a.locator('textarea.memo').fill('Network in Iraq.');
  await a.locator('textarea.memo').press('Tab');
  await b.waitForFunction(() => document.querySelector('textarea.memo')?.value === 'Network in Iraq.', null, { timeout: 15000 });
  // Both tabs change it at once: the other tab's write arrives while this one is typing
  // (the storage event another tab sends, dispatched in the same task as the typing, so
  // it comes before this tab saves). What is typed stays in the box, and both are kept.
  await b.bringToFront();
  const box = await b.evaluate(async () => {
    const memo = document.querySelector('textarea.memo');
    memo.value = 'Typed here.';
    memo.dispatchEvent(new Event('input', { bubbles: true }));
    const key = 'marginalia:v1:doc:S/2019/612';
    const all = JSON.parse(localStorage.getItem(key));
    const x = all.find((y) => y.quote === 'covert ISIL network');
    x.memo = 'Written in the other tab.';
    x.updated = new Date().toISOString();
    window.dispatchEvent(new StorageEvent('storage', { key, newValue: JSON.stringify(all), storageArea: localStorage }));
    // Before this tab saves what was typed (half a second after the last key).
    await new Promise((r) => setTimeout(r, 50));
    return memo.value;
  });
  assert.equal(box, 'Typed here.', 'what is being typed is not overwritten');
  await b.locator('.toast', { hasText: 'changed in another tab while you typed' }).waitFor();
  const both = 'Typed here.\n\nWritten at the same time in another tab:\nWritten in the other tab.';
  await b.waitForFunction((v) => document.querySelector('textarea.memo').value === v, both);
  // Saved, and the first tab has it too.
  await a.waitForFunction((v) => document.querySelector('textarea.memo')?.value === v, both, { timeout: 15000 });
  const kept = await a.evaluate(() => JSON.parse(localStorage.getItem('marginalia:v1:doc:S/2019/612')).find((y) => y.quote === 'covert ISIL network').memo);
  assert.equal(kept, both);
  await screenshot(b, 'memo-two-tabs');
  // Two writes that cross: this tab saves its memo while the other tab, not having seen
  // it, saves another (its storage event, made from what both had before, arrives after).
  const key = 'marginalia:v1:doc:S/2019/612';
  await a.bringToFront();
  const before = await a.evaluate((k) => localStorage.getItem(k), key);
  await a.locator('textarea.memo').fill('From this tab.');
  await a.locator('textarea.memo').press('Tab');
  await a.waitForFunction((k) => localStorage.getItem(k).includes('From this tab.'), key);
  await a.evaluate(([k, v]) => {
    const all = JSON.parse(v);
    const x = all.find((y) => y.quote === 'covert ISIL network');
    // Saved a millisecond after this tab's, by a tab that had not seen it yet.
    const mine = JSON.parse(localStorage.getItem(k)).find((y) => y.quote === 'covert ISIL network');
    x.memo = 'From the other tab.';
    x.updated = new Date(Date.parse(mine.updated) + 1).toISOString();
    window.dispatchEvent(new StorageEvent('storage', { key: k, newValue: JSON.stringify(all), storageArea: localStorage }));
  }, [key, before]);
  await a.locator('.toast', { hasText: 'changed here and in another tab at the same time' }).waitFor();
  const crossed = 'From the other tab.\n\nWritten at the same time in another tab:\nFrom this tab.';
  await a.waitForFunction(([k, v]) => JSON.parse(localStorage.getItem(k)).find((y) => y.quote === 'covert ISIL network').memo === v, [key, crossed]);
  assert.equal(await a.locator('textarea.memo').inputValue(), crossed);
  // Deleted in the other tab while its memo is being typed here: it comes back with the memo.
  await a.evaluate((k) => {
    const memo = document.querySelector('textarea.memo');
    memo.value += ' More.';
    memo.dispatchEvent(new Event('input', { bubbles: true }));
    const all = JSON.parse(localStorage.getItem(k));
    const x = all.find((y) => y.quote === 'covert ISIL network');
    x.deleted = true;
    x.updated = new Date().toISOString();
    window.dispatchEvent(new StorageEvent('storage', { key: k, newValue: JSON.stringify(all), storageArea: localStorage }));
  }, key);
  await a.locator('.toast', { hasText: 'deleted in another tab while you typed its memo here. It is back, with your memo' }).waitFor();
  await a.waitForFunction(([k, v]) => JSON.parse(localStorage.getItem(k)).some((y) => y.quote === 'covert ISIL network' && !y.deleted && y.memo === v), [key, `${crossed} More.`]);
  await a.locator('.hl', { hasText: 'covert ISIL network' }).waitFor();
  // Deleted here, then brought back in the other tab with a memo typed there: this tab's
  // Undo of the deletion leaves it as the other tab made it, and says so.
  await a.locator('.hl', { hasText: 'covert ISIL network' }).click();
  await a.keyboard.press('Delete');
  const undo = a.locator('.toast button', { hasText: 'Undo' });
  await undo.waitFor();
  await a.waitForFunction((k) => JSON.parse(localStorage.getItem(k)).find((y) => y.quote === 'covert ISIL network').deleted, key);
  await a.evaluate((k) => {
    const all = JSON.parse(localStorage.getItem(k));
    const x = all.find((y) => y.quote === 'covert ISIL network');
    Object.assign(x, { deleted: false, memo: 'Typed in the other tab.', updated: new Date(Date.now() + 1000).toISOString() });
    localStorage.setItem(k, JSON.stringify(all));
    window.dispatchEvent(new StorageEvent('storage', { key: k, newValue: JSON.stringify(all), storageArea: localStorage }));
  }, key);
  await a.locator('.hl', { hasText: 'covert ISIL network' }).waitFor();
  await undo.click();
  await a.locator('.toast', { hasText: 'Not undone: 1 annotation was changed in another tab since, and is kept as it is now.' }).waitFor();
  await a.waitForTimeout(300);
  const after = await a.evaluate((k) => JSON.parse(localStorage.getItem(k)).find((y) => y.quote === 'covert ISIL network'), key);
  assert.deepEqual([after.deleted, after.memo], [false, 'Typed in the other tab.']);
  await a.locator('.hl', { hasText: 'covert ISIL network' }).waitFor();
  await context.close();
});

test('a full store keeps the change, says so, and loses nothing', async () => {
  const { context, page } = await codingAt('Quota', 'S-2018-770', 13);
  await selectText(page, '#p13 > p', 'covert network');
  await page.keyboard.press('1');
  await page.locator('.hl').first().waitFor();
  // The change is written right after the frame that paints it.
  await page.waitForFunction(() => localStorage.getItem('marginalia:v1:doc:S/2018/770') !== null);
  // Fill the rest of the store.
  const filled = await page.evaluate(() => {
    const chunk = 'x'.repeat(256 * 1024);
    let i = 0;
    try { for (; i < 100; i++) localStorage.setItem(`filler-${i}`, chunk); } catch (e) { return e.name; }
    return 'not full';
  });
  assert.equal(filled, 'QuotaExceededError');
  await page.evaluate(() => {
    for (const size of [16384, 1024, 64, 8]) {
      try { for (let n = 0; n < 10000; n++) localStorage.setItem(`filler-${size}-${n}`, 'y'.repeat(size)); } catch {}
    }
  });
  await selectText(page, '#p13 > p', 'urban centres');
  await page.keyboard.press('2');
  await page.locator('.toast', { hasText: 'full' }).waitFor();
  await screenshot(page, 'storage-full');
  // The list follows a frame after the highlight; the change is kept in memory.
  await page.waitForFunction(() => document.querySelectorAll('.ann-list li').length === 2);
  const saved = await page.evaluate(() => JSON.parse(localStorage.getItem('marginalia:v1:doc:S/2018/770')).map((x) => x.quote));
  assert.deepEqual(saved, ['covert network'], 'what was saved before is still saved');
  // Room again: the next change saves everything.
  await page.evaluate(() => { for (const k of Object.keys(localStorage)) if (k.startsWith('filler')) localStorage.removeItem(k); });
  await page.locator('.ann-list li button').first().click();
  await page.locator('.editor textarea.memo').fill('saved now');
  await page.locator('.editor .cite').click();
  await page.locator('.toast', { hasText: 'saved again' }).waitFor();
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll('.ann-list li').length === 2);
  await context.close();
});

test('a corrupted stored value is set aside with a message, and the app still starts', async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(server.url);
  await page.locator('table.reports').waitFor(); // the app has read storage: set the values only now
  await page.evaluate(() => {
    localStorage.setItem('marginalia:v1:doc:S/2019/103', '{"this is": not json');
    localStorage.setItem('marginalia:v1:doc:S/2018/80', JSON.stringify([{ id: 'ok1', doc: 'S/2018/80', start: 17, end: 30, quote: 'x', tags: ['threat'], created: 't', updated: 't' }]));
  });
  await page.reload();
  await page.locator('.toast', { hasText: 'set aside' }).waitFor();
  await screenshot(page, 'quarantine');
  const keys = await page.evaluate(() => Object.keys(localStorage).sort());
  assert.ok(keys.includes('marginalia:quarantine:marginalia:v1:doc:S/2019/103'), keys.join(', '));
  assert.equal(await page.evaluate(() => localStorage.getItem('marginalia:quarantine:marginalia:v1:doc:S/2019/103')), '{"this is": not json');
  // What was set aside can be downloaded, exactly as it was stored.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('.toast button.set-aside').click()]);
  assert.match(download.suggestedFilename(), /^marginalia-set-aside-\d{4}-\d{2}-\d{2}\.json$/);
  const setAside = JSON.parse((await import('node:fs')).readFileSync(await download.path(), 'utf8'));
  assert.equal(setAside.format, 'marginalia-set-aside');
  assert.deepEqual(setAside.values.map((v) => [v.read_from, v.value]), [['marginalia:v1:doc:S/2019/103', '{"this is": not json']]);
  await page.locator('table.reports').waitFor();
  await page.goto(`${server.url}#/report/S-2018-80`);
  await page.locator('.hl').first().waitFor();
  await context.close();
});

test('backup is one click; restore previews, refuses a bad file, and restores exactly', async () => {
  const ctxA = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const a = await ctxA.newPage();
  await a.goto(`${server.url}#/report/S-2019-103/p5`);
  await a.evaluate(() => localStorage.setItem('marginalia:v1:meta', JSON.stringify({ schema: 1, coder: 'Backup' })));
  await a.reload();
  await a.locator('#p5.target').waitFor();
  await selectText(a, '#p5 > p', 'covert network in Iraq');
  await a.keyboard.press('1');
  await a.locator('.editor textarea.memo').fill('memo 😀 kept');
  await a.locator('.editor .cite').click();
  await a.waitForTimeout(100);
  assert.equal((await a.locator('.last-backup').innerText()).replace(/\s+/g, ' '), 'No backup yet');
  const [download] = await Promise.all([a.waitForEvent('download'), a.locator('button.backup').click()]);
  await a.locator('.last-backup', { hasText: /Last backup\s*today \d{2}:\d{2}/ }).waitFor();
  // Said, with the file's name (on a phone a download goes by unseen).
  await a.locator('.toast', { hasText: `Downloaded ${download.suggestedFilename()} (1 annotation): this file is all the work here, to hand in or keep.` }).waitFor();
  // The top bar stays on one line on a laptop screen, with the backup's date in it.
  assert.ok(await a.evaluate(() => document.querySelector('.topbar').getBoundingClientRect().height < 70), 'one line');
  assert.equal(await a.locator('.last-backup .since').count(), 0, 'nothing changed since');
  assert.match(download.suggestedFilename(), /^marginalia-backup-Backup-\d{4}-\d{2}-\d{2}-\d{4}\.json$/, 'the coder is in the name');
  const content = (await import('node:fs')).readFileSync(await download.path());
  const file = { name: download.suggestedFilename(), mimeType: 'application/json', buffer: content };
  const backup = JSON.parse(content.toString('utf8'));
  // The same file brought in again: said to change nothing (not "joining Backup's work").
  await a.locator('label.restore input[type=file]').setInputFiles(file);
  await a.locator('dialog.restore p.restore-same', { hasText: 'Everything in this file is here already: merging it changes nothing.' }).waitFor();
  assert.equal(await a.locator('dialog.restore .restore-whose').count(), 0);
  await a.locator('dialog.restore button', { hasText: 'Cancel' }).click();
  await a.locator('dialog.restore').waitFor({ state: 'detached' });
  // A change after the backup: the top bar says the backup no longer holds everything.
  await a.locator('#p6 .pnum').focus();
  await a.keyboard.press('2');
  await a.locator('.last-backup .since', { hasText: 'changed since' }).waitFor();
  assert.ok(await a.evaluate(() => document.querySelector('.topbar').getBoundingClientRect().height < 70), 'still one line');
  await screenshot(a, 'changed-since');
  assert.equal(backup.format, 'marginalia-backup');
  assert.equal(backup.annotations.length, 1);
  assert.equal(backup.annotations[0].memo, 'memo 😀 kept');
  assert.equal(backup.documents[0].text_sha256.length, 64);
  await ctxA.close();

  // A fresh browser: a bad file is refused and changes nothing; the backup restores.
  // (In Tokyo: times are shown in the user's time zone.)
  const ctxB = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'Asia/Tokyo' });
  const b = await ctxB.newPage();
  await b.goto(`${server.url}#/report/S-2019-103/p5`);
  await b.locator('#p5.target').waitFor();
  const before = await b.evaluate(() => JSON.stringify(Object.entries(localStorage).sort()));
  await b.locator('label.restore input[type=file]').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "something else"}') });
  await b.locator('.toast', { hasText: 'was not restored' }).waitFor();
  assert.equal(await b.evaluate(() => JSON.stringify(Object.entries(localStorage).sort())), before);
  // An export given to Restore: it says where that file goes.
  await b.locator('label.restore input[type=file]').setInputFiles({ name: 'segments.csv', mimeType: 'text/csv', buffer: Buffer.from('annotation_id,document,start,end,tag\r\n') });
  await b.locator('.toast', { hasText: /segments\.csv was not restored: .* It is a file of another kind \(.+\): bring it in with Import… Nothing was changed\./ }).waitFor();
  assert.equal(await b.evaluate(() => JSON.stringify(Object.entries(localStorage).sort())), before);
  await b.locator('label.restore input[type=file]').setInputFiles(file);
  await b.locator('dialog.restore').waitFor();
  assert.match(await b.locator('.plan-replace').innerText(), /1 added, 0 changed, 0 removed, 0 unchanged; the codebook stays as it is\./);
  // Enter merges (it keeps the work here); Replace is a button of its own.
  assert.equal(await b.evaluate(() => document.activeElement.textContent), 'Merge');
  const tokyo = new Date(Date.parse(backup.exported_at) + 9 * 3600e3).toISOString().slice(0, 16).replace('T', ' ');
  assert.ok((await b.locator('dialog.restore p').first().innerText()).includes(` made ${tokyo} by `), `made at ${tokyo}, Tokyo time`);
  await screenshot(b, 'restore-preview');
  await b.locator('dialog.restore button', { hasText: 'Replace' }).click();
  await b.locator('.hl').first().waitFor();
  assert.equal(await b.locator('.hl').innerText(), 'covert network in Iraq');
  await b.reload();
  await b.locator('.hl').first().click();
  assert.equal(await b.locator('.editor textarea.memo').inputValue(), 'memo 😀 kept');
  // The fresh browser had no coder's name: it takes the backup's, not on trust (another
  // student's file brought in by mistake): the first tag asks, over a reload too.
  assert.equal(await b.evaluate(() => JSON.parse(localStorage.getItem('marginalia:v1:meta')).coder), 'Backup');
  await b.keyboard.press('Escape');
  await selectRange(b, '#p6 > p', 20);
  await b.keyboard.press('2');
  await b.locator('#name-title', { hasText: 'Are you Backup?' }).waitFor();
  assert.match(await b.locator('dialog').innerText(), /The work here came from Backup's backup file\./);
  assert.equal(await b.locator('label.only-me').isVisible(), false);
  await b.locator('button.still-no').click();
  await b.locator('#coder-name').fill('Hana');
  assert.ok(await b.locator('label.beside input').isChecked(), "someone else: Backup's work stays beside, unless told");
  await b.locator('dialog button[type="submit"]').click();
  await b.locator('.hl[data-tags="finance"]').waitFor();
  const meta = await b.evaluate(() => JSON.parse(localStorage.getItem('marginalia:v1:meta')));
  assert.equal(meta.coder, 'Hana');
  assert.equal(meta.name_from_backup, undefined, 'asked once');
  await ctxB.close();

  // A backup edited by hand, its codebook without the tag its annotation uses: the
  // preview says the tag comes back, and no annotation is left with a tag that is not there.
  const tag = backup.annotations[0].tags[0];
  const edited = { ...backup, codebook: { ...backup.codebook, tags: backup.codebook.tags.filter((t) => t.id !== tag) } };
  const ctxC = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const c = await ctxC.newPage();
  await c.goto(`${server.url}#/report/S-2019-103/p5`);
  await c.evaluate(() => localStorage.setItem('marginalia:v1:meta', JSON.stringify({ schema: 1, coder: 'Key' })));
  await c.reload();
  await c.locator('#p5.target').waitFor();
  // Work of this browser's own, which Replace would take away: the preview says whose.
  await selectText(c, '#p5 > p', 'provincial level');
  await c.keyboard.press('2');
  await c.waitForFunction(() => (localStorage.getItem('marginalia:v1:doc:S/2019/103') ?? '').includes('provincial level'));
  await c.locator('label.restore input[type=file]').setInputFiles({ name: 'edited.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(edited)) });
  await c.locator('dialog.restore').waitFor();
  assert.match(await c.locator('.plan-replace').innerText(), /1 removed.* It takes away Key's 1\. The work here is in no backup file: Replace saves it to one first\.$/);
  assert.doesNotMatch(await c.locator('.plan-merge').innerText(), /takes away/);
  assert.equal(await c.locator('dialog.restore .added-tags').innerText(), `Its codebook lacks 1 tag its annotations use (${tag}); it is added to it.`);
  const keys = await c.evaluate(() => JSON.parse(localStorage.getItem('marginalia:v1:doc:S/2019/103')).filter((a) => a.coder === 'Key' && !a.deleted));
  // Key's work is in no backup file: Replace saves it to one first, and says so.
  const [saved] = await Promise.all([c.waitForEvent('download'), c.locator('dialog.restore button', { hasText: 'Replace' }).click()]);
  assert.match(saved.suggestedFilename(), /^marginalia-backup-Key-/);
  const first = JSON.parse((await import('node:fs')).readFileSync(await saved.path(), 'utf8'));
  assert.deepEqual(first.annotations.filter((a) => !a.deleted).map((a) => a.quote), ['provincial level']);
  await c.locator('.toast', { hasText: `The work here before was saved first, as ${saved.suggestedFilename()}: Restore… brings it back.` }).waitFor();
  await c.locator('.hl').first().waitFor();
  await c.waitForFunction((t) => JSON.parse(localStorage.getItem('marginalia:v1:codebook') ?? '{"tags":[]}').tags.some((x) => x.id === t), tag);
  // Key's own file, restored after that Replace took Key's work away: Merge keeps the newer
  // deletion, and bringing it back is offered apart.
  const keyFile = { ...edited, coder: 'Key', annotations: keys };
  await c.locator('label.restore input[type=file]').setInputFiles({ name: 'key.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(keyFile)) });
  await c.locator('dialog.restore .deleted-here', { hasText: '1 annotation in the file (by Key) was deleted here after it was made, so Merge leaves it deleted.' }).waitFor();
  await c.locator('dialog.restore button.bring-back', { hasText: 'Merge and bring back 1' }).click();
  await c.locator('.hl', { hasText: 'provincial level' }).waitFor();
  await c.locator('.toast', { hasText: 'Merged: 1 added, 0 changed, 0 removed.' }).waitFor();
  await ctxC.close();
});

test('deleting a tag in use says beforehand which annotations, and memos, go with it; segments copy for a draft', async () => {
  const { context, page } = await codingAt('Rita', 'S-2019-103', 12);
  await selectText(page, '#p12 > p', 'financial reserves');
  await page.keyboard.press('1');
  await page.locator('.editor textarea.memo').fill('A memo that would go, as S/2019/103 ¶13 says.');
  // Once saved, the paragraph it cites opens from under it.
  await page.locator('.editor .memo-cites a.memo-cite', { hasText: 'S/2019/103 ¶13' }).waitFor();
  assert.equal(await page.locator('.editor .memo-cites a').getAttribute('href'), '#/report/S-2019-103/p13');
  await page.keyboard.press('Escape');
  await selectText(page, '#p13 > p', 'bulk-stored cash');
  await page.keyboard.press('1');
  await page.keyboard.press('2');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => (localStorage.getItem('marginalia:v1:doc:S/2019/103') ?? '').includes('A memo that would go, as S/2019/103 ¶13 says.'));
  await page.goto(`${server.url}#/codebook`);
  await page.locator('.tag-row[data-tag="threat"] .btn.danger').click();
  await page.locator('dialog p', { hasText: '2 annotations use this tag.' }).waitFor();
  assert.equal(await page.locator('dialog .del-lost').innerText(), 'Deleting the tag from them deletes 1 of them (no other tag, 1 of them with a memo).');
  await page.locator('dialog button', { hasText: 'Cancel' }).click();
  // Retrieved segments copy as text for a draft: each quote with its citation, tags and memo.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await page.goto(`${server.url}#/segments`);
  await page.locator('ol.segments li').nth(1).waitFor();
  await page.locator('.seg-copy-all').click();
  await page.locator('.toast', { hasText: 'Copied 2 segments with their citations: paste them into your draft.' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()),
    '“financial reserves” (S/2019/103 ¶12) · threat\nMemo: A memo that would go, as S/2019/103 ¶13 says.\n\n“bulk-stored cash” (S/2019/103 ¶13) · threat, finance');
  // A paragraph the memo cites opens from it.
  const cite = page.locator('.seg-memo a.memo-cite');
  assert.equal(await cite.innerText(), 'S/2019/103 ¶13');
  assert.equal(await cite.getAttribute('href'), '#/report/S-2019-103/p13');
  assert.equal(await page.locator('.seg-memo').innerText(), 'A memo that would go, as S/2019/103 ¶13 says.');
  await page.locator('ol.segments li').nth(1).locator('.seg-copy').click();
  await page.waitForFunction(async () => (await navigator.clipboard.readText()) === '“bulk-stored cash” (S/2019/103 ¶13) · threat, finance');
  // What was done on one page is not carried to the next: the notice closes there.
  assert.ok(await page.locator('.toast.done').isVisible());
  await page.waitForTimeout(1100); // a page shown with the notice itself (within a second) keeps it
  await page.locator('nav a', { hasText: 'Codebook' }).click();
  await page.locator('.tag-row').first().waitFor();
  await page.locator('.toast').waitFor({ state: 'detached', timeout: 2000 });
  await context.close();
});

test('codebook: add, rename, key, delete with merge, undo; export and import; coded segments view', async () => {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${server.url}#/codebook`);
  await page.evaluate(() => localStorage.setItem('marginalia:v1:meta', JSON.stringify({ schema: 1, coder: 'Books' })));
  await page.reload();
  await page.locator('.tag-row').first().waitFor();
  assert.equal(await page.locator('.tag-row').count(), 4);
  // Add tag with no name: said, and the focus goes to the name box.
  await page.locator('.add-tag button').click();
  await page.locator('.toast', { hasText: 'A tag needs a name.' }).waitFor();
  await page.waitForFunction(() => document.activeElement.matches('.add-tag input'));
  await page.locator('.add-tag input').fill('Gender');
  await page.locator('.add-tag button').click();
  await page.locator('.tag-row[data-tag="gender"]').waitFor();
  assert.equal(await page.locator('.tag-row[data-tag="gender"] .tag-key select').inputValue(), '5');
  await page.locator('.tag-row[data-tag="threat"] .tag-name').fill('Threats');
  await page.locator('.tag-row[data-tag="threat"] .tag-name').press('Tab');
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('marginalia:v1:codebook') ?? '{"tags":[]}').tags.some((t) => t.name === 'Threats'));
  // A name already taken is refused, and the field shows the stored name again.
  await page.locator('.tag-row[data-tag="finance"] .tag-name').fill('threats');
  await page.locator('.tag-row[data-tag="finance"] .tag-name').press('Tab');
  await page.locator('.toast', { hasText: 'already a tag named' }).waitFor();
  assert.equal(await page.locator('.tag-row[data-tag="finance"] .tag-name').inputValue(), 'finance');
  // The slip is past once an edit goes through: its message closes.
  await page.locator('.tag-row[data-tag="finance"] textarea.tag-desc').fill('Money, assets, funding.');
  await page.locator('.tag-row[data-tag="finance"] textarea.tag-desc').press('Tab');
  await page.locator('.toast', { hasText: 'already a tag named' }).waitFor({ state: 'detached', timeout: 2000 });
  // A colour the dark theme would hide is kept, and said.
  await page.locator('.tag-row[data-tag="gender"] input[type="color"]').fill('#111111');
  await page.locator('.toast', { hasText: "Gender's new colour is hard to see on a dark page" }).waitFor();
  await page.locator('.toast button', { hasText: 'Undo' }).click();
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('marginalia:v1:codebook')).tags.find((t) => t.id === 'gender').colour !== '#111111');
  // Another tag's colour: kept, and said.
  await page.locator('.tag-row[data-tag="gender"] input[type="color"]').fill('#d55e00');
  await page.locator('.toast', { hasText: 'Gender now has the colour of Threats: their highlights look alike' }).locator('button', { hasText: 'Undo' }).click();
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('marginalia:v1:codebook')).tags.find((t) => t.id === 'gender').colour !== '#d55e00');
  // A code tree: Gender goes under Threats, and sits under it, indented.
  await page.locator('.tag-row[data-tag="gender"] .tag-parent select').selectOption('threat');
  await page.waitForFunction(() => [...document.querySelectorAll('.tag-row')].map((r) => r.dataset.tag + r.dataset.depth).join() === 'threat0,gender1,finance0,repatriation0,prosecution0');
  // The focus stays on the moved tag's choice (the next arrow key is for it, not another tag).
  await page.waitForFunction(() => document.activeElement.matches('.tag-row[data-tag="gender"] .tag-parent select'));
  const indent = await page.locator('.tag-row[data-tag="gender"] .tag-name').evaluate((e) => e.getBoundingClientRect().left)
    - await page.locator('.tag-row[data-tag="threat"] .tag-name').evaluate((e) => e.getBoundingClientRect().left);
  assert.ok(indent > 10, `indented: ${indent}`);
  // Threats cannot go under its own sub-code.
  assert.deepEqual(await page.locator('.tag-row[data-tag="threat"] .tag-parent option').evaluateAll((o) => o.map((x) => x.value)), ['', 'finance', 'repatriation', 'prosecution']);
  // Moving Threats moves Gender with it.
  await page.locator('.tag-row[data-tag="finance"] .move-up').click();
  await page.waitForFunction(() => [...document.querySelectorAll('.tag-row')].map((r) => r.dataset.tag).join() === 'finance,threat,gender,repatriation,prosecution');
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => [...document.querySelectorAll('.tag-row')].map((r) => r.dataset.tag).join() === 'threat,gender,finance,repatriation,prosecution');
  await page.reload();
  await page.locator('.tag-row[data-tag="gender"][data-depth="1"]').waitFor();
  await screenshot(page, 'codebook');
  // Back to the top level: at its end, where it was.
  await page.locator('.tag-row[data-tag="gender"] .tag-parent select').selectOption('');
  await page.waitForFunction(() => [...document.querySelectorAll('.tag-row')].map((r) => r.dataset.tag + r.dataset.depth).join() === 'threat0,finance0,repatriation0,prosecution0,gender0');

  // Code with the new tag's key.
  await page.goto(`${server.url}#/report/S-2019-612/p8`);
  await page.locator('#p8.target').waitFor();
  // Undo on a report takes back the codebook change made on its page, and says so.
  await page.keyboard.press('Control+z');
  const undone = await page.locator('.toast', { hasText: 'Undone: a change to the codebook (' }).innerText();
  assert.match(undone, /Gender/);
  await page.keyboard.press('Control+y');
  await page.locator('.toast', { hasText: 'Redone: a change to the codebook (' }).waitFor();
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('marginalia:v1:codebook')).tags.find((t) => t.id === 'gender').parent == null);
  await selectText(page, '#p8 > p', 'Arabian Peninsula');
  await page.keyboard.press('5');
  await page.locator('.hl[data-tags="gender"]').waitFor();
  // The same span again with finance's key: one annotation with both tags.
  await selectText(page, '#p8 > p', 'Arabian Peninsula');
  await page.keyboard.press('2');
  // (in the codebook's order: finance before Gender)
  await page.locator('.hl[data-tags="finance gender"]').waitFor();
  // The paragraph's text without its footnote markers.
  const p8 = await page.locator('#p8 > p').evaluate((p) => { const c = p.cloneNode(true); c.querySelectorAll('.fnref').forEach((m) => m.remove()); return c.textContent; });

  // The segments view lists it, filtered by tag, in context cut between words.
  await page.goto(`${server.url}#/segments`);
  await page.locator('.segments li').first().waitFor();
  assert.match(await page.locator('.segments li').first().innerText(), /S\/2019\/612 ¶8[\s\S]*Arabian Peninsula/);
  const [before, after] = await page.locator('.segments li').first().locator('.ctx').evaluateAll((els) => els.map((e) => e.textContent));
  const shown = before.replace(/^…/, '') + 'Arabian Peninsula' + after.replace(/…$/, '');
  const at = p8.indexOf(shown);
  assert.ok(at >= 0, `the context is the paragraph's own text: ${shown}`);
  assert.ok(before.startsWith('…') ? /\s/.test(p8[at - 1]) : at === 0, `no word cut before: ${before}`);
  const end = at + shown.length;
  assert.ok(after.endsWith('…') ? /\s/.test(p8[end]) : end === p8.length, `no word cut after: ${after}`);
  const count = () => page.locator('.seg-summary .count-line').innerText();
  await page.locator('.filters [data-tag="prosecution"]').click();
  await page.waitForFunction(() => document.querySelectorAll('.segments li').length === 0);
  assert.equal(await count(), '0 segments');
  await page.locator('.filters [data-tag="prosecution"]').click();
  // The choice is the address: it survives a reload, and Back leaves the view.
  await page.locator('.filters [data-tag="gender"]').click();
  assert.equal(new URL(page.url()).hash, '#/segments?tags=gender');
  await page.reload();
  await page.locator('.segments li').first().waitFor();
  assert.equal(await page.locator('.filters [data-tag="gender"]').getAttribute('aria-pressed'), 'true');
  assert.equal(await count(), '1 segment');
  // Co-occurrence: any of the chosen tags, or all of them.
  await page.locator('.filters [data-tag="finance"]').click();
  assert.equal(await count(), '1 segment');
  await page.locator('.filters .match input[value="all"]').check();
  await page.waitForFunction(() => document.querySelector('.seg-summary .count-line')?.textContent === '1 segment with finance and Gender', null, { timeout: 5000 });
  assert.equal(new URL(page.url()).hash, '#/segments?tags=gender,finance&match=all');
  assert.ok(await page.locator('.seg-group-by').isDisabled(), 'one group when every tag is needed');
  await page.locator('.filters [data-tag="prosecution"]').click();
  await page.waitForFunction(() => document.querySelectorAll('.segments li').length === 0);
  // Exporting these takes the choice along, co-occurrence included.
  await page.locator('.seg-export').click();
  await page.locator('.export-preview').waitFor();
  assert.ok(await page.locator('input.opt-all-tags').isChecked());
  assert.deepEqual(await page.locator('.export input.tag:checked').evaluateAll((els) => els.map((e) => e.value)), ['finance', 'prosecution', 'gender'], 'in codebook order');
  assert.match(await page.locator('.export-preview').innerText(), /^no annotation in 5 documents/);
  await page.locator('input.opt-all-tags').uncheck();
  assert.match(await page.locator('.export-preview').innerText(), /^1 annotation from 1 of 5 documents/);
  await page.keyboard.press('Escape');
  await page.locator('.filters [data-tag="prosecution"]').click();
  await page.locator('.filters .match input[value="any"]').check();
  // One text at a time.
  await page.locator('select.seg-doc').selectOption('S-2019-103');
  await page.waitForFunction(() => document.querySelectorAll('.segments li').length === 0);
  await page.locator('select.seg-doc').selectOption('');
  await page.locator('.segments li').first().waitFor();
  // Grouped by tag: a heading per tag with its count.
  await page.locator('.seg-group-by').check();
  await page.locator('h2.seg-group[data-tag="gender"]').waitFor();
  assert.equal(await page.locator('h2.seg-group[data-tag="gender"]').innerText(), 'Gender · 1 segment');
  assert.equal(await page.locator('h2.seg-group').count(), 2);
  assert.equal(new URL(page.url()).hash, '#/segments?tags=gender,finance&group=tag');
  // The top bar's link comes back to this retrieval; "Show everything" clears it.
  await page.locator('nav a', { hasText: 'Corpus' }).click();
  // The focus goes with the page, to its start.
  await page.waitForFunction(() => document.activeElement.id === 'main');
  await page.locator('nav a', { hasText: 'Segments' }).click();
  await page.locator('h2.seg-group[data-tag="finance"]').waitFor();
  await page.locator('.seg-clear').click();
  await page.waitForFunction(() => location.hash === '#/segments' && !document.querySelector('.seg-clear'));
  // A link read leniently: a tag by its name in any case; what is not here is said, not matched.
  await page.goto(`${server.url}#/segments?tags=NOPE,gender&in=xyz`);
  await page.locator('.seg-missing').waitFor();
  assert.match(await page.locator('.seg-missing').innerText(), /\(NOPE, text xyz\)/);
  assert.equal(await page.locator('.filters [data-tag="gender"]').getAttribute('aria-pressed'), 'true');
  assert.equal(await count(), '1 segment');
  await page.goto(`${server.url}#/segments`);
  await page.locator('.segments li').first().waitFor();
  await page.locator('.filters [data-tag="gender"]').click();
  // Export what is shown, as a researcher would take it to pandas.
  await page.locator('.seg-export').click();
  assert.deepEqual(await page.locator('.export input.tag:checked').evaluateAll((els) => els.map((e) => e.value)), ['gender']);
  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.locator('.export-go').click()]);
  assert.match(csvDownload.suggestedFilename(), /^marginalia-corpus-segments-Books-\d{4}-\d{2}-\d{2}\.csv$/, "one coder's work is named after them");
  const csvText = (await import('node:fs')).readFileSync(await csvDownload.path(), 'utf8');
  const lines = csvText.trim().split('\r\n');
  assert.equal(lines.length, 2, 'a header and one segment');
  assert.ok(lines[0].startsWith('annotation_id,document,symbol,ordinal,date,section,paragraphs,start,end'));
  // The tag as it is named now (its id, "gender", in tag_id).
  assert.match(lines[1], /S\/2019\/612,9,2019-07-31,.*,8,.*,Gender,Arabian Peninsula,.*,gender,/);
  await page.locator('.segments li a.seg-cite').first().click();
  await page.locator('#p8.target').waitFor();
  // The citation opens the annotation itself.
  await page.waitForFunction(() => document.querySelector('.editor .quote')?.textContent === 'Arabian Peninsula');

  // Delete the tag in use: asked, merged into finance; undo brings it back.
  await page.goto(`${server.url}#/codebook`);
  await page.locator('.tag-row[data-tag="gender"] .btn.danger').click();
  await page.locator('dialog p', { hasText: '1 annotation uses this tag. Move it to another tag' }).waitFor();
  assert.equal(await page.locator('dialog .del-lost').count(), 0, 'it has another tag: deleting the tag from it deletes nothing');
  assert.ok(await page.locator('dialog button', { hasText: 'Merge and delete' }).isDisabled(), 'no tag chosen for the user');
  await page.locator('dialog select').selectOption('finance');
  await page.locator('dialog button', { hasText: 'Merge and delete' }).click();
  await page.waitForFunction(() => !document.querySelector('.tag-row[data-tag="gender"]'));
  await page.locator('.toast', { hasText: 'Gender merged into finance (1 annotation) and deleted.' }).waitFor();
  assert.equal(await page.locator('.tag-row[data-tag="finance"] .uses').innerText(), '1 in use');
  await page.keyboard.press('Control+z');
  await page.locator('.tag-row[data-tag="gender"]').waitFor();
  assert.equal(await page.locator('.tag-row[data-tag="gender"] .uses').innerText(), '1 in use');

  // Export, then import a bad file (refused) and the exported one (accepted).
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('button', { hasText: 'Export codebook' }).click()]);
  const exported = (await import('node:fs')).readFileSync(await download.path());
  assert.equal(JSON.parse(exported.toString()).format, 'marginalia-codebook');
  assert.match(download.suggestedFilename(), /^marginalia-codebook-\d{4}-\d{2}-\d{2}\.json$/, 'dated, as the export dialog names it');
  await page.locator('label.import-codebook input').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"marginalia-codebook","version":1,"tags":[]}') });
  await page.locator('.toast', { hasText: 'was not imported' }).waitFor();
  assert.equal(await page.locator('.tag-row').count(), 5);
  await page.locator('label.import-codebook input').setInputFiles({ name: 'book.json', mimeType: 'application/json', buffer: exported });
  // The same codebook: accepted, nothing to change, nothing to undo.
  const same = page.locator('.toast', { hasText: 'book.json holds the codebook as it is here: nothing changed.' });
  await same.waitFor();
  assert.equal(await same.locator('button', { hasText: 'Undo' }).count(), 0);
  // A codebook written by hand needs only names; ids, colours and keys are filled in.
  await page.locator('label.import-codebook input').setInputFiles({ name: 'class.json', mimeType: 'application/json', buffer: Buffer.from('{"tags": [{"name": "Victims", "description": "Who suffers"}, "Perpetrators"]}') });
  // Tags that annotations use are kept (never orphaned); the others give way to the file's.
  const imported = page.locator('.toast', { hasText: 'Codebook imported from class.json' });
  await imported.waitFor();
  assert.match(await imported.innerText(), /new tags: Victims, Perpetrators; removed: Threats, repatriation, prosecution; changed: finance \(key 2 → none\)\. Kept, as annotations use them: finance, Gender\./);
  await page.waitForFunction(() => document.querySelectorAll('.tag-row').length === 4);
  assert.deepEqual(await page.locator('.tag-row').evaluateAll((rows) => rows.map((r) => r.dataset.tag)), ['victims', 'perpetrators', 'finance', 'gender']);
  assert.equal(await page.locator('.tag-row[data-tag="victims"] .tag-key select').inputValue(), '1');
  assert.equal(await page.locator('.tag-row[data-tag="perpetrators"] .tag-key select').inputValue(), '2');
  assert.equal(await page.locator('.tag-row[data-tag="finance"] .tag-key select').inputValue(), '', 'its key went to a file tag');
  // The top bar's Import takes a codebook file too, exported or written by hand.
  await page.locator('input.import-file').setInputFiles({ name: 'book.json', mimeType: 'application/json', buffer: exported });
  await page.locator('.toast', { hasText: 'Codebook imported from book.json' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('.tag-row').length === 5);
  await page.locator('input.import-file').setInputFiles({ name: 'names.json', mimeType: 'application/json', buffer: Buffer.from('["Victims"]') });
  await page.locator('.toast', { hasText: 'Codebook imported from names.json' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('.tag-row').length === 3, null, { timeout: 5000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test("segments: a parent code takes in its sub-codes' segments when asked, and exports them", async () => {
  const { context, page } = await codingAt('Ana', 'S-2019-612', 8);
  const errors = watchErrors(page);
  // finance under threat, then a span coded finance only.
  await page.goto(`${server.url}#/codebook`);
  await page.locator('.tag-row[data-tag="finance"] .tag-parent select').selectOption('threat');
  await page.locator('.tag-row[data-tag="finance"][data-depth="1"]').waitFor();
  await page.goto(`${server.url}#/report/S-2019-612/p8`);
  await page.locator('#p8.target').waitFor();
  await selectText(page, '#p8 > p', 'Arabian Peninsula');
  // The palette says where a sub-code sits.
  assert.equal(await page.locator('.palette button[data-tag="finance"]').getAttribute('title'), 'threat › finance');
  // It follows its code, marked as a sub-code.
  assert.deepEqual(await page.locator('.palette button').evaluateAll((b) => b.map((x) => x.dataset.tag + (x.classList.contains('sub') ? '↳' : ''))).then((v) => v.slice(0, 2)), ['threat', 'finance↳']);
  await screenshot(page, 'palette-sub-code');
  await page.keyboard.press('2');
  await page.locator('.hl[data-tags="finance"]').waitFor();
  const count = () => page.locator('.seg-summary .count-line').innerText();
  await page.goto(`${server.url}#/segments?tags=threat`);
  await page.locator('.seg-summary').waitFor();
  assert.equal(await count(), '0 segments', 'off by default: threat alone');
  await page.locator('input.seg-sub').check();
  await page.waitForFunction(() => document.querySelectorAll('.segments li').length === 1);
  assert.equal(await count(), '1 segment: threat (with its sub-codes)');
  assert.equal(new URL(page.url()).hash, '#/segments?tags=threat&sub=1');
  // Grouped: the segment under threat, and under finance when both are chosen.
  await page.locator('.filters [data-tag="finance"]').click();
  await page.locator('.seg-group-by').check();
  await page.locator('h2.seg-group[data-tag="threat"]').waitFor();
  assert.deepEqual(await page.locator('h2.seg-group').allInnerTexts(), ['threat · 1 segment', 'finance · 1 segment']);
  await page.reload();
  await page.locator('h2.seg-group[data-tag="threat"]').waitFor();
  assert.ok(await page.locator('input.seg-sub').isChecked(), 'the address keeps it');
  // All chosen tags with sub-codes is a view only; any of them exports threat and finance.
  await page.locator('.filters .match input[value="all"]').check();
  await page.waitForFunction(() => document.querySelector('.seg-export')?.disabled);
  await page.locator('.filters .match input[value="any"]').check();
  await page.locator('.filters [data-tag="finance"]').click();
  await page.waitForFunction(() => location.hash === '#/segments?tags=threat&group=tag&sub=1');
  await page.locator('.seg-export').click();
  await page.locator('.export-preview').waitFor();
  assert.deepEqual(await page.locator('.export input.tag:checked').evaluateAll((els) => els.map((e) => e.value)), ['threat', 'finance']);
  assert.match(await page.locator('.export label', { has: page.locator('input.tag[value="finance"]') }).innerText(), /threat › finance/);
  assert.match(await page.locator('.export-preview').innerText(), /^1 annotation from 1 of 5 documents/);
  await page.keyboard.press('Escape');
  // Unticked: threat alone again.
  await page.locator('input.seg-sub').uncheck();
  await page.waitForFunction(() => document.querySelectorAll('.segments li').length === 0);
  await screenshot(page, 'segments-sub-codes');
  // Deleting the parent says where its sub-code goes; Undo puts it back under it.
  await page.goto(`${server.url}#/codebook`);
  await page.locator('.tag-row[data-tag="threat"] .btn.danger').click();
  await page.locator('.toast', { hasText: 'threat deleted. Its sub-code finance moved up, to the top level, with its annotations.' }).waitFor();
  await page.locator('.toast button', { hasText: 'Undo' }).click();
  await page.locator('.tag-row[data-tag="finance"][data-depth="1"]').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('a shared computer: work handed in asks "Still Chloe?"; the next student can put it away and start empty, or bring it back', async () => {
  const { context, page } = await codingAt('Chloe', 'S-2019-103', 12);
  const errors = watchErrors(page);
  const docKey = 'marginalia:v1:doc:S/2019/103';
  const stored = () => page.evaluate((k) => JSON.parse(localStorage.getItem(k) ?? '[]').map((a) => `${a.coder}${a.deleted ? ' (deleted)' : ''}`), docKey);
  await codeReserves(page);
  // Chloe hands in: her file carries her name.
  let [download] = await Promise.all([page.waitForEvent('download'), page.locator('button.backup').click()]);
  assert.match(download.suggestedFilename(), /^marginalia-backup-Chloe-\d{4}-\d{2}-\d{2}-\d{4}\.json$/);
  // A second tab of the app is open too (it must not bring the work back once put away).
  const other = await context.newPage();
  await other.goto(`${server.url}#/report/S-2019-103/p12`);
  await other.locator('.hl[data-tags="finance"]').waitFor();
  // Dev sits down: the page opens again, and his first tag asks who is coding.
  await page.reload();
  await page.locator('#p12').waitFor();
  await selectText(page, '#p13 > p', 'bulk-stored cash');
  await page.keyboard.press('1');
  await page.locator('#name-title', { hasText: 'Still Chloe?' }).waitFor();
  assert.match(await page.locator('dialog #name-title + p').innerText(), /^Chloe's work was saved to a backup file \(\d{4}-\d{2}-\d{2} \d{2}:\d{2}\), and nothing was coded after it\. Is Chloe still coding\?$/);
  // A yes or a no: no name to type yet.
  assert.equal(await page.locator('#coder-name').count(), 0);
  await page.locator('button.still-no').click();
  await page.locator('#coder-name:focus').waitFor();
  assert.equal(await page.locator('#coder-name').inputValue(), '');
  await page.locator('#coder-name').fill('Chloe');
  assert.equal(await page.locator('.new-name').count(), 0, 'the same name: nothing to choose');
  await page.locator('#coder-name').fill('Dev');
  assert.ok(await page.locator('label.put-away input').isChecked(), "after a hand-in, another name is the next student's");
  assert.match(await page.locator('label.beside').innerText(), /the 1 annotation stays here/);
  await page.screenshot({ path: 'output/still-chloe.png' });
  await page.locator('dialog button[type="submit"]', { hasText: 'Go on and tag' }).click();
  // All of it was in her file already: nothing more to download; put away, and Dev's tag is his.
  await page.locator('.toast', { hasText: 'The 1 annotation here is in the backup made before and was put away from this browser: Dev starts with an empty page.' }).waitFor();
  await page.locator('.hl[data-tags="threat"]', { hasText: 'bulk-stored cash' }).waitFor();
  assert.equal(await page.locator('.hl[data-tags="finance"]').count(), 0);
  await page.waitForFunction((k) => JSON.parse(localStorage.getItem(k) ?? '[]').length === 1, docKey);
  assert.deepEqual(await stored(), ['Dev'], "no trace of Chloe's work: no tombstone to delete it where the files are merged");
  // The other tab lets it go too, and writes nothing of it back.
  await other.locator('.hl[data-tags="finance"]').waitFor({ state: 'detached' });
  await other.locator('.hl[data-tags="threat"]').waitFor();
  await page.waitForTimeout(500);
  assert.deepEqual(await stored(), ['Dev'], 'still put away');
  await other.close();
  // The next student starts with no backup of their own.
  await page.waitForFunction(() => !JSON.parse(localStorage.getItem('marginalia:v1:meta')).last_backup);
  // Put away by mistake: it comes back, beside Dev's; Dev, who has coded since, stays Dev.
  await page.locator('.toast button.bring-back').click();
  await page.locator('.hl[data-tags="finance"]').waitFor();
  await page.locator('.toast', { hasText: "The work put away is back, beside Dev's; coding as Dev still." }).waitFor();
  assert.deepEqual((await stored()).sort(), ['Chloe', 'Dev']);
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('marginalia:v1:meta')).coder), 'Dev');
  // Now changed from the panel, with work not in any file: it is saved first, then put away.
  await page.locator('.coder-line .change-coder').click();
  await page.locator('#coder-name').fill('Eve');
  assert.ok(await page.locator('label.beside input').isChecked(), 'changed from the panel: beside the work here, unless told');
  await page.locator('label.put-away input').check();
  [download] = await Promise.all([page.waitForEvent('download'), page.locator('dialog button[type="submit"]').click()]);
  assert.match(download.suggestedFilename(), /^marginalia-backup-Dev-/);
  const file = JSON.parse(await (await import('node:fs/promises')).readFile(await download.path(), 'utf8'));
  assert.deepEqual(file.annotations.map((a) => a.coder).sort(), ['Chloe', 'Dev']);
  await page.waitForFunction((k) => (localStorage.getItem(k) ?? '[]') === '[]', docKey);
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('marginalia:v1:meta')).coder), 'Eve');
  // Eve hands in nothing: the file is saved, and that it is empty is said.
  [download] = await Promise.all([page.waitForEvent('download'), page.locator('button.backup').click()]);
  assert.match(download.suggestedFilename(), /^marginalia-backup-Eve-/);
  await page.locator('.toast', { hasText: 'with no annotations in it' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});


test('a shared computer left without a backup: hours later, the next tag asks "Still Eve?"', async () => {
  const { context, page } = await codingAt('Eve', 'S-2019-103', 12);
  await codeReserves(page);
  // Eve left three hours ago, with no backup; Gus opens the page.
  await page.waitForFunction(() => (localStorage.getItem('marginalia:v1:doc:S/2019/103') ?? '').includes('finance'));
  await page.evaluate(() => {
    const key = 'marginalia:v1:doc:S/2019/103';
    const then = new Date(Date.now() - 3 * 3600 * 1000).toISOString();
    localStorage.setItem(key, JSON.stringify(JSON.parse(localStorage.getItem(key)).map((a) => ({ ...a, created: then, updated: then }))));
  });
  await page.reload();
  await page.locator('#p12').waitFor();
  await selectText(page, '#p13 > p', 'bulk-stored cash');
  await page.keyboard.press('1');
  await page.locator('#name-title', { hasText: 'Still Eve?' }).waitFor();
  assert.match(await page.locator('dialog').innerText(), /Nothing was coded here since .+, when Eve was coding\. Is Eve still coding\?/);
  await page.locator('button.still-no').click();
  await page.locator('#coder-name').fill('Gus');
  // Eve's work is in no file yet: putting it away saves it first.
  assert.ok(await page.locator('label.put-away input').isChecked());
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('dialog button[type="submit"]').click()]);
  assert.match(download.suggestedFilename(), /^marginalia-backup-Eve-/);
  await page.locator('.hl[data-tags="threat"]', { hasText: 'bulk-stored cash' }).waitFor();
  assert.equal(await page.locator('.hl[data-tags="finance"]').count(), 0);
  await context.close();
});

test('"Still Ana?" is a yes or a no: a key pressed again does not take the work away, and one\'s own browser is not asked again', async () => {
  const { context, page } = await codingAt('Ana', 'S-2019-103', 12);
  const handIn = async () => {
    await Promise.all([page.waitForEvent('download'), page.locator('button.backup').click()]);
    await page.reload();
    await page.locator('#p12').waitFor();
  };
  await codeReserves(page);
  await handIn();
  await selectText(page, '#p13 > p', 'bulk-stored cash');
  await page.keyboard.press('2');
  await page.locator('#name-title', { hasText: 'Still Ana?' }).waitFor();
  assert.ok(await page.evaluate(() => document.activeElement.matches('button.still-yes')), 'Yes has the focus');
  await screenshot(page, 'still-ana');
  // The key again, as if the first had not been taken: nothing; then Enter is Yes.
  await page.keyboard.press('2');
  await page.keyboard.press('Enter');
  await page.locator('.hl[data-tags="finance"]', { hasText: 'bulk-stored cash' }).waitFor();
  assert.equal(await page.locator('.hl[data-tags="finance"]', { hasText: 'financial reserves' }).count(), 1, 'nothing put away');
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('marginalia:v1:meta')).coder), 'Ana');
  await page.keyboard.press('Escape');
  // Asked again after the next hand-in, unless the browser is hers alone.
  await handIn();
  await selectRange(page, '#p14 > p', 30);
  await page.keyboard.press('1');
  await page.locator('#name-title', { hasText: 'Still Ana?' }).waitFor();
  await page.locator('label.only-me input').check();
  await page.locator('button.still-yes').click();
  await page.locator('.hl[data-tags="threat"]').waitFor();
  await page.keyboard.press('Escape');
  await handIn();
  await selectRange(page, '#p15 > p', 30);
  await page.keyboard.press('1');
  await page.waitForFunction(() => document.querySelectorAll('.hl[data-tags="threat"]').length === 2);
  assert.equal(await page.locator('dialog[open]').count(), 0, 'not asked');
  await context.close();
});
test('a backup asks for the name first when no one has given it', async () => {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(server.url);
  await page.locator('button.backup').click();
  await page.locator('#name-title', { hasText: 'Who is coding?' }).waitFor();
  await page.locator('#coder-name').fill('Farah');
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('dialog button[type="submit"]', { hasText: 'Save and download' }).click()]);
  assert.match(download.suggestedFilename(), /^marginalia-backup-Farah-/);
  await context.close();
});

test('keyboard only: code a whole paragraph from its number, add a second tag, reorder tags and keep the focus', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${server.url}#/report/S-2019-103/p12`);
  await page.evaluate(() => localStorage.setItem('marginalia:v1:meta', JSON.stringify({ schema: 1, coder: 'Kim' })));
  await page.reload();
  await page.locator('#p12.target').waitFor();
  assert.equal(await page.title(), 'S/2019/103 ¶12 — Marginalia');
  // Tab from the paragraph before to paragraph 12's number, then press 3 and 4.
  await page.locator('#p11 .pnum').focus();
  await page.keyboard.press('Tab');
  while (!(await page.evaluate(() => document.activeElement.matches('#p12 .pnum')))) await page.keyboard.press('Tab');
  await page.keyboard.press('3');
  await page.locator('#p12 .hl[data-tags="repatriation"]').first().waitFor();
  // Said, with Undo: a key pressed by mistake is one click from undone.
  await page.locator('.toast', { hasText: 'All of S/2019/103 ¶12 tagged repatriation.' }).locator('button.undo').waitFor();
  const p12 = await page.locator('#p12 > p').evaluate((p) => { const c = p.cloneNode(true); c.querySelectorAll('.fnref').forEach((m) => m.remove()); return c.textContent; });
  assert.equal(await page.locator('.editor .quote').innerText(), p12.trim(), 'the whole paragraph is coded');
  await page.locator('#p12 .pnum').focus();
  await page.keyboard.press('4');
  await page.locator('#p12 .hl[data-tags="repatriation prosecution"]').first().waitFor();
  assert.equal(await page.locator('.ann-list li').count(), 1, 'the second key tags the same annotation, no duplicate');
  assert.equal(await page.locator('.editor .cite').innerText(), 'S/2019/103 ¶12');
  // Narrowed to a phrase from the keyboard: with Whole words on, the span's edges move by words.
  await page.locator('label.snap input').focus();
  await page.keyboard.press('Space');
  await page.locator('.editor .range .by', { hasText: 'by word' }).waitFor();
  for (const [label, times] of [['Start one word later', 2], ['End one word earlier', 2]]) {
    for (let i = 0; i < times; i++) {
      await page.locator(`.editor button[aria-label="${label}"]`).focus();
      await page.keyboard.press('Enter');
    }
  }
  await page.waitForFunction(() => /^reported by some Member States [\s\S]* to be able to sustain$/.test(document.querySelector('.editor .quote').textContent));
  // The run of nudges is one step: Undo takes it back at once, Redo brings it again.
  await page.keyboard.press('Control+z');
  await page.waitForFunction((p) => document.querySelector('.editor .quote').textContent === p, p12.trim());
  await page.keyboard.press('Control+Shift+z');
  await page.waitForFunction(() => document.querySelector('.editor .quote').textContent.startsWith('reported by some'));
  // Grown into the next paragraph, it says so (easy to miss when stepping from the keyboard).
  for (let i = 0; i < 3; i++) {
    await page.locator('.editor button[aria-label="End one word later"]').focus();
    await page.keyboard.press('Enter');
  }
  await page.locator('.toast', { hasText: 'The annotation now runs across S/2019/103 ¶12–13.' }).waitFor();
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => document.querySelector('.editor .quote').textContent.endsWith('to be able to sustain'));
  await page.locator('label.snap input').focus();
  await page.keyboard.press('Space');
  await page.locator('.editor .range .by', { hasText: 'by character' }).waitFor();
  // Escape from any control of the open annotation closes it; the focus goes to its paragraph's number.
  await page.locator('.editor .copy-cite').focus();
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('.editor') && document.activeElement.matches('#p12 .pnum'));
  await page.locator('#p12 .hl').first().click();
  await page.locator('.editor').waitFor();
  // The quote with its citation, ready to paste.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await page.locator('.editor .copy-cite').click();
  await page.locator('.toast', { hasText: 'Copied: “' }).waitFor();
  const narrowed = p12.trim().split(/\s+/).slice(2, -2).join(' ');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `“${narrowed}” (S/2019/103 ¶12)`);
  // "?" lists the shortcuts; Escape closes the list.
  await page.locator('#p12 .pnum').focus();
  await page.keyboard.press('?');
  await page.locator('dialog.keys[open]').waitFor();
  assert.match(await page.locator('dialog.keys').innerText(), /Code the whole paragraph[\s\S]*a word at a time[\s\S]*caret browsing/);
  // It opens at its top, its title focused (not scrolled down to Close).
  assert.deepEqual(await page.evaluate(() => [document.activeElement.id, document.querySelector('dialog.keys').scrollTop]), ['keys-title', 0]);
  await page.keyboard.press('Escape');
  // Closed, the list gives the focus back to where it was.
  await page.waitForFunction(() => !document.querySelector('dialog.keys') && document.activeElement.matches('#p12 .pnum'));
  // From the report's top, one link skips every paragraph number to the panel beside it.
  await page.locator('.skip-panel').focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'panel');
  await page.keyboard.press('Tab');
  assert.ok(await page.evaluate(() => document.activeElement.closest('#panel') !== null), 'the next Tab is in the panel');
  assert.match(new URL(page.url()).hash, /^#\/report\/S-2019-103/, 'the route stays');

  // The coder's name can be changed (for the annotations made from then on).
  assert.equal(await page.locator('.coder-line .coder-name').innerText(), 'Kim');
  await page.locator('.coder-line .change-coder').click();
  assert.equal(await page.locator('#coder-name').inputValue(), 'Kim');
  await page.locator('#coder-name').fill('Kim Park');
  // A corrected name can go on the annotations made under the old one too, when chosen
  // (not at first: another person coding must not take over the earlier work).
  assert.match(await page.locator('label.carry').innerText(), /The same person: Kim was a misspelling of this name \(the 1 annotation made as Kim takes it\)/);
  assert.equal(await page.locator('label.carry input').isChecked(), false);
  assert.equal(await page.locator('label.beside input').isChecked(), true);
  await page.locator('label.carry input').check();
  await page.locator('#coder-name').press('Enter');
  await page.waitForFunction(() => document.querySelector('.coder-line .coder-name')?.textContent === 'Kim Park');
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('marginalia:v1:meta')).coder), 'Kim Park');
  await page.locator('.toast', { hasText: 'The 1 annotation made as Kim now carries the name Kim Park.' }).waitFor();
  await page.locator('.editor .meta', { hasText: /Coded by Kim Park ·/ }).waitFor();
  assert.equal(await page.locator('.editor .theirs').count(), 0, 'still theirs to edit');
  // Another person coding from now on: the earlier annotations keep their coder, and open read only.
  await page.locator('.coder-line .change-coder').click();
  await page.locator('#coder-name').fill('Lee');
  assert.equal(await page.locator('label.carry input').isChecked(), false);
  await page.locator('dialog button[type="submit"]').click();
  await page.waitForFunction(() => document.querySelector('.coder-line .coder-name')?.textContent === 'Lee');
  await page.locator('.editor .meta', { hasText: /Coded by Kim Park ·/ }).waitFor();
  await page.locator('.editor .theirs', { hasText: "Kim Park's annotation" }).waitFor();

  // "Whole words" is remembered.
  await page.locator('label.snap input').check();
  await page.reload();
  await page.locator('#p12.target').waitFor();
  assert.equal(await page.locator('label.snap input').isChecked(), true);

  // A link to a paragraph the report does not have says so.
  await page.goto(`${server.url}#/report/S-2019-103/p999`);
  await page.locator('.toast', { hasText: 'S/2019/103 has no paragraph 999: its paragraphs run from 1 to' }).waitFor();

  // The codebook: giving one tag another's key says so (and Undo gives it back); moving keeps the focus.
  await page.goto(`${server.url}#/codebook`);
  assert.equal(await page.title(), 'Codebook — Marginalia');
  await page.locator('.tag-row[data-tag="prosecution"] .tag-key select').selectOption('1');
  await page.locator('.toast', { hasText: 'Key 1 now codes prosecution; threat now has key 4.' }).waitFor();
  assert.equal(await page.locator('.tag-row[data-tag="threat"] .tag-key select').inputValue(), '4', 'the keys swapped');
  await page.locator('.toast button.undo').click();
  await page.waitForFunction(() => document.querySelector('.tag-row[data-tag="threat"] .tag-key select').value === '1');
  assert.equal(await page.locator('.tag-row[data-tag="prosecution"] .tag-key select').inputValue(), '4');
  // Redo shows the keys as they are again (a choice once made by hand is not left showing the old one).
  await page.locator('h1').click();
  await page.keyboard.press('Control+y');
  await page.waitForFunction(() => document.querySelector('.tag-row[data-tag="prosecution"] .tag-key select').value === '1');
  assert.equal(await page.locator('.tag-row[data-tag="threat"] .tag-key select').inputValue(), '4');
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => document.querySelector('.tag-row[data-tag="prosecution"] .tag-key select').value === '4');
  await page.locator('.tag-row[data-tag="prosecution"] .move-up').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('.tag-row')[2].dataset.tag === 'prosecution');
  await page.waitForFunction(() => document.activeElement.matches('.tag-row[data-tag="prosecution"] .move-up'));
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('.tag-row')[1].dataset.tag === 'prosecution');
  await page.waitForFunction(() => document.activeElement.matches('.tag-row[data-tag="prosecution"] .move-up'));
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('.tag-row')[0].dataset.tag === 'prosecution');
  // At the top, pressing on does nothing (the focus stays on "up", which says it is unavailable).
  await page.waitForFunction(() => document.activeElement.matches('.tag-row[data-tag="prosecution"] .move-up[aria-disabled="true"]'));
  await page.keyboard.press('Enter');
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => document.querySelectorAll('.tag-row')[0].dataset.tag), 'prosecution');
  assert.deepEqual(errors, []);
  await context.close();
});

test('saved annotations re-anchor by their quote when offsets no longer match; the rest are kept as detached', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}#/report/S-2018-80`);
  await page.locator('.prose').waitFor();
  // Where "in terrorist attacks" is, in code points of the report's text.
  const at = await page.evaluate(() => {
    for (const p of document.querySelectorAll('.prose [data-start]')) {
      const i = p.textContent.indexOf('in terrorist attacks');
      if (i >= 0) return Number(p.dataset.start) + [...p.textContent.slice(0, i)].length;
    }
  });
  assert.ok(at > 0);
  await page.evaluate((at) => {
    const a = (id, start, end, quote, prefix = '', suffix = '') => ({ id, doc: 'S/2018/80', start, end, quote, prefix, suffix, tags: ['threat'], memo: '', coder: 'x', created: 't', updated: 't' });
    localStorage.setItem('marginalia:v1:doc:S/2018/80', JSON.stringify([
      a('moved', 3, 13, 'frustrated travellers'),
      a('lost', 20, 30, 'words that are nowhere in this report'),
      // The text changed a little under this one: "in terorist attacks" is found near its place.
      a('near', at + 1, at + 20, 'in terorist attacks'),
    ]));
  }, at);
  // One fresh start reads (and re-anchors) what was stored.
  await page.reload();
  const toast = page.locator('.toast', { hasText: 'no longer match' });
  await toast.waitFor();
  assert.match(await toast.innerText(), /The text changed under 1 annotation; it was moved to the nearest close match of its quote \(S\/2018\/80 ¶\d+\)\. Check it\./);
  await page.goto(`${server.url}#/report/S-2018-80`);
  await page.locator('.hl').first().waitFor();
  assert.equal(await page.locator('.hl').first().innerText(), 'frustrated travellers');
  assert.equal(await page.locator('.ann-list.detached li').count(), 1);
  assert.match(await page.locator('.ann-list.detached').innerText(), /nowhere in this report/);
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('marginalia:v1:doc:S/2018/80')));
  assert.equal(stored.length, 3, 'nothing dropped');
  const near = stored.find((x) => x.id === 'near');
  assert.deepEqual([near.start, near.end, near.quote], [at, at + 20, 'in terrorist attacks'], 'placed on the near match');
  assert.ok(stored.find((x) => x.id === 'moved').start > 13, 'moved to where its quote is');
  await context.close();
});

test('find in a report and across the corpus', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}#/report/S-2019-103`);
  await page.locator('.prose').waitFor();
  const expected = await page.evaluate(() => {
    const text = [...document.querySelectorAll('.prose [data-start]')].map((e) => e.textContent).join('\n');
    return (text.toLowerCase().match(/returnees/g) ?? []).length;
  });
  assert.ok(expected > 3);
  await page.keyboard.press('/');
  await page.keyboard.type('Returnees');
  await page.waitForFunction((n) => document.querySelector('.find-count').textContent === `1 of ${n}`, expected);
  assert.equal(await page.evaluate(() => CSS.highlights.get('find').size), expected);
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('.find-count').innerText(), `2 of ${expected}`);
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.press('Shift+Enter');
  assert.equal(await page.locator('.find-count').innerText(), `${expected} of ${expected}`);
  await screenshot(page, 'find');
  // Escape clears the find and leaves the box: a key pressed next is not typed into it.
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('.find input[type="search"]').inputValue(), '');
  assert.equal(await page.evaluate(() => document.activeElement.matches('.find input')), false);
  await page.keyboard.press('5');
  assert.equal(await page.locator('.find input[type="search"]').inputValue(), '');
  await page.keyboard.press('/');
  await page.keyboard.type('Returnees');
  await page.waitForFunction((n) => document.querySelector('.find-count').textContent === `1 of ${n}`, expected);

  // Tag all matches. With no name yet, the name is asked first.
  const tagAll = page.locator('.find select.tag-all');
  assert.equal(await tagAll.locator('option').first().innerText(), `Tag all ${expected} matches with…`, 'the menu says how many');
  // Looking through the menu with the arrow keys tags nothing: the Tag button does.
  await tagAll.focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  assert.equal(await tagAll.inputValue(), 'finance');
  assert.equal(await page.locator('.hl').count(), 0, 'nothing tagged by choosing');
  assert.equal(await page.locator('#coder-name').count(), 0);
  const tagAllWith = async (tag) => { await tagAll.selectOption(tag); await page.locator('.find button.tag-all-go').click(); };
  await tagAllWith('threat');
  await page.locator('#coder-name').fill('Finder');
  await page.locator('#coder-name').press('Enter');
  await tagAllWith('threat');
  const toast = page.locator('.toast.done');
  await toast.filter({ hasText: `${expected} matches of “Returnees” tagged threat.` }).waitFor();
  // The list follows a frame after the highlights.
  await page.waitForFunction((n) => document.querySelectorAll('.ann-list li').length === n, expected);
  assert.equal(await tagAll.inputValue(), '', 'the menu is ready for another tag');
  assert.equal(await page.evaluate(() => document.activeElement.matches('.find select.tag-all')), true, 'the focus stays in the menu');
  await screenshot(page, 'tag-all');
  // One Undo takes them all back.
  await toast.locator('button.undo').click();
  await page.waitForFunction(() => document.querySelectorAll('.ann-list li').length === 0);
  await tagAllWith('threat');
  await page.waitForFunction((n) => document.querySelectorAll('.ann-list li').length === n, expected);
  // Ctrl+Z from the menu itself takes them back too (a menu has no Undo of its own); Ctrl+Y redoes.
  await tagAll.focus();
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => document.querySelectorAll('.ann-list li').length === 0);
  await tagAll.focus();
  await page.keyboard.press('Control+y');
  await page.waitForFunction((n) => document.querySelectorAll('.ann-list li').length === n, expected);
  // Again: nothing to add, and it says so.
  await tagAllWith('threat');
  await page.locator('.toast', { hasText: 'Every match of “Returnees” already has threat.' }).waitFor();
  // A second tag goes on the same annotations, not new ones.
  await tagAllWith('finance');
  await page.locator('.toast', { hasText: `${expected} matches of “Returnees” tagged finance.` }).waitFor();
  await page.reload();
  await page.locator('.prose').waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('.ann-list li').length === n, expected);
  assert.equal(await page.locator('.hl[data-tags="threat finance"]').count() + await page.locator('.hl[data-tags="finance threat"]').count(), expected);

  await page.goto(server.url);
  await page.locator('.corpus-search input').fill('bitcoin');
  await page.locator('.search-results li').first().waitFor();
  assert.match(await page.locator('.search-results li').first().innerText(), /S\/2019\/103 n\. 9[\s\S]*bitcoin/i);
  await page.locator('.search-results li a').first().click();
  // A match in a footnote opens the footnote itself, marked, below the top bar.
  await page.locator('.footnotes li#fn9.target').waitFor();
  assert.match(page.url(), /#\/report\/S-2019-103\/n9$/);
  assert.match(await page.locator('#fn9').innerText(), /bitcoin/i);
  assert.equal(await page.title(), 'S/2019/103 n. 9 — Marginalia');
  // The report's find box takes the search on, with that very match marked in the note.
  assert.equal(await page.locator('.find input').inputValue(), 'bitcoin');
  await page.waitForFunction(() => {
    const h = CSS.highlights.get('find-current');
    const r = h && [...h][0];
    return r && document.querySelector('#fn9').contains(r.startContainer) && /bitcoin/i.test(r.toString());
  });
  await page.waitForFunction(() => {
    const r = document.querySelector('#fn9').getBoundingClientRect();
    return r.top >= document.querySelector('.topbar').getBoundingClientRect().bottom && r.top < innerHeight;
  });
  // Back to the corpus: the search is still there.
  await page.goBack();
  await page.locator('.search-results li').first().waitFor();
  assert.equal(await page.locator('.corpus-search input').inputValue(), 'bitcoin');
  await context.close();
});

test('a pasted text with emoji is added, tagged, reloaded and backed up with the exact characters', async () => {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(server.url);
  await page.evaluate(() => localStorage.setItem('marginalia:v1:meta', JSON.stringify({ schema: 1, coder: 'Emoji' })));
  await page.reload();
  await page.locator('details.paste summary').click();
  // Nothing pasted yet: said, in its words, and nothing is added.
  await page.locator('.paste button[type=submit]').click();
  await page.locator('.toast', { hasText: 'There is no text to add yet: paste or type it in the box first.' }).waitFor();
  assert.equal(await page.locator('dialog.add-texts').count(), 0);
  // Untitled: the text's first line is its title, to change in the preview.
  await page.locator('.paste-text').fill('\n  Interview 2, Mosul\nWe met at the market.');
  await page.locator('.paste button[type=submit]').click();
  assert.equal(await page.locator('dialog.add-texts input.text-title').inputValue(), 'Interview 2, Mosul');
  await page.locator('dialog.add-texts button', { hasText: 'Cancel' }).click();
  await page.locator('.paste-title').fill('Field notes');
  const text = 'Interview 3: the family 👩‍👩‍👧 left Baghuz 🏳️ in March; café owners said “no” 😀.\r\n\r\nSecond paragraph with 𝔸 and e\u0301.';
  await page.locator('.paste-text').fill(text);
  await page.locator('.paste button[type=submit]').click();
  await page.locator('dialog.add-texts').waitFor();
  // Cancel loses nothing: the text is still in the box, to add after all.
  await page.locator('dialog.add-texts button', { hasText: 'Cancel' }).click();
  assert.equal(await page.locator('.paste-text').inputValue(), text.replace(/\r\n/g, '\n'));
  await page.locator('.paste button[type=submit]').click();
  await page.locator('dialog.add-texts').waitFor();
  await page.locator('dialog.add-texts button', { hasText: 'Add' }).click();
  // One text added: it opens, ready to code; it is listed in the corpus too.
  await page.waitForFunction(() => location.hash === '#/report/Field-notes');
  await page.locator('article.report p[data-start]').first().waitFor();
  assert.equal(await page.locator('#report-title').innerText(), 'Field notes');
  assert.equal(await page.locator('.titleblock .symbol').textContent(), 'Your text', 'not its id');
  await page.goto(server.url);
  await page.locator('table.reports td.title a', { hasText: 'Field notes' }).click();
  await page.locator('article.report p[data-start]').first().waitFor();
  await selectText(page, 'article.report p[data-start]', '👩‍👩‍👧 left Baghuz 🏳️');
  await page.keyboard.press('3');
  await page.locator('.hl').first().waitFor();
  const shown = async () => page.evaluate(() => [...document.querySelectorAll('.hl')].map((e) => e.textContent).join(''));
  assert.equal(await shown(), '👩‍👩‍👧 left Baghuz 🏳️');
  // Its paragraphs are numbered in order, so it is cited and linked by paragraph like a report.
  assert.equal(await page.locator('.editor .cite').innerText(), 'Field notes ¶1', 'by its title');
  assert.equal(await page.locator('#p2 .pnum').innerText(), '2');
  await page.reload();
  await page.locator('.hl').first().waitFor();
  assert.equal(await shown(), '👩‍👩‍👧 left Baghuz 🏳️');
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('button.backup').click()]);
  const backup = JSON.parse((await import('node:fs')).readFileSync(await download.path(), 'utf8'));
  const a = backup.annotations[0];
  assert.equal(a.quote, '👩‍👩‍👧 left Baghuz 🏳️');
  assert.equal(backup.texts.length, 1, 'the backup carries the text itself');
  assert.equal(backup.texts[0].raw.replace(/\r\n/g, '\n'), text.replace(/\r\n/g, '\n'));
  // Offsets are code points: Python's text[start:end] gives the quote.
  const cleaned = 'Interview 3: the family 👩‍👩‍👧 left Baghuz 🏳️ in March; café owners said “no” 😀.';
  assert.equal([...cleaned].slice(a.start, a.end).join(''), a.quote);
  // Restored in a fresh browser, the text comes back with its annotation.
  const content = (await import('node:fs')).readFileSync(await download.path());
  const fresh = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const b = await fresh.newPage();
  await b.goto(server.url);
  await b.locator('table.reports').waitFor();
  await b.locator('label.restore input[type=file]').setInputFiles({ name: 'backup.json', mimeType: 'application/json', buffer: content });
  await b.locator('dialog.restore button', { hasText: 'Replace' }).click();
  await b.locator('table.reports td.title a', { hasText: 'Field notes' }).click();
  await b.locator('.hl').first().waitFor();
  assert.equal(await b.evaluate(() => [...document.querySelectorAll('.hl')].map((e) => e.textContent).join('')), '👩‍👩‍👧 left Baghuz 🏳️');
  // Its page counts its paragraphs as the table does, and lists no empty contents.
  assert.match(await b.locator('.titleblock .subtitle').innerText(), /2 paragraphs/);
  assert.equal(await b.locator('details.toc').count(), 0);
  // Open in another tab too: the removal reaches it.
  const b2 = await fresh.newPage();
  await b2.goto(b.url());
  await b2.locator('.hl').first().waitFor();
  // The text can be removed (asked first): it leaves the corpus, for good.
  await b.locator('button.remove-text').click();
  assert.match(await b.locator('dialog[open]').innerText(), /Remove “Field notes”\?[\s\S]*its 1 annotation will be removed/);
  await b.locator('dialog button', { hasText: 'Remove' }).click();
  await b.locator('.toast', { hasText: '“Field notes” was removed.' }).waitFor();
  await b2.locator('.toast', { hasText: '“Field notes” was removed in another tab.' }).waitFor();
  await b2.locator('table.reports').waitFor();
  assert.equal(await b2.locator('table.reports td.title a', { hasText: 'Field notes' }).count(), 0);
  await b2.close();
  await b.locator('table.reports').waitFor();
  assert.equal(await b.locator('table.reports td.title a', { hasText: 'Field notes' }).count(), 0);
  await b.reload();
  await b.locator('table.reports tbody tr').first().waitFor();
  assert.equal(await b.locator('table.reports td.title a', { hasText: 'Field notes' }).count(), 0);
  assert.equal(await b.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('marginalia:v1:text:')).length), 0);
  // Undo cannot bring back annotations of a text that is gone.
  await b.goto(`${server.url}#/report/S-2019-103`);
  await b.locator('.prose').waitFor();
  await b.keyboard.press('Control+z');
  await b.keyboard.press('Control+z');
  await b.waitForTimeout(200);
  const live = await b.evaluate(() => Object.entries(localStorage).filter(([k]) => k.startsWith('marginalia:v1:doc:'))
    .flatMap(([, v]) => JSON.parse(v)).filter((a) => !a.deleted).length);
  assert.equal(live, 0);
  // A backup made now has nothing of it.
  const [after] = await Promise.all([b.waitForEvent('download'), b.locator('button.backup').click()]);
  const made = JSON.parse((await import('node:fs')).readFileSync(await after.path(), 'utf8'));
  assert.deepEqual([made.documents.length, made.annotations.length, made.texts.length], [0, 0, 0]);
  await fresh.close();
  await context.close();
});

test('a Markdown file is titled by its heading, renamed, removed and brought back by Undo with its annotations', async () => {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(server.url);
  await page.evaluate(() => localStorage.setItem('marginalia:v1:meta', JSON.stringify({ schema: 1, coder: 'Ana' })));
  await page.reload();
  const md = '# Interviews in Raqqa\n\nWhat the families said.\n\n- First, the checkpoints\n- Second, the money\n  sent home\n\n> A quote from a mother\n> in two lines.\n\n| Who | Where |\n|---|---|\n| Ana | Mosul |\n\nClosing remarks.\n';
  await page.locator('label.add-files input[type=file]').setInputFiles({ name: 'ch2-draft_v3.md', mimeType: 'text/markdown', buffer: Buffer.from(md) });
  await page.locator('dialog.add-texts').waitFor();
  // The preview names it by its own heading, not its file name, and the title can be changed there.
  const field = page.locator('dialog.add-texts input.text-title');
  assert.equal(await field.inputValue(), 'Interviews in Raqqa');
  // Its first blocks as they will read, so that how it splits can be checked before adding.
  assert.deepEqual(await page.locator('dialog.add-texts ul.ctx li').allInnerTexts(),
    ['Interviews in Raqqa', 'What the families said.', 'First, the checkpoints', 'Second, the money sent home', 'A quote from a mother in two lines.', 'Who | Where']);
  assert.equal(await page.locator('dialog.add-texts p.ctx.more').innerText(), 'and 2 more blocks');
  await screenshot(page, 'own-text-preview');
  await field.fill('Raqqa interviews');
  await page.locator('dialog.add-texts button', { hasText: 'Add' }).click();
  await page.waitForFunction(() => location.hash === '#/report/ch2-draft-v3');
  await page.locator('article.report p[data-start]').first().waitFor();
  assert.equal(await page.locator('#report-title').innerText(), 'Raqqa interviews');
  // Each list item and the quote is a paragraph of its own, without its Markdown marks.
  const texts = await page.evaluate(() => [...document.querySelectorAll('article.report p[data-start]')].map((p) => p.innerText.replace(/^\d+\s*/, '').trim()));
  assert.deepEqual(texts, ['What the families said.', 'First, the checkpoints', 'Second, the money sent home', 'A quote from a mother in two lines.', 'Who | Where', 'Ana | Mosul', 'Closing remarks.']);
  // …and is set out as it was written: items with bullets (drawn, not in the text), the quote, the table's rows.
  const forms = await page.evaluate(() => [...document.querySelectorAll('article.report .para')].map((d) => [...d.classList].find((c) => c.startsWith('form-')) ?? ''));
  assert.deepEqual(forms, ['', 'form-item', 'form-item', 'form-quote', 'form-head', 'form-row', '']);
  assert.equal(await page.locator('#p2 p').evaluate((p) => getComputedStyle(p, '::before').content), '"•"');
  assert.equal(await page.locator('#p4 p').evaluate((p) => getComputedStyle(p).fontStyle), 'italic');
  await screenshot(page, 'own-text-forms');
  // Two annotations, then a rename: its paragraphs are cited by the new title, and it holds on reload.
  await page.locator('#p2 .pnum').focus();
  await page.keyboard.press('1');
  await page.waitForFunction(() => document.querySelectorAll('.ann-list li').length === 1);
  await page.keyboard.press('Escape');
  await page.locator('#p3 .pnum').focus();
  await page.keyboard.press('2');
  await page.waitForFunction(() => document.querySelectorAll('.ann-list li').length === 2);
  await page.keyboard.press('Escape');
  await page.locator('button.rename-text').click();
  const input = page.locator('dialog[open] input#text-title');
  assert.equal(await input.inputValue(), 'Raqqa interviews');
  // An empty title is refused, with why, and changes nothing.
  await input.fill('   ');
  await page.locator('dialog[open] button[type=submit]').click();
  assert.match(await page.locator('#text-title-problem').innerText(), /needs a title/);
  await input.fill('  Raqqa   interviews, 2019 ');
  await page.locator('dialog[open] button[type=submit]').click();
  await page.locator('.toast', { hasText: '“Raqqa interviews” is now “Raqqa interviews, 2019”: its paragraphs are cited as “Raqqa interviews, 2019 ¶1”.' }).waitFor();
  // Undo (the notice's, or Ctrl+Z before any other step) gives the old title back, saved; then renamed again.
  await page.keyboard.press('Control+z');
  await page.locator('.toast', { hasText: '“Raqqa interviews, 2019” is “Raqqa interviews” again.' }).waitFor();
  await page.waitForFunction(() => document.querySelector('#report-title').innerText === 'Raqqa interviews');
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('marginalia:v1:text:ch2-draft-v3')).title), 'Raqqa interviews');
  assert.equal(await page.locator('.ann-list li').count(), 2, 'the annotations are not touched');
  // Redo (Ctrl+Shift+Z, or the panel's Redo) gives it the new title again.
  assert.ok(await page.locator('section.coding .toolbar button', { hasText: 'Redo' }).isEnabled());
  await page.keyboard.press('Control+Shift+z');
  await page.locator('.toast', { hasText: '“Raqqa interviews” is now “Raqqa interviews, 2019”' }).waitFor();
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('marginalia:v1:text:ch2-draft-v3')).title), 'Raqqa interviews, 2019');
  assert.equal(await page.locator('#report-title').innerText(), 'Raqqa interviews, 2019');
  await page.locator('.ann-list li').first().click();
  assert.match(await page.locator('.editor .cite').innerText(), /^Raqqa interviews, 2019 ¶[23]$/);
  await screenshot(page, 'own-text-renamed');
  await page.reload();
  await page.locator('.hl').first().waitFor();
  assert.equal(await page.locator('#report-title').innerText(), 'Raqqa interviews, 2019');
  // After a reload there is nothing to undo; after a rename there is: the panel's Undo takes it back too.
  const undoButton = page.locator('section.coding .toolbar button', { hasText: 'Undo' });
  assert.ok(await undoButton.isDisabled());
  await page.locator('button.rename-text').click();
  await page.locator('dialog[open] input#text-title').fill('Raqqa, 2019');
  await page.locator('dialog[open] button[type=submit]').click();
  await page.waitForFunction(() => document.querySelector('#report-title').innerText === 'Raqqa, 2019');
  assert.ok(await page.locator('section.coding .toolbar button', { hasText: 'Undo' }).isEnabled());
  await page.locator('section.coding .toolbar button', { hasText: 'Undo' }).click();
  await page.waitForFunction(() => document.querySelector('#report-title').innerText === 'Raqqa interviews, 2019');
  await page.locator('section.coding .toolbar button:disabled', { hasText: 'Undo' }).waitFor();
  await page.goto(server.url);
  assert.equal(await page.locator('table.reports td.title a', { hasText: 'Raqqa interviews, 2019' }).count(), 1, 'the corpus lists it by its new title');
  // Removed, then Undo in the notice: the text comes back whole, with its annotations.
  await page.locator('table.reports td.title a', { hasText: 'Raqqa interviews, 2019' }).click();
  await page.locator('.hl').first().waitFor();
  // Its opening heading is shown while it is not the title, and not twice once it is.
  assert.ok(await page.locator('article.report h2[data-block="0"]').isVisible());
  await page.locator('button.rename-text').click();
  await page.locator('dialog[open] input#text-title').fill('Interviews in Raqqa');
  await page.locator('dialog[open] button[type=submit]').click();
  await page.waitForFunction(() => document.querySelector('#report-title').innerText === 'Interviews in Raqqa');
  assert.equal(await page.locator('article.report h2[data-block="0"]').isVisible(), false);
  assert.equal(await page.locator('article.report h2.title-echo').count(), 1);
  await page.locator('button.remove-text').click();
  assert.match(await page.locator('dialog[open]').innerText(), /its 2 annotations will be removed[\s\S]*Undo brings them back/);
  await page.locator('dialog[open] button', { hasText: 'Remove' }).click();
  await page.locator('.toast', { hasText: '“Interviews in Raqqa” was removed.' }).waitFor();
  await page.locator('table.reports').waitFor();
  assert.equal(await page.locator('table.reports td.title a', { hasText: 'Raqqa' }).count(), 0);
  await page.locator('.toast button.undo').click();
  await page.locator('.toast', { hasText: '“Interviews in Raqqa” is back, with its 2 annotations.' }).waitFor();
  await page.waitForFunction(() => location.hash === '#/report/ch2-draft-v3');
  await page.waitForFunction(() => document.querySelectorAll('.ann-list li').length === 2);
  // Removed again, then Ctrl+Z: the same, and it is all saved (a reload keeps it).
  await page.locator('button.remove-text').click();
  await page.locator('dialog[open] button', { hasText: 'Remove' }).click();
  await page.locator('table.reports').waitFor();
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => location.hash === '#/report/ch2-draft-v3');
  await page.waitForFunction(() => document.querySelectorAll('.ann-list li').length === 2);
  // Redo removes it again (the panel's Redo is enabled for it); Undo brings it back again.
  assert.ok(await page.locator('section.coding .toolbar button', { hasText: 'Redo' }).isEnabled());
  await page.keyboard.press('Control+Shift+z');
  await page.locator('.toast', { hasText: '“Interviews in Raqqa” was removed.' }).waitFor();
  await page.waitForFunction(() => location.hash === '#/');
  assert.equal(await page.evaluate(() => localStorage.getItem('marginalia:v1:text:ch2-draft-v3')), null);
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => location.hash === '#/report/ch2-draft-v3');
  await page.waitForFunction(() => document.querySelectorAll('.ann-list li').length === 2);
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll('.ann-list li').length === 2);
  assert.equal(await page.locator('#report-title').innerText(), 'Interviews in Raqqa');
  // Removed and reloaded: gone for good, Undo has nothing to bring back.
  await page.locator('button.remove-text').click();
  await page.locator('dialog[open] button', { hasText: 'Remove' }).click();
  await page.locator('table.reports').waitFor();
  await page.reload();
  await page.locator('table.reports tbody tr').first().waitFor();
  await page.keyboard.press('Control+z');
  await page.waitForTimeout(300);
  assert.equal(await page.locator('table.reports td.title a', { hasText: 'Raqqa' }).count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('agreement: two coders compared tag by tag, everyone against the key, where they differ; the address holds the pair', async () => {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  const codeAs = async (coder, codes) => {
    await page.goto(`${server.url}#/report/S-2019-103/p12`);
    await page.evaluate((c) => localStorage.setItem('marginalia:v1:meta', JSON.stringify({ schema: 1, coder: c })), coder);
    await page.reload();
    await page.locator('#p12.target').waitFor();
    for (const [p, key] of codes) {
      const before = await page.locator('.ann-list li').count();
      await page.locator(`#p${p} .pnum`).focus();
      await page.keyboard.press(key);
      await page.waitForFunction((n) => document.querySelectorAll('.ann-list li').length > n, before);
      await page.keyboard.press('Escape');
    }
  };
  await page.goto(`${server.url}#/agreement`);
  await page.locator('.agreement-view .empty', { hasText: 'Nothing is coded yet' }).waitFor();
  // The key: ¶12 finance, ¶13 threat. Two students: one agrees on ¶12 only, one on both.
  await codeAs('Key', [[12, '2'], [13, '1']]);
  await page.goto(`${server.url}#/agreement`);
  await page.locator('.agreement-view .empty', { hasText: 'Only one coder' }).waitFor();
  await codeAs('Ana', [[12, '2'], [14, '1']]);
  await codeAs('Bo', [[12, '2'], [13, '1']]);
  // The class at a glance, in the margin: how many of the text's coders coded each paragraph, and who.
  await page.locator('#p12 .para-coders', { hasText: '3/3' }).waitFor();
  assert.equal(await page.locator('#p12 .para-coders').getAttribute('title'), 'Coded by 3 of the 3 coders of this text: Ana, Bo, Key');
  assert.equal(await page.locator('#p13 .para-coders').innerText(), '2/3');
  assert.equal(await page.locator('#p14 .para-coders').innerText(), '1/3');
  assert.equal(await page.locator('#p15 .para-coders').count(), 0, 'no one coded ¶15');
  await screenshot(page, 'class-in-the-margin');
  // Beside Show, the class side by side over this text: the Agreement page, its view open.
  await page.locator('a.side-by-side-link').click();
  await page.waitForFunction(() => location.hash === '#/agreement?in=S-2019-103');
  await page.locator('details.side-by-side[open] .sbs-grid').waitFor();
  assert.equal(await page.locator('details.side-by-side > summary').innerText(), 'Side by side: S/2019/103, 3 coders, 3 paragraphs coded');
  assert.equal(await page.locator('details.sbs-block').nth(2).locator('summary').innerText(), 'S/2019/103 ¶14 · coded by 1 of 3');
  await page.goto(`${server.url}#/agreement?a=Key&b=Ana`);
  await page.locator('table.agreement').first().waitFor();
  const cells = async (row) => page.locator('table.agreement').first().locator('tbody tr', { hasText: row }).locator('td').allInnerTexts();
  // Finance: both gave ¶12 → full agreement; threat: Key ¶13, Ana ¶14 → none in common.
  assert.deepEqual((await cells('finance')).slice(0, 3), ['1', '1', '1']);
  assert.equal((await cells('finance'))[4], '1.00', 'kappa');
  assert.match((await cells('threat'))[3], /^\d+\.\d%$/, 'percent agreement');
  assert.deepEqual((await cells('threat')).slice(0, 3), ['1', '1', '0']);
  assert.equal((await cells('finance'))[5], '1.00', 'alpha');
  assert.equal((await cells('threat'))[6], '0.00', 'F1');
  // Where they differ: ¶13 only Key, ¶14 only Ana, each linking to its paragraph.
  const differ = await page.locator('ol.differ li').allInnerTexts();
  assert.deepEqual(differ.map((t) => t.replace(/\s+/g, ' ')), ['S/2019/103 ¶13 · threat — only Key', 'S/2019/103 ¶14 · threat — only Ana']);
  // Everyone against the key: Bo agrees fully, Ana in part.
  const cls = page.locator('table.class-table');
  assert.equal(await cls.locator('tbody tr', { hasText: 'Bo' }).locator('td').nth(1).innerText(), '1.00', 'F1 of Bo against the key, first');
  assert.equal(await cls.locator('tbody tr', { hasText: 'Ana' }).locator('td').nth(1).innerText(), '0.50', 'F1 of Ana against the key');
  // All three coders: Krippendorff's alpha per tag; finance agreed by all, threat not.
  const alphaOf = async (row, col = 0) => page.locator('table.alpha-table tbody tr', { hasText: row }).locator('td').nth(col).innerText();
  assert.equal(await page.locator('h2', { hasText: 'All 3 coders' }).count(), 1);
  assert.equal(await alphaOf('finance'), '1.00');
  // Beside it, the students without the key: Ana and Bo agree on finance, not on threat.
  assert.equal(await page.locator('table.alpha-table th', { hasText: 'Without Key' }).count(), 1);
  assert.equal(await alphaOf('finance', 1), '1.00');
  assert.ok(Number(await alphaOf('threat', 1)) < 0.5, 'Ana (¶14) and Bo (¶13) differ on threat');
  const threatAlpha = Number(await alphaOf('threat'));
  assert.ok(threatAlpha > 0 && threatAlpha < 1, `threat: two of three agree on ¶13: ${threatAlpha}`);
  const [alphaDownload] = await Promise.all([page.waitForEvent('download'), page.locator('.alpha-csv').click()]);
  const alphaCsv = (await import('node:fs')).readFileSync(await alphaDownload.path(), 'utf8').trim().split('\r\n');
  assert.equal(alphaCsv[0], 'coders,tag,units,alpha,over,with_sub_codes,tag_id');
  assert.match(alphaDownload.suggestedFilename(), /^marginalia-alpha-\d{4}-\d{2}-\d{2}\.csv$/);
  assert.match(alphaCsv.find((r) => r.includes(',finance,')), /^Ana; Bo; Key,finance,\d+,1\.000,every text coded,false,finance$/);
  // Its pooled row counts units as the pairwise CSV's does: each unit once per tag.
  const allRows = alphaCsv.filter((r) => r.startsWith('Ana; Bo; Key,'));
  const unitsOf = (row) => Number(allRows.find((r) => r.includes(row)).split(',')[2]);
  assert.equal(unitsOf(',(all tags),'), unitsOf(',finance,') * (allRows.length - 1));
  // Then, as on the page, the class without its key: Ana and Bo differ on threat.
  const without = alphaCsv.filter((r) => r.startsWith('Ana; Bo,'));
  assert.equal(without.length, allRows.length, alphaCsv.join('\n'));
  assert.equal(Number(without.find((r) => r.includes(',threat,')).split(',')[3]).toFixed(2), await alphaOf('threat', 1));
  assert.equal(alphaCsv.length, 1 + 2 * allRows.length);
  // What the measures mean, in words, folded under the first table.
  await page.locator('details.measures-help summary').click();
  assert.deepEqual(await page.locator('details.measures-help dt').allInnerTexts(),
    ['F1', "κ (Cohen's kappa)", "α (Krippendorff's alpha)", '% agreement', 'Overlap', 'Exact spans', '¶ × tags coded']);
  assert.ok(await page.locator('details.measures-help dd').first().isVisible());
  // The class against the key, as a gradebook.
  const [classDownload] = await Promise.all([page.waitForEvent('download'), page.locator('.class-csv').click()]);
  assert.match(classDownload.suggestedFilename(), /^marginalia-against-Key-\d{4}-\d{2}-\d{2}\.csv$/);
  const gradebook = (await import('node:fs')).readFileSync(await classDownload.path(), 'utf8');
  assert.ok(gradebook.startsWith('\ufeffkey,'), 'a byte order mark first, for Excel');
  const grades = gradebook.trim().split('\r\n');
  assert.equal(grades[0], 'key,coder,units,units_coded,both,only_key,only_coder,f1,precision,recall,kappa,alpha,percent_agreement,char_overlap,exact_span_f1,over,with_sub_codes,note');
  const grade = (who, col) => grades.find((r) => r.startsWith(`Key,${who},`)).split(',')[grades[0].split(',').indexOf(col)];
  for (const col of ['f1', 'precision', 'recall', 'kappa', 'alpha', 'percent_agreement', 'char_overlap', 'exact_span_f1']) {
    assert.equal(grade('Bo', col), '1.000', `Bo's ${col}`);
  }
  assert.deepEqual(['f1', 'exact_span_f1'].map((c) => grade('Ana', c)), ['0.500', '0.500'], "Ana's F1, exact spans");
  // With several coders, each segment says whose it is, and one coder's can be asked for.
  await page.goto(`${server.url}#/segments`);
  await page.locator('ol.segments li').first().waitFor();
  assert.deepEqual([...new Set(await page.locator('ol.segments .seg-coder').allInnerTexts())].sort(), ['Ana', 'Bo', 'Key']);
  await page.locator('select.seg-coder-select').selectOption({ label: 'Bo' });
  await page.waitForFunction(() => location.hash === '#/segments?by=Bo');
  await page.waitForFunction(() => document.querySelectorAll('ol.segments li').length === 2);
  assert.equal(await page.locator('select.seg-coder-select').inputValue(), '=Bo', 'the choice says whose');
  // In the address, any case; a coder who is not here is said.
  await page.goto(`${server.url}#/segments?by=ana`);
  await page.waitForFunction(() => document.querySelectorAll('ol.segments li').length === 2);
  await page.goto(`${server.url}#/segments?by=Zed`);
  await page.locator('.seg-missing', { hasText: 'coder Zed' }).waitFor();
  await page.goto(`${server.url}#/agreement?a=Key&b=Ana`);
  await page.locator('table.agreement').first().waitFor();
  // The same coder as A and B is no comparison: it says so.
  await page.goto(`${server.url}#/agreement?a=Key&b=Key`);
  await page.locator('.same-coder', { hasText: 'A and B are both Key' }).waitFor();
  assert.equal(await page.locator('table.agreement').count(), 0);
  await page.goto(`${server.url}#/agreement?a=Key&b=Ana`);
  await page.locator('table.agreement').first().waitFor();
  // Choosing as A the coder who is B: the two change places (never A against A).
  await page.locator('select.coder-a').selectOption('Ana');
  await page.waitForFunction(() => location.hash === '#/agreement?a=Ana&b=Key');
  await page.locator('table.agreement').first().waitFor();
  await page.locator('select.coder-b').selectOption('Ana');
  await page.waitForFunction(() => location.hash === '#/agreement?a=Key&b=Ana');
  // Choosing B changes the address; a reload keeps it.
  await page.locator('select.coder-b').selectOption('Bo');
  await page.waitForFunction(() => location.hash === '#/agreement?a=Key&b=Bo');
  await page.reload();
  await page.locator('ol.differ').waitFor({ state: 'attached' });
  assert.equal(await page.locator('ol.differ li').count(), 0, 'Bo and the key agree everywhere');
  // The numbers go to R or pandas as CSV.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('.agreement-csv').click()]);
  assert.match(download.suggestedFilename(), /^marginalia-agreement-Key-Bo-\d{4}-\d{2}-\d{2}\.csv$/, 'the pair in the name');
  const csv = (await import('node:fs')).readFileSync(await download.path(), 'utf8').trim().split('\r\n');
  assert.ok(csv[0].startsWith('coder_a,coder_b,tag,units,both,only_a,only_b,neither,percent_agreement,kappa'));
  assert.match(csv.at(-1), /^Key,Bo,\(all tags\),\d+,2,0,0,\d+,1\.000,1\.000,1\.000,1\.000,1\.000,1\.000,1\.000,1\.000,every text coded,false,$/, 'each row says what it was measured over');
  // Over the exercise's paragraphs only, ¶12–13: Ana's ¶14 is outside it and no longer counts.
  await page.goto(`${server.url}#/agreement?a=Key&b=Ana`);
  await page.locator('table.agreement').first().waitFor();
  await page.locator('select.scope-text').selectOption('S-2019-103');
  await page.locator('input.scope-from').fill('12');
  await page.locator('input.scope-from').press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'scope-to', 'the focus goes on to the other end');
  await page.keyboard.type('13');
  await page.keyboard.press('Tab');
  await page.waitForFunction(() => location.hash === '#/agreement?a=Key&b=Ana&in=S-2019-103&p=12-13');
  await page.locator('.count-line', { hasText: 'Over 2 units: the paragraphs of S/2019/103 ¶12–13.' }).waitFor();
  assert.deepEqual((await cells('threat')).slice(0, 3), ['1', '0', '0'], 'threat: the key alone, on ¶13');
  await page.locator('.count-line', { hasText: 'Over 2 paragraphs of S/2019/103 ¶12–13. At 0.80' }).waitFor();
  assert.deepEqual((await page.locator('ol.differ li').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ')), ['S/2019/103 ¶13 · threat — only Key']);
  // The top bar's link comes back to this pair and passage, from another page and the next day.
  await page.locator('nav a', { hasText: 'Corpus' }).click();
  await page.locator('table.reports').waitFor();
  await page.locator('nav a', { hasText: 'Agreement' }).click();
  await page.waitForFunction(() => location.hash === '#/agreement?a=Key&b=Ana&in=S-2019-103&p=12-13');
  const nextDay = await context.newPage();
  await nextDay.goto(server.url);
  await nextDay.locator('nav a', { hasText: 'Agreement' }).click();
  await nextDay.waitForFunction(() => location.hash === '#/agreement?a=Key&b=Ana&in=S-2019-103&p=12-13');
  await nextDay.close();
  // One's own name corrected here ("Bo" codes now): what is coded next goes under the new name too.
  await page.locator('details.coders-here summary').click();
  await page.locator('details.coders-here li[data-coder="Bo"] .rename-start').click();
  await page.waitForFunction(() => document.activeElement?.matches('.rename-coder input'));
  await page.keyboard.press('Control+a');
  await page.keyboard.type('Bo Smith');
  await page.keyboard.press('Enter');
  await page.locator('.toast', { hasText: 'The 2 annotations of Bo now carry the name Bo Smith. You code as Bo Smith now.' }).waitFor();
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('marginalia:v1:meta')).coder), 'Bo Smith');
  // Undo takes the name one codes under back too, and Redo brings it again.
  await page.locator('.toast button.undo').click();
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('marginalia:v1:meta')).coder === 'Bo');
  await page.keyboard.press('Control+Shift+z');
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('marginalia:v1:meta')).coder === 'Bo Smith');
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('marginalia:v1:meta')).coder === 'Bo');
  // A teacher who wrote the handout's task ("¶12–13 of S/2019/103") is offered its passage in one click.
  await page.goto(`${server.url}#/agreement?a=Key&b=Ana`);
  await page.locator('table.agreement').first().waitFor();
  await page.evaluate(() => {
    const m = JSON.parse(localStorage.getItem('marginalia:v1:meta'));
    localStorage.setItem('marginalia:v1:meta', JSON.stringify({ ...m, handout_task: 'Code ¶12–13 of S/2019/103 with the tags below.' }));
  });
  await page.reload();
  assert.match(await page.locator('p.task-offer').innerText(), /^The handout's task names ¶12–13 of S\/2019\/103: over every text coded, paragraphs no one was asked to code count as agreement\./);
  await screenshot(page, 'agreement-task-offer');
  // Opened for the first time (no address remembered) with a task: over the task's passage at once.
  await page.evaluate(() => {
    const m = JSON.parse(localStorage.getItem('marginalia:v1:meta'));
    localStorage.setItem('marginalia:v1:meta', JSON.stringify({ ...m, agreement: '' }));
  });
  await page.goto(`${server.url}#/`);
  await page.reload();
  await page.locator('nav a', { hasText: 'Agreement' }).click();
  await page.waitForFunction(() => location.hash === '#/agreement?in=S-2019-103&p=12-13');
  await page.locator('.count-line', { hasText: 'Over 2 paragraphs of S/2019/103 ¶12–13.' }).first().waitFor();
  await page.goto(`${server.url}#/agreement?a=Key&b=Ana`);
  await page.locator('p.task-offer').waitFor();
  await page.locator('button.task-passage', { hasText: "Over the task's passage: ¶12–13 of S/2019/103" }).click();
  await page.waitForFunction(() => location.hash === '#/agreement?a=Key&b=Ana&in=S-2019-103&p=12-13');
  assert.equal(await page.locator('p.task-offer').isVisible(), false, 'offered while not taken');
  await page.locator('.count-line', { hasText: 'Over 2 paragraphs of S/2019/103 ¶12–13.' }).first().waitFor();
  // The passage is in the files' names too.
  const [passageCsv] = await Promise.all([page.waitForEvent('download'), page.locator('.class-csv').click()]);
  assert.match(passageCsv.suggestedFilename(), /^marginalia-against-Key-S-2019-103-p12-13-\d{4}-\d{2}-\d{2}\.csv$/);
  // Ana's ¶14 is outside the passage: not scored, and said, on the page and in her gradebook row.
  assert.equal(await page.locator('p.outside-passage').innerText(), "Not scored, outside S/2019/103 ¶12–13: Ana's 1 annotation (S/2019/103 ¶14).");
  const passageGrades = (await import('node:fs')).readFileSync(await passageCsv.path(), 'utf8').trim().split('\r\n');
  assert.match(passageGrades.find((r) => r.startsWith('Key,Ana,')), /,"1 annotation outside the passage, not scored: S\/2019\/103 ¶14"$/);
  assert.match(passageGrades.find((r) => r.startsWith('Key,Bo,')), /,$/, 'Bo coded only in the passage');
  // The gradebook's links keep the passage, and a reload keeps it.
  assert.match(await page.locator('table.class-table a', { hasText: 'Bo' }).getAttribute('href'), /&in=S-2019-103&p=12-13$/);
  await page.reload();
  await page.locator('.count-line', { hasText: 'Over 2 units: the paragraphs of S/2019/103 ¶12–13' }).waitFor();
  assert.equal(await page.locator('input.scope-to').inputValue(), '13');
  // A bare address (a bookmark) opens what was chosen last, as the top bar's link does.
  const last = await page.evaluate(() => location.hash);
  await page.goto(`${server.url}#/`);
  await page.goto(`${server.url}#/agreement`);
  await page.waitForFunction((h) => location.hash === h, last);
  await page.locator('.count-line', { hasText: 'Over 2 units: the paragraphs of S/2019/103 ¶12–13' }).waitFor();
  await screenshot(page, 'agreement-passage');
  // The passage side by side: a grid of what each coder (A, B, then the others) gave in each coded
  // paragraph, marked where not as A; below, each paragraph's text coder by coder.
  await page.locator('details.side-by-side summary').first().click();
  assert.equal(await page.locator('details.side-by-side > summary').innerText(), 'Side by side: S/2019/103 ¶12–13, 3 coders, 2 paragraphs coded');
  const grid = await page.evaluate(() => [...document.querySelectorAll('.sbs-grid tr')].map((r) => [...r.children].map((c) => (c.classList.contains('differs') ? '≠ ' : '') + c.innerText.replace(/\s+/g, ' ').trim())));
  assert.deepEqual(grid, [
    ['Coder', '¶12', '¶13'],
    ['Key (A)', 'finance', 'threat'],
    ['Ana', 'finance', '≠ — (not as A)'],
    ['Bo', 'finance', 'threat'],
  ]);
  assert.equal(await page.locator('.sbs-grid thead a').nth(1).getAttribute('href'), '#/report/S-2019-103/p13');
  await page.locator('details.sbs-block').nth(1).locator('summary').click();
  const sideBySide = await page.evaluate(() => [...document.querySelectorAll('details.sbs-block[open]')].map((s) => [
    s.querySelector('summary').innerText,
    [...s.querySelectorAll('.sbs-row')].map((r) => [r.querySelector('strong').innerText, r.querySelector('.sbs-tags').innerText, r.querySelector('.sbs-also')?.innerText ?? '', r.querySelectorAll('.hl').length > 0]),
    s.querySelector('.sbs-nothing')?.innerText,
  ]));
  // Bo's coding is the key's exactly: named on the key's row; Ana, who coded nothing there, last.
  assert.deepEqual(sideBySide, [
    ['S/2019/103 ¶13 · coded by 2 of 3', [['Key', 'threat', 'the same: Bo', true]], 'Nothing coded here: Ana'],
  ]);
  // Highlighted in the tag's colour, as in the report.
  const tint = await page.locator('details.sbs-block[open] .sbs-row .hl').first().evaluate((e) => getComputedStyle(e).backgroundColor);
  assert.notEqual(tint, 'rgba(0, 0, 0, 0)');
  await page.locator('details.side-by-side').scrollIntoViewIfNeeded();
  await screenshot(page, 'agreement-side-by-side');
  // Feedback to hand back: a page for each student, their coding beside the key's, in a zip.
  const [feedback] = await Promise.all([page.waitForEvent('download'), page.locator('button.feedback-zip').click()]);
  assert.match(feedback.suggestedFilename(), /^marginalia-feedback-Key-S-2019-103-p12-13-\d{4}-\d{2}-\d{2}\.zip$/);
  const pages = JSON.parse((await import('node:child_process')).execFileSync('python3', ['-c',
    'import json,sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); print(json.dumps({n: z.read(n).decode() for n in z.namelist()}))', await feedback.path()]).toString());
  assert.deepEqual(Object.keys(pages), ['Ana.html', 'Bo.html']);
  assert.match(pages['Ana.html'], /<h1>Ana: your coding of S\/2019\/103 ¶12–13<\/h1>/);
  assert.match(pages['Ana.html'], /Against Key's coding \(the key\): <strong>F1 [\d.]+<\/strong> · precision [\d.—]+ · recall [\d.]+\./);
  assert.doesNotMatch(pages['Ana.html'], /<script|<a /);
  const sheet = await context.newPage();
  await sheet.setContent(pages['Ana.html']);
  assert.equal(await sheet.locator('details.sbs-block[open]').count(), 2, 'every paragraph open, to read on paper too');
  await screenshot(sheet, 'feedback-page');
  await sheet.close();
  // Only where someone differs from A: ¶12 (all gave finance) goes; the view stays open.
  await page.locator('input.sbs-only-differences').check();
  await page.locator('details.side-by-side > summary', { hasText: '1 of 2 coded paragraphs where someone differs from A' }).waitFor();
  assert.deepEqual(await page.locator('.sbs-grid thead th').allInnerTexts(), ['Coder', '¶13']);
  assert.equal(await page.locator('details.side-by-side').getAttribute('open'), '', 'still open');
  assert.equal(await page.locator('details.sbs-block').count(), 1);
  await page.locator('input.sbs-only-differences').uncheck();
  await page.locator('details.side-by-side > summary', { hasText: '2 paragraphs coded' }).waitFor();
  // An end clicked and typed into is replaced, not appended to; one end alone is one
  // paragraph (the other shows empty); past the text's end is its last paragraph.
  await page.locator('input.scope-to').click();
  await page.keyboard.type('14');
  await page.keyboard.press('Tab');
  await page.waitForFunction(() => location.hash.endsWith('&p=12-14'));
  await page.locator('input.scope-to').fill('');
  await page.locator('input.scope-to').press('Tab');
  await page.waitForFunction(() => location.hash.endsWith('&p=12'));
  assert.equal(await page.locator('input.scope-to').inputValue(), '');
  await page.locator('input.scope-to').click();
  await page.keyboard.type('999');
  await page.keyboard.press('Tab');
  await page.waitForFunction(() => location.hash.endsWith('&p=12-100'));
  // Only the texts each coder coded (coders who shared out the texts): a text the key
  // alone coded no longer counts.
  await page.evaluate(() => localStorage.setItem('marginalia:v1:doc:S/2018/80', JSON.stringify([
    { id: 'key-80', doc: 'S/2018/80', start: 0, end: 5, quote: '', tags: ['threat'], memo: '', coder: 'Key', created: 't', updated: 't' }])));
  await page.goto(`${server.url}#/agreement?a=Key&b=Ana`);
  await page.reload();
  const units = async () => Number((await page.locator('.count-line').first().innerText()).match(/Over (\d+) units/)[1]);
  await page.locator('table.agreement').first().waitFor();
  const all = await units();
  // Over every text coded, that the two did not code the same texts is said, with the way out.
  assert.match(await page.locator('.scope-uneven').innerText(), /^Key coded a text that Ana did not \(S\/2018\/80\)\. Over every text coded/);
  await page.locator('.scope-uneven button.each-coded').click();
  await page.locator('.count-line', { hasText: 'the paragraphs of the texts coded by each of the coders compared' }).first().waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main', 'the focus stays on the page');
  assert.equal(await page.locator('.scope-uneven').count(), 0);
  assert.equal(await page.locator('select.scope-text').inputValue(), '*');
  assert.ok(await units() < all, `fewer units: ${await units()} < ${all}`);
  assert.ok(await page.locator('.scope-range').isHidden(), 'no paragraph range for several texts');
  assert.match(page.url(), /&in=(\*|%2A)$/);
  await page.evaluate(() => localStorage.removeItem('marginalia:v1:doc:S/2018/80'));
  // A range with no paragraph says so, and compares every text coded.
  await page.goto(`${server.url}#/agreement?a=Key&b=Ana&in=S-2019-103&p=900-901`);
  await page.locator('.scope-problem', { hasText: 'S/2019/103 has no paragraph in that range' }).waitFor();
  await page.locator('.count-line', { hasText: 'the paragraphs of the texts either coded' }).waitFor();
  // A link from a disagreement opens its paragraph.
  await page.goto(`${server.url}#/agreement?a=Key&b=Ana`);
  await page.locator('ol.differ li a').first().click();
  await page.locator('#p13.target').waitFor();
  await screenshot(page, 'agreement');
  // A coder who gives ¶12 finance too, but only a phrase of it: the paragraph agrees, the
  // spans do not, and the list says so with how much text each gave the tag.
  await page.evaluate(() => localStorage.setItem('marginalia:v1:meta', JSON.stringify({ schema: 1, coder: 'Cy' })));
  await page.goto(`${server.url}#/report/S-2019-103/p12`);
  await page.reload();
  await page.locator('#p12.target').waitFor();
  const listed = await page.locator('.ann-list li').count();
  await selectText(page, '#p12 > p', 'financial reserves');
  await page.keyboard.press('2');
  await page.waitForFunction((n) => document.querySelectorAll('.ann-list li').length > n, listed);
  await page.goto(`${server.url}#/agreement?a=Key&b=Cy`);
  await page.locator('ol.differ li').first().waitFor();
  const spans = (await page.locator('ol.differ li').allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
  assert.ok(spans.some((t) => /^S\/2019\/103 ¶12 · finance — both; Cy's text \(18 characters\) lies within Key's \([\d,]+ characters\)$/.test(t)), spans.join(' | '));
  assert.equal((await cells('finance'))[4], '1.00', 'by paragraph they agree');
  assert.equal((await cells('finance'))[8], '0.00', 'no span is the same');
  await screenshot(page, 'agreement-spans');
  // Cy opens Key's annotation of ¶12 and gives it a tag: Key's stays as it was, and the
  // tag goes on an annotation of Cy's own of the same text.
  await page.goto(`${server.url}#/report/S-2019-103/p12`);
  await page.locator('#p12.target').waitFor();
  const keys = await page.evaluate(() => JSON.parse(localStorage.getItem('marginalia:v1:doc:S/2019/103')).filter((a) => a.coder === 'Key' && !a.deleted && a.tags.includes('finance')));
  assert.equal(keys.length, 1);
  await page.locator(`.ann-list button[data-id="${keys[0].id}"]`).click();
  await page.locator('.editor .theirs', { hasText: "Key's annotation" }).waitFor();
  // Everyone's work shown: who else coded this text, and with what.
  assert.match(await page.locator('.editor .others-here').innerText(), /^Also coded here by \d+ other coders?: (.+; )?Cy \(finance\)(; .+)?\.$/);
  assert.equal(await page.locator('.editor textarea.memo').evaluate((t) => t.readOnly), true);
  // Read, not written: no box to type in.
  assert.deepEqual(await page.locator('.editor textarea.memo').evaluate((t) => [getComputedStyle(t).borderTopColor, getComputedStyle(t).resize]), ['rgba(0, 0, 0, 0)', 'none']);
  // Its span cannot be moved, nor can it be deleted (the key says why).
  assert.equal(await page.locator('.editor .range').isVisible(), false);
  assert.equal(await page.locator('.editor button', { hasText: 'Delete' }).count(), 0);
  await page.locator('.editor .cite').click();
  await page.keyboard.press('Delete');
  await page.locator('.toast', { hasText: "That annotation is Key's: it stays as they made it." }).waitFor();
  assert.equal(await page.evaluate((id) => JSON.parse(localStorage.getItem('marginalia:v1:doc:S/2019/103')).find((a) => a.id === id).deleted ?? false, keys[0].id), false);
  await page.locator('.editor .tagbtn[data-tag="threat"]').click();
  await page.locator('.toast', { hasText: "That annotation is Key's, so threat went on an annotation of your own of the same text." }).waitFor();
  // Storage is written right after the paint: wait for it.
  await page.waitForFunction(([s, e]) => JSON.parse(localStorage.getItem('marginalia:v1:doc:S/2019/103'))
    .some((a) => a.coder === 'Cy' && a.start === s && a.end === e && !a.deleted), [keys[0].start, keys[0].end]);
  const after = await page.evaluate(() => JSON.parse(localStorage.getItem('marginalia:v1:doc:S/2019/103')).filter((a) => !a.deleted));
  assert.deepEqual(after.find((a) => a.id === keys[0].id).tags, ['finance'], "Key's annotation is unchanged");
  const mine = after.find((a) => a.coder === 'Cy' && a.start === keys[0].start && a.end === keys[0].end);
  assert.ok(mine && mine.tags.includes('threat'), 'Cy has an annotation of the same text with the tag');
  // One coder at a time over the text (a teacher going through a class): only Bo's.
  await page.keyboard.press('Escape');
  const bos = after.filter((a) => a.coder === 'Bo').map((a) => a.id).sort();
  // Everyone's: each row of the list says whose it is.
  const whose = await page.locator('.ann-list li').evaluateAll((lis) => lis.map((li) => li.querySelector('.ann-coder')?.textContent));
  assert.deepEqual([...new Set(whose)].sort(), [...new Set(after.map((a) => a.coder))].sort());
  await page.locator('.show-coder select').selectOption({ label: `only Bo's (${bos.length})` });
  await page.waitForFunction((n) => document.querySelectorAll('.ann-list li').length === n, bos.length);
  assert.equal(await page.locator('.ann-list .ann-coder').count(), 0, "one coder's list names no coder");
  const shown = await page.evaluate(() => [...new Set([...document.querySelectorAll('.prose .hl')].flatMap((e) => e.dataset.ids.split(' ')))].sort());
  assert.deepEqual(shown, bos);
  // A reload keeps it (blind coding stays blind).
  await page.reload();
  await page.waitForFunction((n) => document.querySelectorAll('.ann-list li').length === n, bos.length);
  assert.match(await page.locator('.show-coder select option:checked').innerText(), /^only Bo's/);
  // Only Bo's shown: an annotation of his says nothing of the others' coding.
  await page.locator(`.ann-list button[data-id="${bos[0]}"]`).click();
  await page.locator('.editor').waitFor();
  assert.equal(await page.locator('.editor .others-here').count(), 0, 'blind coding stays blind');
  await page.keyboard.press('Escape');
  // Coding something new shows everyone's again, so that it is seen.
  await selectText(page, '#p12 > p', 'fewer liabilities');
  await page.keyboard.press('3');
  await page.locator('.hl[data-tags~="repatriation"]', { hasText: 'fewer liabilities' }).waitFor();
  assert.match(await page.locator('.show-coder select option:checked').innerText(), /^everyone's/);
  // Co-occurrence as QDA tools count it: Cy's threat (all of ¶12) overlaps Cy's finance
  // ("financial reserves"), though no one annotation of Cy's has both tags.
  await page.goto(`${server.url}#/segments?tags=finance,threat&match=all&by=Cy`);
  await page.locator('.seg-summary .count-line', { hasText: '0 segments' }).waitFor();
  await page.locator('.filters .match input[value="overlap"]').check();
  await page.waitForFunction(() => location.hash === '#/segments?tags=finance,threat&match=overlap&by=Cy');
  await page.locator('.seg-summary .count-line', { hasText: /^2 segments where threat and finance codings overlap$/ }).waitFor();
  assert.equal(await page.locator('.seg-export').isDisabled(), true, 'an overlap is a view, not an export');
  assert.match(await page.locator('.seg-export-why').innerText(), /^Overlapping codings are a view, not an export: Copy all takes them/);
  // The co-occurrence table of the chosen tags, Cy's, counted again here from what is stored:
  // annotations with the row's tag that overlap one of Cy's with the column's tag.
  await page.locator('.cooc-details summary').click();
  // Counted once the table is open.
  await page.locator('table.cooc tbody tr').first().waitFor();
  const table = await page.locator('table.cooc tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
  const expected = await page.evaluate(() => {
    const mine = Object.keys(localStorage).filter((k) => k.startsWith('marginalia:v1:doc:'))
      .map((k) => JSON.parse(localStorage.getItem(k)).filter((a) => !a.deleted && a.coder === 'Cy' && a.start < a.end));
    const cell = (r, c) => mine.reduce((n, doc) => n + doc.filter((a) => a.tags.includes(r)
      && doc.some((b) => b.tags.includes(c) && b.start < a.end && b.end > a.start)).length, 0);
    return ['threat', 'finance'].map((r) => [r, ...['threat', 'finance'].map((c) => String(cell(r, c)))]);
  });
  assert.deepEqual(table, expected);
  assert.ok(Number(table[0][2]) > 0, "Cy's threat overlaps Cy's finance");
  const [coocDownload] = await Promise.all([page.waitForEvent('download'), page.locator('.cooc-csv').click()]);
  assert.match(coocDownload.suggestedFilename(), /^marginalia-cooccurrence-\d{4}-\d{2}-\d{2}\.csv$/);
  const coocCsv = (await import('node:fs')).readFileSync(await coocDownload.path(), 'utf8').trim().split('\r\n');
  assert.deepEqual(coocCsv, ['tag,threat,finance', ...expected.map((r) => r.join(','))]);
  await screenshot(page, 'cooccurrence');
  // Two spellings of one student: "cy" beside "Cy" is pointed out, and a rename merges them.
  await page.evaluate(() => {
    const key = 'marginalia:v1:doc:S/2019/103';
    const all = JSON.parse(localStorage.getItem(key));
    const one = all.find((a) => a.coder === 'Cy' && !a.deleted);
    all.push({ ...one, id: 'lower-cy', coder: 'cy', start: one.start, end: one.end });
    localStorage.setItem(key, JSON.stringify(all));
  });
  await page.goto(`${server.url}#/agreement?a=Key&b=cy`);
  await page.reload();
  const panel = page.locator('details.coders-here');
  await panel.locator('summary', { hasText: 'Cy and cy differ only in case' }).waitFor();
  assert.equal(await panel.getAttribute('open'), '', 'open when two names differ only in case');
  const before = await page.locator('select.coder-a option').count();
  await panel.locator('li[data-coder="cy"] .rename-start').click();
  await page.waitForFunction(() => document.activeElement?.matches('.rename-coder input'));
  await page.keyboard.press('Control+a');
  await page.keyboard.type('Cy');
  await page.keyboard.press('Enter');
  await page.locator('.toast', { hasText: "The 1 annotation of cy is now Cy's, with Cy's own: one coder." }).waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('select.coder-a option').length === n - 1, before);
  await page.waitForFunction(() => location.hash === '#/agreement?a=Key&b=Cy', null, { timeout: 5000 });
  assert.equal(await panel.locator('summary .hint').innerText(), '');
  // Undo takes it back.
  await page.locator('.toast button.undo').click();
  await page.waitForFunction((n) => document.querySelectorAll('select.coder-a option').length === n, before);
  assert.deepEqual(errors, []);
  await context.close();
});

/** Codes paragraph `p` of `report` as `coder` with the tag of `key`, from a fresh load. */
async function codeParagraphAs(page, coder, report, p, key) {
  await page.goto(`${server.url}#/report/${report}/p${p}`);
  await page.evaluate((c) => localStorage.setItem('marginalia:v1:meta', JSON.stringify({ schema: 1, coder: c })), coder);
  await page.reload();
  await page.locator(`#p${p}.target`).waitFor();
  await page.locator(`#p${p} .pnum`).focus();
  await page.keyboard.press(key);
  await page.locator('.ann-list li').first().waitFor();
  await page.keyboard.press('Escape');
}

test('agreement without the key here says whose coding the scores are against; unnamed work is named so', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(server.url);
  await codeParagraphAs(page, 'Ana', 'S-2019-103', 12, '1');
  await codeParagraphAs(page, 'Bo', 'S-2019-612', 8, '2');
  // Bo's work carries no name (an export that had none).
  await page.evaluate(() => {
    const key = 'marginalia:v1:doc:S/2019/612';
    localStorage.setItem(key, JSON.stringify(JSON.parse(localStorage.getItem(key)).map((a) => ({ ...a, coder: '' }))));
  });
  await page.goto(`${server.url}#/agreement?a=Ana`);
  await page.evaluate(() => localStorage.setItem('marginalia:v1:meta', JSON.stringify({ schema: 1, coder: 'Ms Rivera' })));
  await page.reload();
  await page.locator('p.no-key').waitFor();
  assert.equal(await page.locator('p.no-key').innerText(),
    "You (Ms Rivera) have coded nothing in this browser, so every score here is against Ana's coding. To grade a class against your key, code the passage here (or import the backup that holds your key), then choose it as A.");
  assert.match(await page.locator('p.scope-uneven:not(.no-key)').innerText(),
    /^Ana coded a text that \(unnamed\) did not \(S\/2019\/103\); \(unnamed\) coded a text that Ana did not \(S\/2019\/612\)\./);
  await screenshot(page, 'agreement-no-key');
  // Once the person here has coded, there is a key to choose: not said.
  await codeParagraphAs(page, 'Ms Rivera', 'S-2019-103', 12, '1');
  await page.goto(`${server.url}#/agreement?a=Ana`);
  await page.locator('table.agreement').first().waitFor();
  assert.equal(await page.locator('p.no-key').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test("agreement with sub-codes: a sub-code's coding counts for its parent when asked", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${server.url}#/codebook`);
  await page.evaluate(() => localStorage.setItem('marginalia:v1:meta', JSON.stringify({ schema: 1, coder: 'Key' })));
  await page.reload();
  await page.locator('.add-tag input').fill('oil');
  await page.locator('.add-tag button').click();
  await page.locator('.tag-row[data-tag="oil"] .tag-parent select').selectOption('finance');
  await page.locator('.tag-row[data-tag="oil"][data-depth="1"]').waitFor();
  const codeAs = (coder, p, key) => codeParagraphAs(page, coder, 'S-2019-103', p, key);
  await codeAs('Key', 12, '5');
  await codeAs('Ana', 12, '2');
  await page.goto(`${server.url}#/agreement?a=Key&b=Ana`);
  await page.locator('table.agreement').first().waitFor();
  const cells = async (row) => page.locator('table.agreement').first().locator('tbody tr').filter({ has: page.locator('th', { hasText: new RegExp(`^${row}$`) }) }).locator('td').allInnerTexts();
  assert.deepEqual((await cells('finance')).slice(0, 3), ['0', '1', '0'], 'finance alone: only Ana');
  await page.locator('input.agreement-sub').check();
  await page.waitForFunction(() => location.hash.endsWith('&sub=1'));
  await page.waitForFunction(() => [...document.querySelectorAll('table.agreement tbody tr')].some((r) => r.querySelector('th')?.textContent === 'finance' && r.querySelectorAll('td')[2]?.textContent === '1'));
  assert.deepEqual((await cells('finance')).slice(0, 3), ['1', '1', '1'], "with sub-codes: the key's oil is finance too");
  await page.reload();
  await page.locator('table.agreement').first().waitFor();
  assert.ok(await page.locator('input.agreement-sub').isChecked(), 'the address keeps it');
  // Side by side over the paragraph counts with sub-codes too: the key's oil is finance there.
  const keyRow = () => page.locator('.sbs-grid tbody tr').first().locator('td').innerText();
  await page.goto(`${server.url}#/agreement?a=Key&b=Ana&in=S-2019-103&p=12&sub=1`);
  await page.locator('details.side-by-side summary').first().click();
  assert.deepEqual((await keyRow()).split(/\s+/).filter(Boolean), ['finance', 'oil']);
  await page.locator('input.agreement-sub').uncheck();
  await page.waitForFunction(() => !location.hash.includes('sub=1'));
  await page.locator('details.side-by-side summary').first().click();
  assert.equal((await keyRow()).trim(), 'oil');
  // A student who coded another report: the gradebook says their scores measure nothing of the key's.
  await page.goto(`${server.url}#/report/S-2019-612/p8`);
  await page.evaluate(() => localStorage.setItem('marginalia:v1:meta', JSON.stringify({ schema: 1, coder: 'Ines' })));
  await page.reload();
  await page.locator('#p8.target').waitFor();
  await page.locator('#p8 .pnum').focus();
  await page.keyboard.press('1');
  await page.locator('.ann-list li').first().waitFor();
  await page.goto(`${server.url}#/agreement?a=Key&b=Ana`);
  await page.locator('.class-elsewhere').waitFor();
  assert.equal(await page.locator('.class-elsewhere').innerText(), 'Ines coded none of the texts Key coded (only S/2019/612): their scores against Key measure none of what Key coded.');
  // The gradebook says it on Ines's row too.
  const [book] = await Promise.all([page.waitForEvent('download'), page.locator('.class-csv').click()]);
  const rows = (await import('node:fs')).readFileSync(await book.path(), 'utf8').trim().split('\r\n');
  const ines = rows.find((r) => r.startsWith('Key,Ines,'));
  assert.ok(ines.endsWith(',coded none of the texts Key coded (only S/2019/612)'), ines);
  assert.deepEqual(errors, []);
  await context.close();
});
