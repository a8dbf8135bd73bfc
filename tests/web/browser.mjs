// Headless Chromium (Debian's package) driven by playwright-core, and the few helpers the
// widget scenarios share. The widget lives in an open shadow root: Playwright's locators
// pierce it, and `deepActiveElement` follows focus into it.

import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
// Playwright adds --headless and --no-sandbox itself, and gives each launch a new empty
// profile (--user-data-dir); the rest keeps Chromium off the network and quiet.
const FLAGS = [
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 740 };
export const ANSWER_TIMEOUT_MS = 60000;

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, chromiumSandbox: false, args: FLAGS });
}

// A page that records what must never happen: script errors, alert() dialogs, requests
// leaving this machine (no CDN).
// `prepare(page)` runs before the page loads (WebSocket routes must be set by then).
export async function openPage(browser, url, viewport = DESKTOP, prepare = async () => {}) {
  const context = await browser.newContext({ viewport, locale: "fr-FR" });
  const page = await context.newPage();
  const incidents = { errors: [], dialogs: [], foreignRequests: [] };
  page.on("pageerror", (error) => incidents.errors.push(String(error)));
  page.on("dialog", async (dialog) => {
    incidents.dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  page.on("request", (request) => {
    const { hostname } = new URL(request.url());
    if (!["127.0.0.1", "localhost"].includes(hostname)) incidents.foreignRequests.push(request.url());
  });
  await prepare(page);
  await page.goto(url, { waitUntil: "load" });
  await page.locator(".launcher").waitFor();
  return { page, incidents };
}

export function deepActiveElement(page) {
  return page.evaluate(() => {
    let element = document.activeElement;
    while (element && element.shadowRoot && element.shadowRoot.activeElement) {
      element = element.shadowRoot.activeElement;
    }
    if (!element) return null;
    const style = getComputedStyle(element);
    return {
      tag: element.tagName.toLowerCase(),
      id: element.id,
      className: String(element.className),
      name: element.getAttribute("aria-label") || element.textContent.trim(),
      outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    };
  });
}

// Press `key` (Tab, Shift+Tab) until `wanted(active)` holds, as a keyboard user would.
export async function tabUntil(page, wanted, key = "Tab", limit = 40) {
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press(key);
    const active = await deepActiveElement(page);
    if (active && wanted(active)) return active;
  }
  throw new Error(`Aucun élément voulu atteint après ${limit} appuis sur ${key}.`);
}

export function normalise(text) {
  return String(text).replace(/\s+/g, " ").trim();
}

// What a message says on screen: its text without the hints kept for screen readers.
export async function botTexts(page) {
  return page.evaluate(() => {
    const root = document.querySelector("#library-assistant").shadowRoot;
    return [...root.querySelectorAll(".message.from-bot .text")].map((message) => {
      const copy = message.cloneNode(true);
      copy.querySelectorAll(".visually-hidden").forEach((hint) => hint.remove());
      return copy.textContent.replace(/\s+/g, " ").trim();
    });
  });
}

export async function waitForBotMessages(page, count, timeout = ANSWER_TIMEOUT_MS) {
  await page.waitForFunction(
    (n) => document.querySelector("#library-assistant").shadowRoot.querySelectorAll(".message.from-bot").length >= n,
    count,
    { timeout }
  );
}

// Wait until every expected text appears in some bot message.
export async function waitForBotText(page, expected, timeout = ANSWER_TIMEOUT_MS) {
  const wanted = expected.map(normalise);
  const deadline = Date.now() + timeout;
  for (;;) {
    const shown = await botTexts(page);
    const missing = wanted.filter((text) => !shown.some((message) => message.includes(text)));
    if (missing.length === 0) return shown;
    if (Date.now() > deadline) {
      throw new Error(`Réponse attendue absente : « ${missing[0]} »\nMessages affichés :\n${shown.join("\n")}`);
    }
    await page.waitForTimeout(250);
  }
}

export function storedConversation(page) {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem("library-assistant") || "null"));
}
