// Two people chat through Parley's web client in headless Chromium, driven
// by playwright-core (cmd/parley's TestWebClient runs this against the real
// server). It prints one JSON object on stdout and exits 0, or prints what
// failed on stderr and exits 1.
//
// Environment:
//   PARLEY_WEB_URL          the server (Ada and the admin use it)
//   PARLEY_WEB_PROXY_URL    a proxy to the server that can drop the network (Grace uses it)
//   PARLEY_WEB_CONTROL_URL  POST /drop and /restore on it cut and restore the proxy
//   PARLEY_WEB_SECRET       the org's join secret
//   PARLEY_WEB_ADMIN_TOKEN  a token of the org's owner
//   PARLEY_WEB_HISTORY      path of a thread with PARLEY_WEB_HISTORY_CHATS chats (/t/…)
//   PARLEY_WEB_OUT          where to write screenshots
//   PARLEY_CHROMIUM         the browser (default /usr/bin/chromium)
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import path from "node:path";

const env = (k) => {
  const v = process.env[k];
  if (!v) {
    console.error(`${k} is not set`);
    process.exit(2);
  }
  return v;
};
const BASE = env("PARLEY_WEB_URL");
const PROXY = env("PARLEY_WEB_PROXY_URL");
const CONTROL = env("PARLEY_WEB_CONTROL_URL");
const SECRET = env("PARLEY_WEB_SECRET");
const ADMIN = env("PARLEY_WEB_ADMIN_TOKEN");
const HISTORY = env("PARLEY_WEB_HISTORY");
const HISTORY_CHATS = Number(env("PARLEY_WEB_HISTORY_CHATS"));
const OUT = env("PARLEY_WEB_OUT");
mkdirSync(OUT, { recursive: true });

const result = { steps: [], screenshots: [], search: "" };
const problems = [];
let current = "";

async function step(name, fn) {
  current = name;
  await fn();
  result.steps.push(name);
}

async function shot(page, name) {
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file });
  result.screenshots.push(file);
}

const browser = await chromium.launch({
  executablePath: process.env.PARLEY_CHROMIUM || "/usr/bin/chromium",
  // Playwright gives every launch a fresh temporary profile (user data dir).
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});

// open makes a browser context (its own storage: one person) whose pages may
// only talk to origin.
async function open(name, origin, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  watch(page, name, origin);
  return { context, page };
}

function watch(page, name, origin) {
  const host = new URL(origin).host;
  page.on("pageerror", (e) => problems.push(`${name}: uncaught ${e.message}`));
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (!["data:", "blob:"].includes(u.protocol) && u.host !== host) problems.push(`${name}: external request ${r.url()}`);
  });
  page.on("websocket", (ws) => {
    if (new URL(ws.url()).host !== host) problems.push(`${name}: external websocket ${ws.url()}`);
  });
}

const composer = (page) => page.getByRole("textbox", { name: "Message", exact: true });
const chat = (page, text) => page.locator("li.chat", { has: page.locator(".chat-text", { hasText: text }) });
const threadItem = (page, text) => page.locator("a.thread-item", { hasText: text });

async function joinAs(page, origin, name) {
  await page.goto(`${origin}/join/${SECRET}`);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Join", exact: true }).click();
  await composer(page).waitFor();
  if (page.url().includes(SECRET)) throw new Error(`the join secret stays in the address: ${page.url()}`);
}

async function proxy(action) {
  const res = await fetch(`${CONTROL}/${action}`, { method: "POST" });
  if (!res.ok) throw new Error(`proxy ${action}: ${res.status}`);
}

let helloPath = "";

