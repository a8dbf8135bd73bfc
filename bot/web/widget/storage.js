// The conversation kept in the browser (session storage by default: on a shared library
// computer, closing the tab forgets it), so that a page reload neither restarts the
// conversation with Rasa nor loses what was said or typed.

const KEY = "library-assistant";
const MAX_MESSAGES = 200;

function pickStorage(kind) {
  try {
    const storage = kind === "local" ? window.localStorage : window.sessionStorage;
    const probe = `${KEY}:probe`;
    storage.setItem(probe, "1");
    storage.removeItem(probe);
    return storage;
  } catch (error) {
    return null; // storage disabled: the conversation lives as long as the page
  }
}

function emptyState() {
  return { sessionId: null, messages: [], open: false, draft: "" };
}

export class ConversationStore {
  constructor(kind) {
    this.storage = pickStorage(kind);
    this.state = { ...emptyState(), ...this.read() };
  }

  read() {
    try {
      const saved = JSON.parse(this.storage?.getItem(KEY) || "null");
      return saved && Array.isArray(saved.messages) ? saved : {};
    } catch (error) {
      return {};
    }
  }

  save() {
    this.state.messages = this.state.messages.slice(-MAX_MESSAGES);
    try {
      this.storage?.setItem(KEY, JSON.stringify(this.state));
    } catch (error) {
      // full or disabled storage: keep going with the in-memory conversation
    }
  }

  update(changes) {
    Object.assign(this.state, changes);
    this.save();
  }

  addMessage(message) {
    this.state.messages.push(message);
    this.save();
    return message;
  }

  pendingMessages() {
    return this.state.messages.filter((message) => message.pending);
  }

  reset() {
    this.state = { ...emptyState(), open: this.state.open };
    this.save();
  }
}
