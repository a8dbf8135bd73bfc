// The widget's browser scenarios, one per run: `node tests/web/scenarios.mjs NAME`, with the
// scenario's parameters as JSON in SCENARIO_PARAMS (tests/web/test_widget.py passes them).
// A scenario throws (non-zero exit, message on stderr) when the widget does not behave; on
// success it prints one JSON line of measurements.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import {
  DESKTOP, PHONE, botTexts, deepActiveElement, launchBrowser, normalise, openPage,
  storedConversation, tabUntil, waitForBotMessages, waitForBotText,
} from "./browser.mjs";

const require = createRequire(import.meta.url);
const INJECTED = "<img src=x onerror=alert(1)><script>window.__pwned = 1</script>[cliquez](javascript:alert(2))";

function assertNothingHappened(incidents) {
  assert.deepEqual(incidents.dialogs, [], "une boîte de dialogue s'est ouverte (script exécuté)");
  assert.deepEqual(incidents.errors, [], "erreur JavaScript dans la page");
  assert.deepEqual(incidents.foreignRequests, [], "requête hors de cette machine (CDN ?)");
}

async function openWithKeyboard(page) {
  const launcher = await tabUntil(page, (active) => active.className.includes("launcher"));
  assert.ok(launcher.outline, "le bouton d'ouverture n'a pas de contour de focus visible");
  await page.keyboard.press("Enter");
  const input = await deepActiveElement(page);
  assert.equal(input.id, "assistant-input", "le champ de saisie n'a pas reçu le focus à l'ouverture");
}

async function ask(page, text) {
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
}

