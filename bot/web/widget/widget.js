// The chat widget: a launcher button and a non-modal dialog holding the conversation, built
// inside a shadow root so that the host page's styles neither break it nor are broken by it.

import styles from "./assistant.css";
import { themeColours } from "./config.js";
import { RasaConnection, Status } from "./connection.js";
import { ConversationStore } from "./storage.js";
import { appendRichText } from "./text.js";

const TYPING_TIMEOUT_MS = 30000;
const ANNOUNCEMENTS_KEPT = 4;
const STATUS_TEXT = {
  [Status.connecting]: "Connexion à l'assistant…",
  [Status.online]: "",
  [Status.offline]:
    "L'assistant ne répond pas pour le moment. Nouvelle tentative automatique en cours ; " +
    "vos messages seront envoyés dès le retour de la connexion.",
};
const ICONS = {
  chat: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>',
  close: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18"/></svg>',
  restart: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 12a8 8 0 1 0 2.3-5.6M4 4v5h5"/></svg>',
};

function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

function iconButton(className, label, icon) {
  const button = element("button", { type: "button", class: `icon-button ${className}`, "aria-label": label, title: label });
  button.innerHTML = icon; // constant markup of this file, never message content
  return button;
}

function quickRepliesOf(message) {
  const buttons = message.quick_replies || message.buttons || [];
  return (Array.isArray(buttons) ? buttons : [])
    .filter((button) => button && button.title)
    .map((button) => ({ title: String(button.title), payload: String(button.payload ?? button.title) }));
}

export class ChatWidget {
  constructor(config) {
    this.config = config;
    this.store = new ConversationStore(config.storage);
    this.connection = new RasaConnection({
      serverUrl: config.serverUrl,
      socketPath: config.socketPath,
      sessionId: this.store.state.sessionId,
      onBotMessage: (message) => this.receive(message),
      onSession: (sessionId) => this.sessionConfirmed(sessionId),
      onStatus: (status) => this.showStatus(status),
    });
    this.typingTimer = null;
  }

  mount(parent) {
    this.host = element("div", { id: "library-assistant", lang: "fr" });
    const root = this.host.attachShadow({ mode: "open" });
    if (root.adoptedStyleSheets && typeof CSSStyleSheet.prototype.replaceSync === "function") {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(styles);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.append(element("style", {}, styles));
    }
    root.append(this.build());
    parent.append(this.host);
    this.renderConversation();
    if (this.store.state.open) this.open({ focus: false });
    performance.mark?.("library-assistant-ready");
  }

  build() {
    const { primary, onPrimary, link } = themeColours(this.config.colors);
    // A labelled landmark: screen-reader users can jump to the assistant from anywhere.
    const frame = element("aside", { class: "assistant", "aria-label": this.config.title });
    frame.style.setProperty("--primary", primary);
    frame.style.setProperty("--on-primary", onPrimary);
    frame.style.setProperty("--link", link);

    this.launcher = element("button", { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "assistant-panel" });
    this.launcher.innerHTML = ICONS.chat;
    this.launcher.append(element("span", {}, this.config.launcherLabel));
    this.launcher.addEventListener("click", () => (this.isOpen() ? this.close() : this.open()));

    this.panel = element("section", { id: "assistant-panel", class: "panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "assistant-title" });
    this.panel.hidden = true;
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.close();
      }
    });

    const header = element("div", { class: "header" });
    const titles = element("div", { class: "titles" });
    titles.append(element("h2", { id: "assistant-title" }, this.config.title));
    if (this.config.subtitle) titles.append(element("p", { class: "subtitle" }, this.config.subtitle));
    const restart = iconButton("restart", "Nouvelle conversation", ICONS.restart);
    restart.addEventListener("click", () => this.restart());
    const close = iconButton("close", "Fermer l'assistant", ICONS.close);
    close.addEventListener("click", () => this.close());
    header.append(titles, restart, close);

    const statusBar = element("div", { class: "status-bar" });
    this.status = element("p", { class: "status", role: "status" });
    this.retry = element("button", { type: "button", class: "retry" }, "Réessayer maintenant");
    this.retry.hidden = true;
    this.retry.addEventListener("click", () => this.connection.retryNow());
    statusBar.append(this.status, this.retry);

    this.log = element("div", { class: "log", role: "region", "aria-label": "Conversation", tabindex: "0" });
    this.messages = element("ol", { class: "messages" });
    this.typing = element("p", { class: "typing" });
    this.typing.append(element("span", { class: "visually-hidden" }, "L'assistant écrit…"));
    const dots = element("span", { class: "dots", "aria-hidden": "true" });
    dots.append(element("span"), element("span"), element("span"));
    this.typing.append(dots);
    this.typing.hidden = true;
    this.quickReplies = element("div", { class: "quick-replies", role: "group", "aria-label": "Réponses suggérées" });
    this.log.append(this.messages, this.typing, this.quickReplies);

