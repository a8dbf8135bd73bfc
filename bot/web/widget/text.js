// Message text to DOM nodes. Text is only ever inserted as text nodes: HTML in a message is
// shown as written, never interpreted. Web addresses (bare or as Markdown [label](url)) become
// links that open in a new tab, and only http(s) addresses do.

const LINK = /\[([^\]\n]{1,300})\]\((https?:\/\/[^\s()<>]+)\)|(https?:\/\/[^\s<>"]+)/gi;
// Punctuation that ends a sentence rather than an address: "voir https://x.fr." or "(https://x.fr)".
const TRAILING = /[.,;:!?»)\]'"]+$/;

function safeUrl(candidate) {
  try {
    const url = new URL(candidate);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch (error) {
    return null;
  }
}

function linkElement(href, label) {
  const link = document.createElement("a");
  link.href = href;
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  link.textContent = label;
  const hint = document.createElement("span");
  hint.className = "visually-hidden";
  hint.textContent = " (nouvel onglet)";
  link.append(hint);
  return link;
}

export function appendRichText(parent, text) {
  const source = String(text ?? "");
  let cursor = 0;
  for (const match of source.matchAll(LINK)) {
    let [whole, label, markdownUrl, bareUrl] = match;
    let end = match.index + whole.length;
    if (bareUrl) {
      const trailing = (TRAILING.exec(bareUrl) || [""])[0];
      bareUrl = bareUrl.slice(0, bareUrl.length - trailing.length);
      end -= trailing.length;
    }
    const href = safeUrl(markdownUrl || bareUrl);
    if (!href) continue;
    parent.append(document.createTextNode(source.slice(cursor, match.index)));
    parent.append(linkElement(href, label || bareUrl));
    cursor = end;
  }
  parent.append(document.createTextNode(source.slice(cursor)));
}