const scenarios = {
  // The page loads, shows the widget, and connects it; how long each step takes.
  async page_loads(browser, { url }) {
    const { page, incidents } = await openPage(browser, url);
    assert.match(await page.locator("h1").textContent(), /pair-aidance/);
    const launcher = page.getByRole("button", { name: "Une question ?" });
    await launcher.waitFor();
    const openedAt = await page.evaluate(() => performance.now());
    // The page's own button opens the widget too (window.libraryAssistant.open()).
    await page.getByRole("button", { name: "Discuter avec l'assistant" }).click();
    await page.waitForFunction(() => performance.getEntriesByName("library-assistant-connected").length > 0);
    assert.equal(await page.getByRole("dialog", { name: "Assistant de la médiathèque" }).isVisible(), true);
    const timing = await page.evaluate(() => ({
      domContentLoaded: performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd,
      widgetReady: performance.getEntriesByName("library-assistant-ready")[0].startTime,
      connected: performance.getEntriesByName("library-assistant-connected")[0].startTime,
    }));
    assertNothingHappened(incidents);
    return { ...timing, openToConnectedMs: timing.connected - openedAt };
  },

  // Keyboard only: Tab to the launcher, type a question, get the answer with its source link.
  async keyboard_question(browser, { url, question, paragraphs, links }) {
    const { page, incidents } = await openPage(browser, url);
    await openWithKeyboard(page);
    await ask(page, question);
    await waitForBotText(page, paragraphs);
    const userTexts = await page.locator(".message.from-user .text").allTextContents();
    assert.deepEqual(userTexts.map(normalise), [normalise(question)]);
    for (const href of links) {
      const link = page.locator(`.message.from-bot a[href="${href}"]`).first();
      assert.equal(await link.count(), 1, `lien de la source absent : ${href}`);
      assert.equal(await link.getAttribute("target"), "_blank");
      assert.match(await link.getAttribute("rel"), /noopener/);
      assert.match(await link.textContent(), /nouvel onglet/);
    }
    const announced = normalise(await page.locator("[aria-live]").textContent());
    assert.ok(announced.includes(normalise(paragraphs[0]).slice(0, 60)), "la réponse n'est pas annoncée dans la région live");
    // The first link of the answer is reachable with Tab and shows its focus.
    const firstLink = await tabUntil(page, (active) => active.tag === "a", "Shift+Tab");
    assert.ok(firstLink.outline, "un lien n'a pas de contour de focus visible");
    await page.keyboard.press("Escape");
    const back = await deepActiveElement(page);
    assert.ok(back.className.includes("launcher"), "Échap ne rend pas le focus au bouton d'ouverture");
    assert.equal(await page.locator(".panel").isVisible(), false);
    assertNothingHappened(incidents);
    return {};
  },

  // A quick-reply button, reached and pressed with the keyboard, sends its payload.
  async quick_reply(browser, { url, greeting, title, answer }) {
    const { page, incidents } = await openPage(browser, url);
    await openWithKeyboard(page);
    await ask(page, greeting);
    const button = page.getByRole("group", { name: "Réponses suggérées" }).getByRole("button", { name: title });
    await button.waitFor({ timeout: 60000 });
    const before = (await botTexts(page)).length;
    const reached = await tabUntil(page, (active) => active.name === title, "Shift+Tab");
    assert.ok(reached.outline, "une réponse suggérée n'a pas de contour de focus visible");
    await page.keyboard.press("Enter");
    await page.locator(".message.from-user .text", { hasText: title }).waitFor();
    await waitForBotMessages(page, before + 1);
    await waitForBotText(page, [answer]);
    assert.equal((await deepActiveElement(page)).id, "assistant-input", "le focus n'est pas revenu au champ de saisie");
    assertNothingHappened(incidents);
    return {};
  },

  // A reload keeps the conversation, on screen and on the server (same Rasa session).
  async reload_keeps_conversation(browser, { url, question, paragraphs, followUp }) {
    const { page, incidents } = await openPage(browser, url);
    await page.locator(".launcher").click();
    await ask(page, question);
    await waitForBotText(page, paragraphs);
    await page.waitForTimeout(1000); // the last parts of the answer
    const before = await botTexts(page);
    const stored = await storedConversation(page);
    assert.ok(stored.sessionId, "aucun identifiant de session dans le stockage du navigateur");
    await page.reload({ waitUntil: "load" });
    await page.locator(".panel").waitFor({ state: "visible" });
    assert.deepEqual(await botTexts(page), before, "la conversation affichée a changé au rechargement");
    await page.locator("#assistant-input").focus();
    await ask(page, followUp);
    await waitForBotMessages(page, before.length + 1);
    const after = (await botTexts(page)).slice(before.length);
    // A new Rasa session would begin again with the opening message of the first one.
    assert.ok(!after.includes(before[0]), `le serveur a ouvert une nouvelle session : ${after.join(" | ")}`);
    assert.equal((await storedConversation(page)).sessionId, stored.sessionId);
    assertNothingHappened(incidents);
    return { messagesKept: before.length };
  },

  // HTML typed by the user or sent by the server is shown as text and never run.
  async html_is_text(browser, { url, typed }) {
    // Rewrite the server's answers on their way to the page (long-polling and WebSocket).
    const inject = (frame) =>
      String(frame).replace('"bot_uttered",{"text":"', `"bot_uttered",{"text":${JSON.stringify(INJECTED + " ").slice(0, -1)}`);
    const { page, incidents } = await openPage(browser, url, DESKTOP, async (page) => {
      await page.routeWebSocket(/socket\.io/, (ws) => {
        const server = ws.connectToServer();
        ws.onMessage((message) => server.send(message));
        server.onMessage((message) => ws.send(inject(message)));
      });
      await page.route(/socket\.io/, async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, body: inject(await response.text()) });
      });
    });
    await page.locator(".launcher").click();
    await ask(page, typed);
    await waitForBotText(page, [INJECTED.slice(0, 30)]);
    await page.waitForTimeout(500);
    assert.equal(normalise(await page.locator(".message.from-user .text").first().textContent()), typed);
    const root = page.locator("#library-assistant");
    assert.equal(await root.locator("img, script:not([src])").count(), 0, "du HTML d'un message a été interprété");
    assert.equal(await root.locator('a[href^="javascript"]').count(), 0, "un lien javascript: a été créé");
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assertNothingHappened(incidents);
    return {};
  },

  // axe-core on the page with the widget open and answered, on a desktop and on a phone,
  // and screenshots of both under results/.
  async accessibility(browser, { url, question, paragraphs, screenshots }) {
    const axeSource = await readFile(require.resolve("axe-core/axe.min.js"), "utf8");
    const found = {};
    for (const [name, viewport] of Object.entries({ desktop: DESKTOP, phone: PHONE })) {
      const { page, incidents } = await openPage(browser, url, viewport);
      await page.locator(".launcher").click();
      await ask(page, question);
      await waitForBotText(page, paragraphs);
      await page.locator(".quick-reply").first().waitFor().catch(() => {});
      await page.waitForTimeout(500);
      if (name === "phone") {
        const box = await page.locator(".panel").boundingBox();
        assert.ok(box.width <= viewport.width && box.x >= 0, "le widget déborde de l'écran du téléphone");
        assert.ok(await page.locator(".send").isVisible(), "le bouton Envoyer n'est pas visible sur téléphone");
        const overflow = await page.locator(".log").evaluate((log) => log.scrollWidth - log.clientWidth);
        assert.ok(overflow <= 0, "la conversation défile horizontalement sur téléphone");
      }
      await page.locator("#assistant-input").focus();
      await page.screenshot({ path: screenshots[name] });
      await page.addScriptTag({ content: axeSource });
      const result = await page.evaluate(() =>
        window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] })
      );
      const serious = result.violations.filter((v) => ["serious", "critical"].includes(v.impact));
      found[name] = result.violations.map((v) => `${v.id} (${v.impact})`);
      assert.deepEqual(
        serious.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
        [],
        `violations graves d'accessibilité (${name})`
      );
      assertNothingHappened(incidents);
      await page.context().close();
    }
    return { minorViolations: found };
  },

  // The server cannot be reached: the widget says so, keeps the message, and sends it when
  // the connection comes back.
  async server_unreachable(browser, { url, question, paragraphs }) {
    // The widget speaks WebSocket first, then long-polling: both are cut from the start, then
    // given back.
    let cut = true;
    const refuse = (route) => (cut ? route.abort("connectionrefused") : route.continue());
    const { page, incidents } = await openPage(browser, url, DESKTOP, async (page) => {
      await page.route(/socket\.io/, refuse);
      await page.routeWebSocket(/socket\.io/, (ws) => (cut ? ws.close() : ws.connectToServer()));
    });
    await page.locator(".launcher").click();
    await page.locator(".status", { hasText: "ne répond pas" }).waitFor({ timeout: 20000 });
    await ask(page, question);
    await page.locator(".message.from-user .pending").waitFor();
    assert.equal(normalise(await page.locator(".message.from-user .text").textContent()), normalise(question));
    assert.equal(await page.getByRole("button", { name: "Réessayer maintenant" }).isVisible(), true);
    cut = false;
    await page.getByRole("button", { name: "Réessayer maintenant" }).click();
    await waitForBotText(page, paragraphs);
    assert.equal(await page.locator(".pending").count(), 0, "le message est resté en attente");
    assert.equal(normalise(await page.locator(".status").textContent()), "");
    incidents.errors = incidents.errors.filter((e) => !/socket|xhr poll/i.test(e));
    assertNothingHappened(incidents);
    return {};
  },
};

const [name] = process.argv.slice(2);
if (!scenarios[name]) {
  console.error(`Scénario inconnu : ${name}. Scénarios : ${Object.keys(scenarios).join(", ")}`);
  process.exit(2);
}
const browser = await launchBrowser();
try {
  const measures = await scenarios[name](browser, JSON.parse(process.env.SCENARIO_PARAMS || "{}"));
  console.log(JSON.stringify(measures || {}));
} finally {
  await browser.close();
}
