// The embedding page's configuration object, completed with defaults, and the colours the
// widget derives from it so that text keeps a WCAG AA contrast whatever colour is chosen.

export const CONFIG_GLOBAL = "libraryAssistantConfig";

const DEFAULTS = {
  serverUrl: "http://127.0.0.1:5005",
  socketPath: "/socket.io/",
  title: "Assistant de la bibliothèque",
  subtitle: "Assistant automatique : un programme, pas une personne",
  launcherLabel: "Une question ?",
  greeting: "Bonjour ! Posez votre question sur la pair-aidance, le travail pair ou la médiation en santé.",
  placeholder: "Écrivez votre question…",
  // The one-line privacy notice under the input, and its link (the site's privacy page).
  privacyNotice: "Messages conservés un temps limité.",
  privacyLinkLabel: "Confidentialité",
  privacyUrl: "/confidentialite.html",
  initPayload: null,
  storage: "session",
  colors: { primary: "#1d4f91" },
};

const FALLBACK_PRIMARY = DEFAULTS.colors.primary;
const DARK_TEXT = "#1b1b1b";
const LIGHT_TEXT = "#ffffff";
export const BOT_BUBBLE = "#eef1f5";

export function readConfig(source) {
  const given = source && typeof source === "object" ? source : {};
  const config = { ...DEFAULTS, ...given, colors: { ...DEFAULTS.colors, ...(given.colors || {}) } };
  config.serverUrl = String(config.serverUrl).replace(/\/+$/, "");
  config.storage = config.storage === "local" ? "local" : "session";
  return config;
}

function parseHex(colour) {
  const match = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(colour || "").trim());
  if (!match) return null;
  const hex = match[1].length === 3 ? match[1].replace(/./g, "$&$&") : match[1];
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

function luminance(rgb) {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a, b) {
  const [high, low] = [luminance(parseHex(a)), luminance(parseHex(b))].sort((x, y) => y - x);
  return (high + 0.05) / (low + 0.05);
}

// Hex colours only: they are the ones whose contrast can be checked here.
export function themeColours(colors) {
  let primary = colors.primary;
  if (!parseHex(primary)) {
    console.warn(`Assistant : couleur « ${primary} » non reconnue (format #RRGGBB attendu).`);
    primary = FALLBACK_PRIMARY;
  }
  const onPrimary = contrast(primary, LIGHT_TEXT) >= contrast(primary, DARK_TEXT) ? LIGHT_TEXT : DARK_TEXT;
  if (contrast(primary, onPrimary) < 4.5) {
    console.warn(`Assistant : la couleur ${primary} contraste trop peu avec son texte ; couleur par défaut utilisée.`);
    return themeColours({ primary: FALLBACK_PRIMARY });
  }
  const link = contrast(primary, BOT_BUBBLE) >= 4.5 ? primary : DARK_TEXT;
  return { primary, onPrimary, link };
}