    const form = element("form", { class: "composer" });
    const label = element("label", { for: "assistant-input", class: "visually-hidden" }, "Votre question");
    this.input = element("input", {
      id: "assistant-input", type: "text", autocomplete: "off", enterkeyhint: "send",
      maxlength: "500", placeholder: this.config.placeholder,
    });
    this.input.value = this.store.state.draft || "";
    this.input.addEventListener("input", () => this.store.update({ draft: this.input.value }));
    const send = element("button", { type: "submit", class: "send" }, "Envoyer");
    form.append(label, this.input, send);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });

    this.panel.append(header, statusBar, this.log, form, this.buildPrivacyNotice());
    // Outside the panel so that it is in the page before anything is said in it.
    this.announcer = element("div", { class: "visually-hidden", "aria-live": "polite" });
    frame.append(this.launcher, this.panel, this.announcer);
    return frame;
  }

  // After the input, so that Tab and Shift+Tab from the input still reach the conversation first.
  buildPrivacyNotice() {
    const { privacyNotice, privacyLinkLabel, privacyUrl } = this.config;
    const notice = element("p", { class: "privacy" });
    const href = privacyUrl ? new URL(privacyUrl, document.baseURI).href : "";
    appendRichText(notice, href ? `${privacyNotice} [${privacyLinkLabel}](${href})` : privacyNotice);
    return notice;
  }

  isOpen() {
    return !this.panel.hidden;
  }

  open({ focus = true } = {}) {
    this.panel.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    this.host.classList.add("open");
    this.store.update({ open: true });
    this.connection.start();
    this.scrollToEnd();
    if (focus) this.input.focus();
  }

  close() {
    const hadFocus = this.host.shadowRoot.activeElement !== null;
    this.panel.hidden = true;
    this.launcher.setAttribute("aria-expanded", "false");
    this.host.classList.remove("open");
    this.store.update({ open: false });
    if (hadFocus) this.launcher.focus();
  }

  submit() {
    const text = this.input.value.trim();
    if (!text) return this.input.focus();
    this.input.value = "";
    this.store.update({ draft: "" });
    this.say(text, text);
  }

  say(shownText, payload) {
    const message = this.store.addMessage({ from: "user", text: shownText, payload, pending: true });
    if (this.connection.send(payload)) message.pending = false;
    this.store.save();
    this.renderConversation();
    this.setTyping(!message.pending);
    if (message.pending) this.announce("Message en attente : il sera envoyé dès le retour de la connexion.");
  }

  sessionConfirmed(sessionId) {
    const isNew = sessionId !== this.store.state.sessionId && this.store.state.messages.length === 0;
    this.store.update({ sessionId });
    performance.mark?.("library-assistant-connected");
    const pending = this.store.pendingMessages();
    for (const message of pending) {
      if (this.connection.send(message.payload)) message.pending = false;
    }
    if (isNew && this.config.initPayload) this.connection.send(this.config.initPayload);
    if (pending.length) {
      this.store.save();
      this.renderConversation();
      this.setTyping(true);
    }
  }

  receive(payload) {
    let text = typeof payload.text === "string" ? payload.text : "";
    const image = payload.attachment && payload.attachment.payload && payload.attachment.payload.src;
    if (!text && typeof image === "string") text = `Image : ${image}`;
    const quickReplies = quickRepliesOf(payload);
    if (!text && !quickReplies.length) return;
    this.setTyping(false);
    this.store.addMessage({ from: "bot", text, quickReplies });
    this.renderConversation();
    const offered = quickReplies.length ? ` Réponses suggérées : ${quickReplies.map((q) => q.title).join(" ; ")}.` : "";
    this.announce(`L'assistant : ${text}${offered}`);
  }

  restart() {
    this.store.reset();
    this.input.value = "";
    this.setTyping(false);
    this.connection.restart();
    this.renderConversation();
    this.announce("Nouvelle conversation.");
    this.input.focus();
  }

  renderConversation() {
    const { messages } = this.store.state;
    // The greeting is the page's, not the server's: shown first, never stored.
    const shown = [{ from: "bot", text: this.config.greeting }, ...messages];
    this.messages.replaceChildren(...shown.filter((m) => m.text).map((m) => this.renderMessage(m)));
    this.renderQuickReplies(messages[messages.length - 1]);
    this.scrollToEnd();
  }

  renderMessage(message) {
    const item = element("li", { class: `message from-${message.from === "user" ? "user" : "bot"}` });
    item.append(element("span", { class: "visually-hidden" }, message.from === "user" ? "Vous : " : "L'assistant : "));
    const body = element("div", { class: "text" });
    appendRichText(body, message.text);
    item.append(body);
    if (message.pending) item.append(element("p", { class: "pending" }, "En attente d'envoi"));
    return item;
  }

  renderQuickReplies(last) {
    const replies = last && last.from === "bot" ? last.quickReplies || [] : [];
    this.quickReplies.replaceChildren(
      ...replies.map((reply) => {
        const button = element("button", { type: "button", class: "quick-reply" }, reply.title);
        button.addEventListener("click", () => {
          this.say(reply.title, reply.payload);
          this.input.focus(); // the buttons are gone: keep the keyboard in the conversation
        });
        return button;
      })
    );
    this.quickReplies.hidden = replies.length === 0;
  }

  setTyping(on) {
    clearTimeout(this.typingTimer);
    this.typing.hidden = !on;
    if (on) this.typingTimer = setTimeout(() => this.setTyping(false), TYPING_TIMEOUT_MS);
    this.scrollToEnd();
  }

  showStatus(status) {
    const text = STATUS_TEXT[status] || "";
    // Rewriting the same text would make screen readers repeat it at every retry.
    if (this.status.textContent !== text) this.status.textContent = text;
    if (status !== Status.offline && this.host.shadowRoot.activeElement === this.retry) this.input.focus();
    this.retry.hidden = status !== Status.offline;
    if (status === Status.offline) this.setTyping(false);
  }

  announce(text) {
    this.announcer.append(element("p", {}, text));
    while (this.announcer.childElementCount > ANNOUNCEMENTS_KEPT) this.announcer.firstElementChild.remove();
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }
}
