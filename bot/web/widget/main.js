// Entry point of the bundle (dist/assistant.js): reads the page's configuration object and
// adds the widget to the page. Embedding it takes one script tag:
//   <script>window.libraryAssistantConfig = { serverUrl: "https://…" };</script>
//   <script src="…/assistant.js" defer></script>

import { CONFIG_GLOBAL, readConfig } from "./config.js";
import { ChatWidget } from "./widget.js";

function start() {
  if (window.libraryAssistant) return; // the script was included twice
  const widget = new ChatWidget(readConfig(window[CONFIG_GLOBAL]));
  widget.mount(document.body);
  window.libraryAssistant = {
    open: () => widget.open(),
    close: () => widget.close(),
  };
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