async function run() {
  const ada = await open("ada", BASE);
  const grace = await open("grace", PROXY);
  const a = ada.page;
  const b = grace.page;

  await step("join page", async () => {
    await a.goto(`${BASE}/join/${SECRET}`);
    await a.getByLabel("Name", { exact: true }).waitFor();
    await shot(a, "1-join");
  });
  await step("both join by link", async () => {
    await joinAs(a, BASE, "Ada Lovelace");
    await joinAs(b, PROXY, "Grace Hopper");
    await a.getByRole("heading", { name: "general", exact: true }).waitFor();
  });

  await step("a new thread appears live in the other's channel", async () => {
    await composer(a).fill("Hello from Ada: shall we plan the launch?");
    await composer(a).press("Enter");
    await threadItem(a, "Hello from Ada").waitFor();
    const item = threadItem(b, "Hello from Ada");
    await item.waitFor();
    await item.locator(".badge", { hasText: "1" }).waitFor();
    await item.locator(".thread-meta", { hasText: "Ada Lovelace · 0 replies" }).waitFor();
  });

  await step("both open the thread", async () => {
    await threadItem(a, "Hello from Ada").click();
    await chat(a, "Hello from Ada").waitFor();
    await threadItem(b, "Hello from Ada").click();
    await chat(b, "Hello from Ada").waitFor();
    helloPath = new URL(a.url()).pathname;
  });

  await step("typing shows, then the reply appears live", async () => {
    await composer(b).pressSequentially("Hi Ada, Grace here", { delay: 15 });
    await a.locator(".typing", { hasText: "Grace Hopper is typing" }).waitFor();
    await composer(b).press("Enter");
    await chat(a, "Hi Ada, Grace here").waitFor();
    await a.waitForFunction(() => document.querySelector(".typing").textContent === "");
  });

  await step("Shift+Enter makes a new line, Enter sends", async () => {
    await composer(a).pressSequentially("line one");
    await composer(a).press("Shift+Enter");
    await composer(a).pressSequentially("line two");
    await composer(a).press("Enter");
    const text = await chat(b, "line two").locator(".chat-text").innerText();
    if (text !== "line one\nline two") throw new Error(`multi-line chat arrived as ${JSON.stringify(text)}`);
  });

  await step("a reaction shows up live, both ways", async () => {
    const mine = chat(a, "Hi Ada, Grace here");
    await mine.hover();
    await mine.getByRole("button", { name: "Add reaction" }).click();
    await a.getByRole("button", { name: "React with thumbs up" }).click();
    const chip = chat(b, "Hi Ada, Grace here").locator("button.reaction");
    await chip.filter({ hasText: "1" }).waitFor();
    if ((await chip.getAttribute("aria-pressed")) !== "false") throw new Error("Grace's view marks Ada's reaction as hers");
    await chip.click();
    await chat(a, "Hi Ada, Grace here").locator("button.reaction", { hasText: "2" }).waitFor();
  });

  await step("edits and deletes appear live", async () => {
    const first = chat(a, "Hello from Ada");
    await first.hover();
    await first.getByRole("button", { name: "Edit", exact: true }).click();
    const box = a.getByRole("textbox", { name: "Edit message" });
    await box.fill("Hello from Ada: shall we plan the launch on Friday?");
    await box.press("Enter");
    await chat(b, "on Friday?").locator(".edited").waitFor();

    await composer(a).fill("oops, wrong thread");
    await composer(a).press("Enter");
    await chat(b, "oops, wrong thread").waitFor();
    const oops = chat(a, "oops, wrong thread");
    await oops.hover();
    await oops.getByRole("button", { name: "Delete", exact: true }).click();
    await oops.getByRole("button", { name: "Delete message" }).click();
    await chat(b, "oops, wrong thread").waitFor({ state: "detached" });
  });

  await step("an image upload shows a preview, then the image", async () => {
    const png = await a.screenshot({ clip: { x: 0, y: 0, width: 120, height: 90 } });
    await a.locator("form.composer input[type=file]").setInputFiles({ name: "launch-plan.png", mimeType: "image/png", buffer: png });
    await a.getByRole("img", { name: "Preview of launch-plan.png" }).waitFor();
    await composer(a).fill("Here is the plan");
    await composer(a).press("Enter");
    await a.locator("form.composer .attachments").waitFor({ state: "hidden" });
    const img = chat(b, "Here is the plan").getByRole("img", { name: "launch-plan.png" });
    await img.waitFor();
    await b.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle());
  });

  await step("presence shows the other online", async () => {
    await a.locator(".person", { hasText: "Grace Hopper" }).locator(".presence.on").waitFor();
    await b.locator(".person", { hasText: "Ada Lovelace" }).locator(".presence.on").waitFor();
  });

  await step("after a network drop the socket resumes and nothing is missing", async () => {
    await proxy("drop");
    await b.locator(".conn.visible", { hasText: "Reconnecting" }).waitFor();
    for (let i = 1; i <= 3; i++) {
      await composer(a).fill(`while you were away ${i}`);
      await composer(a).press("Enter");
      await chat(a, `while you were away ${i}`).waitFor();
    }
    const reacted = chat(a, "Here is the plan");
    await reacted.hover();
    await reacted.getByRole("button", { name: "Add reaction" }).click();
    await a.getByRole("button", { name: "React with celebrate" }).click();
    await proxy("restore");
    for (let i = 1; i <= 3; i++) await chat(b, `while you were away ${i}`).waitFor({ timeout: 30000 });
    await chat(b, "Here is the plan").locator("button.reaction", { hasText: "1" }).waitFor();
    await b.locator(".conn.visible").waitFor({ state: "hidden" });
    for (let i = 1; i <= 3; i++) {
      const n = await chat(b, `while you were away ${i}`).count();
      if (n !== 1) throw new Error(`"while you were away ${i}" shows ${n} times`);
    }
  });

  await step("a reload keeps the session and everything in the thread", async () => {
    await b.reload();
    await chat(b, "on Friday?").waitFor();
    if (await b.getByLabel("Name", { exact: true }).count()) throw new Error("the reload asked for a name again");
    await chat(b, "Hi Ada, Grace here").locator("button.reaction", { hasText: "2" }).waitFor();
    await chat(b, "while you were away 3").waitFor();
    await chat(b, "Here is the plan").getByRole("img", { name: "launch-plan.png" }).waitFor();
    if (await chat(b, "oops, wrong thread").count()) throw new Error("the deleted chat came back");
    await shot(a, "2-thread-ada");
  });

  await step("older chats load as you scroll up", async () => {
    await b.goto(`${PROXY}${HISTORY}`);
    const chats = b.locator("ol.chats > li.chat");
    await chats.first().waitFor();
    await b.waitForFunction(() => document.querySelectorAll("ol.chats > li.chat").length === 50);
    for (let i = 0; i < 10 && (await chats.count()) < HISTORY_CHATS; i++) {
      const before = await chats.count();
      await b.locator(".chat-scroll").evaluate((el) => (el.scrollTop = 0));
      await b.waitForFunction((n) => document.querySelectorAll("ol.chats > li.chat").length > n, before);
    }
    await b.getByText("This is the start of the thread.").waitFor();
    const n = await chats.count();
    if (n !== HISTORY_CHATS) throw new Error(`the history thread shows ${n} chats, want ${HISTORY_CHATS}`);
    const first = await chats.first().locator(".chat-text").innerText();
    if (first !== "history 1") throw new Error(`the oldest chat is ${JSON.stringify(first)}`);
  });

  await step("the search box answers", async () => {
    await b.getByRole("searchbox", { name: "Search threads" }).fill("launch");
    await b.getByRole("searchbox", { name: "Search threads" }).press("Enter");
    const status = b.locator(".list-status");
    await status.filter({ hasText: /found|not available|Nothing matches/ }).waitFor();
    result.search = await status.innerText();
    if (/found/.test(result.search)) await b.locator("a.thread-item", { hasText: "launch" }).first().waitFor();
  });

  await step("an admin sees the join link and creates a channel everyone sees", async () => {
    const admin = await open("admin", BASE);
    const p = admin.page;
    await p.goto(`${BASE}/#token=${ADMIN}`);
    const link = await p.getByLabel("Join link").inputValue();
    if (link !== `${BASE}/join/${SECRET}`) throw new Error(`the admin's join link is ${link}`);
    if (p.url().includes(ADMIN)) throw new Error("the token stays in the address");
    await p.getByText("New channel").click();
    await p.getByLabel("Channel name").fill("random");
    await p.getByRole("button", { name: "Create channel" }).click();
    await p.getByRole("heading", { name: "random", exact: true }).waitFor();
    await a.getByRole("link", { name: /^random/ }).waitFor();
    await shot(p, "3-admin");
    await admin.context.close();
  });

  await step("the layout works at 375 px and by keyboard", async () => {
    const p = await grace.context.newPage();
    p.setDefaultTimeout(20000);
    watch(p, "grace-narrow", PROXY);
    await p.setViewportSize({ width: 375, height: 740 });
    await p.goto(`${PROXY}/`);
    await composer(p).waitFor();
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 0) throw new Error(`the page is ${overflow}px wider than the screen`);
    await shot(p, "4-narrow-channel");
    const menu = p.getByRole("button", { name: "Channels", exact: true });
    await menu.click();
    if ((await menu.getAttribute("aria-expanded")) !== "true") throw new Error("the menu button does not say it is open");
    await p.getByRole("link", { name: /^random/ }).waitFor({ state: "visible" });
    await p.waitForFunction(() => getComputedStyle(document.getElementById("sidebar")).transform === "none");
    await p.waitForTimeout(50); // let the slide finish painting
    await shot(p, "5-narrow-menu");
    await p.keyboard.press("Escape");
    await p.getByRole("link", { name: /^random/ }).waitFor({ state: "hidden" });
    // Keyboard only: open a thread from the list, reply, come back.
    await threadItem(p, "Hello from Ada").focus();
    await p.keyboard.press("Enter");
    await composer(p).waitFor();
    await chat(p, "on Friday?").waitFor();
    await p.keyboard.type("typed without a mouse");
    await p.keyboard.press("Enter");
    await chat(a, "typed without a mouse").waitFor();
    await shot(p, "6-narrow-thread");
    const focused = await p.evaluate(() => document.activeElement && document.activeElement.getAttribute("aria-label"));
    if (focused !== "Message") throw new Error(`after sending, focus is on ${focused}`);
  });

  await step("a channel one has not joined offers to join it", async () => {
    await b.locator("#sidebar").getByRole("link", { name: "random, not joined" }).click();
    await b.getByRole("button", { name: "Join #random" }).click();
    await composer(b).fill("Hello, random");
    await composer(b).press("Enter");
    await threadItem(b, "Hello, random").waitFor();
    await b.locator("#sidebar").getByRole("link", { name: "random", exact: true }).waitFor();
  });

  await step("unread counts follow reading", async () => {
    await a.locator("#sidebar").getByRole("link", { name: /^general/ }).click();
    await threadItem(a, "Hello from Ada").waitFor();
    await b.goto(`${PROXY}${helloPath}`);
    await composer(b).fill("one more for the list");
    await composer(b).press("Enter");
    await threadItem(a, "Hello from Ada").locator(".badge", { hasText: "1" }).waitFor();
    // Hello, Grace's reply, the two lines, the plan, three while away, the
    // keyboard one and this one (the deleted one does not count).
    await threadItem(a, "Hello from Ada").locator(".thread-meta", { hasText: "8 replies" }).waitFor();
    await threadItem(a, "Hello from Ada").click();
    await chat(a, "one more for the list").waitFor();
    await a.goBack();
    await threadItem(a, "Hello from Ada").waitFor();
    if (await threadItem(a, "Hello from Ada").locator(".badge").count()) throw new Error("the thread is still unread after reading it");
  });

  if (problems.length) throw new Error(problems.join("\n"));
  await ada.context.close();
  await grace.context.close();
  return result;
}

const timer = setTimeout(() => {
  console.error(`timed out in step: ${current}`);
  process.exit(1);
}, 150000);
try {
  const out = await run();
  clearTimeout(timer);
  process.stdout.write(JSON.stringify(out) + "\n");
  await browser.close();
  process.exit(0);
} catch (err) {
  console.error(`step "${current}" failed: ${err && err.stack ? err.stack : err}`);
  if (problems.length) console.error(problems.join("\n"));
  await browser.close().catch(() => {});
  process.exit(1);
}
