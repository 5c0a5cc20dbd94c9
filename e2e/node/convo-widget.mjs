// convo-widget.mjs loads a page that embeds Parley's comments widget in
// headless Chromium (Debian's, driven by playwright-core), and checks that it
// shows the page's comments and follows them live: a comment posted through
// the API appears, a vote updates it, a deletion removes it. Comment text is
// rendered as text, and the page makes no request to any third server.
//
// Usage: PAGE_URL=... PARLEY_URL=... PARLEY_APIKEY=... PARLEY_TOKEN=...
//        PARLEY_SIGNER=... THREAD_ID=... node convo-widget.mjs
import { chromium } from "playwright-core";
import assert from "node:assert/strict";

const { PAGE_URL, PARLEY_URL, PARLEY_APIKEY, PARLEY_TOKEN, PARLEY_SIGNER, THREAD_ID } = process.env;
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";

async function api(method, path, body) {
  const res = await fetch(`${PARLEY_URL}/api${path}?apikey=${PARLEY_APIKEY}`, {
    method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  const json = await res.json();
  assert.equal(res.status, 200, JSON.stringify(json));
  return json;
}

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
try {
  const page = await browser.newPage();
  const origins = new Set();
  page.on("request", (req) => origins.add(new URL(req.url()).origin));
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(PAGE_URL);
  const root = page.locator(".parley-comments");
  await root.and(page.locator('[data-state="live"]')).waitFor({ timeout: 15000 });
  assert.equal(await page.locator(".parley-comments li").count(), 1, "the comment posted before the page loaded");
  assert.match(await page.locator(".parley-comments h3").textContent(), /^1 comment$/);

  const post = (comment) => api("POST", "/comments", {
    token: PARLEY_TOKEN, signerAddress: PARLEY_SIGNER, comment, threadId: THREAD_ID, url: encodeURIComponent(PAGE_URL),
  });
  const live = await post("Live from the API");
  await page.locator(`li[data-comment-id="${live._id}"]`).getByText("Live from the API").waitFor({ timeout: 10000 });
  const evil = await post('<img src=x onerror="window.pwned=1">');
  const evilItem = page.locator(`li[data-comment-id="${evil._id}"]`);
  await evilItem.waitFor({ timeout: 10000 });
  assert.equal(await evilItem.locator("img").count(), 0, "comment HTML must not be rendered");
  assert.equal(await page.evaluate(() => window.pwned), undefined);

  await api("POST", "/vote", { token: PARLEY_TOKEN, signerAddress: PARLEY_SIGNER, commentId: live._id, type: "toggleUpvote" });
  await page.locator(`li[data-comment-id="${live._id}"] .pc-votes`).getByText("▲ 1").waitFor({ timeout: 10000 });
  await api("DELETE", "/comments", { token: PARLEY_TOKEN, signerAddress: PARLEY_SIGNER, commentId: live._id });
  await page.locator(`li[data-comment-id="${live._id}"]`).waitFor({ state: "detached", timeout: 10000 });
  assert.match(await page.locator(".parley-comments h3").textContent(), /^2 comments$/);

  const allowed = new Set([new URL(PAGE_URL).origin, new URL(PARLEY_URL).origin]);
  for (const o of origins) assert.ok(allowed.has(o), `request to a third server: ${o}`);
  assert.deepEqual(errors, []);
  console.log(JSON.stringify({ ok: true, origins: [...origins].length }));
} finally {
  await browser.close();
}
