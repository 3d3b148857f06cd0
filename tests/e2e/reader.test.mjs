// The reader, end to end, against the release build in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launch, corpusFromCli, screenshot, watchErrors } from './harness.mjs';

let server, browser, corpus;
const slug = (id) => id.replace(/[^\p{L}\p{N}._]/gu, '-');
const numbered = (doc) => doc.blocks.filter((b) => b.kind === 'paragraph' && b.number != null);

before(async () => {
  corpus = corpusFromCli();
  server = await serveStatic();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('the corpus view lists the five reports in date order with their paragraph counts', async () => {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  await page.goto(server.url);
  const rows = page.locator('table.reports tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 5);
  const symbols = await page.locator('table.reports tbody td.symbol').allInnerTexts();
  assert.deepEqual(symbols, corpus.map((d) => d.symbol));
  assert.deepEqual(symbols, ['S/2017/97', 'S/2018/80', 'S/2018/770', 'S/2019/103', 'S/2019/612']);
  const counts = await page.locator('table.reports tbody td.count').allInnerTexts();
  assert.deepEqual(counts.map(Number), corpus.map((d) => numbered(d).length));
  assert.equal(await page.locator('table.reports tbody td.ordinal').first().innerText(), '4th report');
  // A newcomer is told how to start, with the codebook's own keys.
  assert.match(await page.locator('.start-hint').innerText(), /select a passage and press a tag's key \(1 threat, 2 finance, 3 repatriation, 4 prosecution\)\. \? lists every key\./);
  // "/" goes to the corpus search, as it goes to a report's find box.
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Search the corpus');
  await page.locator('.corpus-search input').blur();
  await page.waitForSelector('body[data-rendered="corpus"]');
  await screenshot(page, 'corpus');
  // A report opened from a list scrolled down opens at its top, its title in view.
  await page.setViewportSize({ width: 1280, height: 600 });
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await page.waitForFunction(() => scrollY > 100);
  await page.locator('td.symbol a', { hasText: 'S/2019/612' }).click();
  await page.locator('.prose').waitFor();
  await page.waitForFunction(() => scrollY === 0);
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => scrollY), 0, 'and stays there');
  assert.deepEqual(errors, []);
  await page.close();
});

test('every report opens with its paragraphs numbered 1..N, headings and footnotes', async () => {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  await page.goto(server.url);
  for (const doc of corpus) {
    await page.locator('table.reports td.symbol a', { hasText: doc.symbol }).click();
    await page.waitForSelector('article.report');
    assert.equal(await page.locator('.titleblock .symbol').innerText(), doc.symbol);
    assert.equal(await page.locator('#report-title').innerText(), doc.title);
    const numbers = (await page.locator('.para[data-paragraph]').evaluateAll(
      (els) => els.map((e) => Number(e.dataset.paragraph))));
    const expected = numbered(doc).map((b) => b.number);
    assert.deepEqual(numbers, expected);
    assert.deepEqual(numbers, expected.map((_, i) => i + 1), `${doc.symbol}: paragraphs run 1..N`);
    const headings = doc.blocks.filter((b) => b.kind === 'heading').length;
    assert.equal(await page.locator('.prose [data-block]:is(h2,h3,h4)').count(), headings);
    const notes = doc.blocks.filter((b) => b.kind === 'footnote').length;
    assert.equal(await page.locator('.footnotes li').count(), notes);
    // The text a reader sees is the canonical text: paragraph 1 matches the CLI's slice.
    const p1 = numbered(doc)[0];
    const p1text = [...doc.text].slice(p1.start, p1.end).join('');
    const shown = await page.locator('#p1 > p').evaluate((p) => p.textContent);
    assert.equal(shown, p1text);
    await screenshot(page, `report-${slug(doc.id)}`);
    await page.goBack();
    await page.waitForSelector('table.reports');
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('a paragraph deep link scrolls to its paragraph and survives a reload', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = watchErrors(page);
  await page.goto(`${server.url}#/report/S-2019-103/p12`);
  const target = page.locator('#p12');
  await target.waitFor();
  const check = async () => {
    await page.waitForFunction(() => document.querySelector('#p12')?.classList.contains('target'));
    const top = await target.evaluate((e) => e.getBoundingClientRect().top);
    assert.ok(top >= 0 && top < 200, `paragraph 12 is at the top of the view (top = ${top})`);
    assert.equal(await page.locator('.para.target').count(), 1);
  };
  await check();
  await screenshot(page, 'deep-link');
  await page.reload();
  await target.waitFor();
  await check();
  // Clicking a margin number changes the link to that paragraph.
  await page.locator('#p14 .pnum').click();
  await page.waitForFunction(() => location.hash === '#/report/S-2019-103/p14');
  await page.waitForFunction(() => document.querySelector('#p14')?.classList.contains('target'));
  assert.equal(await page.locator('#p12.target').count(), 0);
  // A link to nowhere says so.
  await page.goto(`${server.url}#/report/S-1999-1`);
  await page.getByText('No such report').waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('a reload opens the report where the reader was; a report opened from the corpus opens at its top', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${server.url}#/report/S-2019-103`);
  await page.locator('#p40').waitFor();
  await page.evaluate(() => document.getElementById('p40').scrollIntoView(true));
  await page.waitForTimeout(200);
  const atTop = () => page.evaluate(() => {
    const bar = document.querySelector('.topbar').getBoundingClientRect().bottom;
    return [...document.querySelectorAll('.prose .para[id^="p"]')].find((p) => p.getBoundingClientRect().bottom > bar + 8)?.id;
  });
  const before = await atTop();
  assert.match(before, /^p(39|40)$/);
  await page.reload();
  await page.locator('#p40').waitFor();
  await page.waitForFunction(() => scrollY > 1000);
  await page.waitForTimeout(200);
  const after = await atTop();
  assert.ok(Math.abs(Number(after.slice(1)) - Number(before.slice(1))) <= 1, `back at ${before}: ${after}`);
  assert.equal(await page.locator('.para.target').count(), 0, 'the place is not marked as a link target');
  assert.equal(new URL(page.url()).hash, '#/report/S-2019-103', 'the address is unchanged');
  // Opened again from the corpus, it opens at its top.
  await page.locator('.brand').click();
  await page.locator('table.reports').waitFor();
  await page.locator('td.symbol a', { hasText: 'S/2019/103' }).click();
  await page.locator('.prose').waitFor();
  await page.waitForFunction(() => scrollY === 0);
  await page.close();
});

test('after a click in the text, Tab goes on from there, not from the top of the page', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${server.url}#/report/S-2019-103/p40`);
  await page.locator('#p40.target').waitFor();
  const box = await page.locator('#p40 > p').boundingBox();
  await page.mouse.click(box.x + 40, box.y + 5);
  assert.notEqual(await page.evaluate(() => document.activeElement.id), 'main', 'a click in the text does not focus the page');
  await page.keyboard.press('Tab');
  // The next stop is in ¶40 (a footnote marker) or the next paragraph's number.
  const where = await page.evaluate(() => {
    const a = document.activeElement;
    return a.closest('.para')?.id ?? a.className;
  });
  assert.ok(['p40', 'p41'].includes(where), `Tab went to ${where}`);
  await page.close();
});

test('a footnote marker reveals its note, and prose copies as plain text', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}#/report/S-2019-612/p1`);
  const marker = page.locator('#p1 .fnref button').first();
  await marker.waitFor();
  assert.equal(await marker.getAttribute('aria-expanded'), 'false');
  await marker.click();
  assert.equal(await marker.getAttribute('aria-expanded'), 'true');
  const pop = page.locator('#p1 .fnpop');
  assert.match(await pop.innerText(), /QDe\.115/);
  await screenshot(page, 'footnote');
  await marker.press('Escape');
  assert.equal(await page.locator('#p1 .fnpop').count(), 0);
  // Selecting a whole paragraph copies its words without margin numbers or markers.
  const selected = await page.evaluate(() => {
    const p = document.querySelector('#p2 > p');
    const range = document.createRange();
    range.selectNodeContents(p);
    const sel = getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    return sel.toString();
  });
  assert.match(selected, /^This is my ninth report/);
  assert.doesNotMatch(selected, /security\.\d/, 'footnote numbers are not part of the text');
  // Margin numbers and markers are not selectable text.
  const unselectable = await page.evaluate(() =>
    ['#p2 .pnum', '#p2 .fnref'].map((s) => getComputedStyle(document.querySelector(s)).userSelect));
  assert.deepEqual(unselectable, ['none', 'none']);
  await page.close();
});

test('a footnote marker never starts a line alone: it keeps to the word before it', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  let markers = 0;
  // Coded paragraphs too: a highlight is cut at the word before its marker, not the marker from it.
  const coded = { 'S-2018-770': 17, 'S-2018-80': 13, 'S-2019-103': 30 };
  await page.goto(server.url);
  await page.evaluate(() => localStorage.setItem('marginalia:v1:meta', JSON.stringify({ schema: 1, coder: 'Reader' })));
  await page.reload();
  await page.locator('table.reports').waitFor();
  for (const r of ['S-2018-770', 'S-2018-80', 'S-2019-103']) {
    await page.goto(`${server.url}#/report/${r}/p${coded[r]}`);
    await page.locator(`#p${coded[r]}.target`).waitFor();
    await page.locator(`#p${coded[r]} .pnum`).focus();
    await page.keyboard.press('1');
    await page.locator(`#p${coded[r]} .hl`).first().waitFor();
    await page.keyboard.press('Escape');
    // Every paragraph laid out (off-screen ones are skipped by content-visibility otherwise).
    await page.evaluate(() => document.querySelectorAll('.prose .para').forEach((d) => { d.style.contentVisibility = 'visible'; }));
    const [n, alone] = await page.evaluate(() => {
      const buttons = [...document.querySelectorAll('.para > p .fnref button')];
      const lone = buttons.filter((b) => Math.abs(b.getBoundingClientRect().left - b.closest('p').getBoundingClientRect().left) < 4);
      return [buttons.length, lone.map((b) => b.closest('.para').id)];
    });
    markers += n;
    assert.deepEqual(alone, [], `${r}: markers at the start of a line`);
  }
  assert.ok(markers > 100, `${markers} markers looked at`);
  await page.close();
});

test('the reader works on a 360 px phone and in dark mode', async () => {
  const page = await browser.newPage({ viewport: { width: 360, height: 740 }, colorScheme: 'dark' });
  await page.goto(`${server.url}#/report/S-2018-80/p5`);
  await page.locator('#p5.target').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling on a phone (overflow ${overflow}px)`);
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(22, 21, 19)');
  await screenshot(page, 'phone-dark');
  await page.goto(server.url);
  await page.locator('table.reports').waitFor();
  await screenshot(page, 'phone-corpus');
  await page.close();
});

test('the keyboard reaches the reports', async () => {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.locator('table.reports').waitFor();
  // Tab through the page until the first report link has focus, then open it.
  for (let i = 0; i < 16; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.closest('td.symbol') != null)) break;
  }
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'S/2017/97');
  await page.keyboard.press('Enter');
  await page.locator('article.report').waitFor();
  assert.equal(await page.locator('.titleblock .symbol').innerText(), 'S/2017/97');
  await page.close();
});

test('text meets WCAG AA contrast in light and dark themes', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const page = await browser.newPage({ colorScheme });
    await page.goto(`${server.url}#/report/S-2019-612/p2`);
    await page.locator('#p2.target').waitFor();
    const pairs = await page.evaluate(() => {
      const rgb = (s) => s.match(/[\d.]+/g).slice(0, 3).map(Number);
      const lum = ([r, g, b]) => {
        const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
      const bg = rgb(getComputedStyle(document.body).backgroundColor);
      const target = rgb(getComputedStyle(document.querySelector('.para.target')).backgroundColor);
      const fg = (sel) => rgb(getComputedStyle(document.querySelector(sel)).color);
      return {
        prose: ratio(fg('.para p'), bg),
        'margin number': ratio(fg('.para:not(.target) .pnum'), bg),
        subtitle: ratio(fg('.subtitle'), bg),
        symbol: ratio(fg('.titleblock .symbol'), bg),
        'footnote marker': ratio(fg('.fnref button'), bg),
        'target paragraph': ratio(fg('.para.target p'), target),
      };
    });
    for (const [what, r] of Object.entries(pairs)) {
      assert.ok(r >= 4.5, `${colorScheme}: ${what} contrast ${r.toFixed(2)} < 4.5`);
    }
    await page.close();
  }
});

test('once opened, the app opens again without a network, and codes; a file that does not arrive is said', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}#/report/S-2019-103/p12`);
  await page.locator('#p12.target').waitFor();
  // The service worker has kept the page and its files, and is in charge of the page
  // (activated, not still activating: only then does a reload go through it).
  await page.waitForFunction(async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    if (reg?.active?.state !== 'activated' || !navigator.serviceWorker.controller) return false;
    const keys = await (await caches.open('marginalia-app-v1')).keys();
    return ['.wasm', '.js', '.css'].every((ext) => keys.some((k) => k.url.endsWith(ext))) && keys.some((k) => k.url === location.origin + '/');
  }, null, { timeout: 15000 });
  await context.setOffline(true);
  await page.reload();
  await page.locator('#p12.target').waitFor();
  await page.goto(`${server.url}#/report/S-2017-97/p3`);
  await page.locator('#p3.target').waitFor();
  await page.evaluate(() => localStorage.setItem('marginalia:v1:meta', JSON.stringify({ schema: 1, coder: 'Offline' })));
  await page.reload();
  await page.locator('#p3.target').waitFor();
  await page.locator('#p3 .pnum').focus();
  await page.keyboard.press('1');
  await page.locator('#p3 .hl').first().waitFor();
  await page.waitForFunction(() => (localStorage.getItem('marginalia:v1:doc:S/2017/97') ?? '').includes('threat'));
  await screenshot(page, 'offline');
  await context.close();

  // A first visit whose WebAssembly does not arrive: a plain message and a reload, not a blank page.
  const cut = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block' });
  await cut.route('**/*.wasm', (route) => route.abort('internetdisconnected'));
  const p = await cut.newPage();
  await p.goto(server.url);
  const notice = p.locator('#fatal[role="alert"]');
  await notice.waitFor();
  assert.match(await notice.innerText(), /could not be loaded/);
  assert.match(await notice.innerText(), /Reload the page when the network is back/);
  assert.doesNotMatch(await notice.innerText(), /Your work is saved/, 'a first visit has no work to speak of');
  assert.equal(await p.locator('#opening').count(), 0, 'the opening line gives way to the notice');
  await screenshot(p, 'load-failed');
  await cut.close();

  // A network that stalls (the WebAssembly slow to come): the page says it is opening, then the app replaces it.
  const slow = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block' });
  let release;
  const held = new Promise((r) => { release = r; });
  await slow.route('**/*.wasm', async (route) => { await held; await route.continue(); });
  const q = await slow.newPage();
  await q.goto(server.url);
  const opening = q.locator('#opening');
  await q.waitForFunction(() => Number(getComputedStyle(document.getElementById('opening')).opacity) === 1);
  assert.match(await opening.innerText(), /^Opening Marginalia…/);
  await screenshot(q, 'opening-slowly');
  release();
  await q.locator('table.reports').waitFor();
  assert.equal(await opening.count(), 0, 'gone once the app is up');
  await slow.close();
});

test('an internal error (a trap in the wasm) is named in plain words, with a reload', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}#/report/S-2019-103/p12`);
  await page.locator('#p12.target').waitFor();
  assert.equal(await page.locator('#fatal').count(), 0, 'no notice while all is well');
  // What the browser reports when Rust code panics in the release build
  // (panic=immediate-abort: the instance traps with `unreachable`).
  await page.evaluate(() => {
    const error = new WebAssembly.RuntimeError('unreachable');
    window.dispatchEvent(new ErrorEvent('error', { error, message: String(error) }));
    // Ordinary script errors are not the app stopping: no notice for them.
    window.dispatchEvent(new ErrorEvent('error', { error: new TypeError('x'), message: 'x' }));
  });
  const notice = page.locator('#fatal[role="alert"]');
  await notice.waitFor();
  assert.match(await notice.innerText(), /stopped because of an internal error/);
  assert.match(await notice.innerText(), /saved in this browser/);
  assert.equal(await page.locator('#fatal').count(), 1);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Reload');
  await screenshot(page, 'internal-error');
  await Promise.all([page.waitForEvent('load'), page.locator('#fatal button').click()]);
  await page.locator('#p12.target').waitFor();
  assert.equal(await page.locator('#fatal').count(), 0, 'the reload starts afresh');
  await page.close();
});
