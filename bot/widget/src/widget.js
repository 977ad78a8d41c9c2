// The advisor's chat widget: one <script> tag puts a launcher bubble and a chat panel on any page.
//
//   <script>window.AdvisorWidgetConfig = { serverUrl: "https://…", title: "…" };</script>
//   <script src="https://…/widget.js" defer></script>
//
// It talks to Rasa's socket.io channel (bot/channels.py). The server draws a resume token that
// only this browser keeps (localStorage), and the transcript is kept there too, so a reload
// shows the conversation again and continues it. Every text is rendered with textContent.
import { io } from "socket.io-client";
import { renderAdvice } from "./advice.js";

const ROOT_ID = "advisor-widget";
const MAX_TRANSCRIPT = 300;
const TYPING_TIMEOUT_MS = 45000;

const DEFAULTS = {
  serverUrl: "",
  title: "Conseiller externalisation IT",
  subtitle: "Quels services informatiques externaliser en priorité ?",
  greeting:
    "Bonjour ! Décrivez en quelques phrases votre entreprise et ce qui vous inquiète dans votre informatique : je vous dirai par quoi commencer.",
  primaryColor: "#1f5fbf",
  primaryTextColor: "#ffffff",
  launcherLabel: "Discuter avec le conseiller",
  position: "right",
};

const TEXT = {
  close: "Fermer la conversation",
  input: "Votre message",
  placeholder: "Écrivez votre message…",
  send: "Envoyer",
  typing: "Le conseiller écrit…",
  connecting: "Connexion au conseiller…",
  offline: "Connexion perdue : nouvelle tentative en cours…",
  unreachable: "Le conseiller est momentanément injoignable. Réessayez dans un instant.",
  noAnswer: "Le conseiller met du temps à répondre. Réessayez dans un instant.",
  replies: "Réponses proposées",
  messages: "Conversation",
  you: "Vous",
  bot: "Conseiller",
};

// http(s) addresses in the bot's texts (the report's link) become links; the rest stays text.
const URL_PATTERN = /https?:\/\/[^\s<>"«»]+[^\s<>"«».,;:!?)]/g;

function textWithLinks(text) {
  const paragraph = el("p", "aw-text");
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    paragraph.appendChild(document.createTextNode(text.slice(last, match.index)));
    const link = el("a", "aw-link", match[0]);
    link.href = match[0];
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    paragraph.appendChild(link);
    last = match.index + match[0].length;
  }
  paragraph.appendChild(document.createTextNode(text.slice(last)));
  return paragraph;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function currentScriptBase() {
  const script =
    document.currentScript ||
    Array.from(document.querySelectorAll("script[src]")).find((s) => /widget\.js(\?|$)/.test(s.src));
  return script ? new URL(".", script.src).href : new URL("/", window.location.href).href;
}

// localStorage can be missing or full (private browsing): the widget then keeps memory only.
function makeStore(prefix) {
  const memory = {};
  const key = (name) => prefix + name;
  return {
    get(name) {
      try {
        const raw = window.localStorage.getItem(key(name));
        return raw === null ? memory[name] : JSON.parse(raw);
      } catch (error) {
        return memory[name];
      }
    },
    set(name, value) {
      memory[name] = value;
      try {
        window.localStorage.setItem(key(name), JSON.stringify(value));
      } catch (error) {
        /* memory only */
      }
    },
  };
}

function isSafeColor(value) {
  return typeof value === "string" && /^(#[0-9a-fA-F]{3,8}|rgba?\([\d\s.,%]+\)|[a-zA-Z]+)$/.test(value);
}

class AdvisorWidget {
  constructor(config, base) {
    this.config = config;
    this.base = base;
    this.store = null;
    this.socket = null;
    this.confirmed = false;
    this.pending = [];
    this.typingTimer = null;
    this.transcript = [];
  }

  start() {
    if (document.getElementById(ROOT_ID)) return; // embedded twice: keep the first
    this.buildDom();
    const stylesheet = document.createElement("link");
    stylesheet.rel = "stylesheet";
    stylesheet.href = new URL("widget.css", this.base).href;
    stylesheet.addEventListener("load", () => {
      this.root.removeAttribute("hidden");
      this.scrollToEnd();
    });
    stylesheet.addEventListener("error", () => this.root.removeAttribute("hidden"));
    document.head.appendChild(stylesheet);
    document.body.appendChild(this.root);
    // One conversation per widget installation (the URL widget.js was loaded from).
    this.store = makeStore(`advisor-widget:${this.base}:`);
    this.restore();
    let reopen = false;
    try {
      reopen = window.sessionStorage.getItem(`${ROOT_ID}:open`) === "1";
    } catch (error) {
      /* not remembered */
    }
    if (reopen) this.open(false);
    this.resolveServer().then(
      (serverUrl) => {
        this.serverUrl = serverUrl;
        if (this.isOpen() || this.pending.length) this.connect();
      },
      () => this.setStatus(TEXT.unreachable)
    );
  }

  resolveServer() {
    if (this.config.serverUrl) return Promise.resolve(String(this.config.serverUrl).replace(/\/+$/, ""));
    return fetch(new URL("config.json", this.base).href, { credentials: "omit" })
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.json();
      })
      .then((data) => String(data.serverUrl || "").replace(/\/+$/, ""))
      .then((url) => {
        if (!/^https?:\/\//.test(url)) throw new Error("serverUrl");
        return url;
      });
  }

  buildDom() {
    const config = this.config;
    const root = el("div", `aw-root aw-${config.position === "left" ? "left" : "right"}`);
    root.id = ROOT_ID;
    root.setAttribute("hidden", "");
    if (isSafeColor(config.primaryColor)) root.style.setProperty("--aw-primary", config.primaryColor);
    if (isSafeColor(config.primaryTextColor)) root.style.setProperty("--aw-on-primary", config.primaryTextColor);

    const launcher = el("button", "aw-launcher");
    launcher.type = "button";
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "aw-panel");
    launcher.setAttribute("aria-label", config.launcherLabel);
    launcher.appendChild(chatIcon());
    launcher.addEventListener("click", () => (this.isOpen() ? this.close() : this.open(true)));

    const panel = el("section", "aw-panel");
    panel.id = "aw-panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-labelledby", "aw-title");
    panel.setAttribute("hidden", "");
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.close();
      }
    });

    const header = el("header", "aw-header");
    const titles = el("div", "aw-titles");
    const title = el("h2", "aw-title", config.title);
    title.id = "aw-title";
    titles.appendChild(title);
    if (config.subtitle) titles.appendChild(el("p", "aw-subtitle", config.subtitle));
    const closeButton = el("button", "aw-close");
    closeButton.type = "button";
    closeButton.setAttribute("aria-label", TEXT.close);
    closeButton.appendChild(el("span", null, "×")).setAttribute("aria-hidden", "true");
    closeButton.addEventListener("click", () => this.close());
    header.append(titles, closeButton);

    const log = el("div", "aw-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-label", TEXT.messages);
    log.tabIndex = 0;

    const typing = el("div", "aw-typing");
    typing.setAttribute("role", "status");
    typing.setAttribute("hidden", "");
    const dots = el("span", "aw-dots");
    dots.setAttribute("aria-hidden", "true");
    dots.append(el("span"), el("span"), el("span"));
    typing.append(dots, el("span", "aw-sr", TEXT.typing));

    const status = el("p", "aw-status");
    status.setAttribute("role", "status");

    const form = el("form", "aw-composer");
    form.noValidate = true;
    const label = el("label", "aw-sr", TEXT.input);
    label.htmlFor = "aw-input";
    const input = el("textarea", "aw-input");
    input.id = "aw-input";
    input.rows = 1;
    input.placeholder = TEXT.placeholder;
    input.setAttribute("autocomplete", "off");
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit ? form.requestSubmit() : this.submit();
      }
    });
    const send = el("button", "aw-send", TEXT.send);
    send.type = "submit";
    form.append(label, input, send);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });

    panel.append(header, log, typing, status, form);
    root.append(panel, launcher);
    Object.assign(this, { root, launcher, panel, log, typing, status, input });
  }

  isOpen() {
    return !this.panel.hasAttribute("hidden");
  }

  open(moveFocus) {
    this.panel.removeAttribute("hidden");
    this.launcher.setAttribute("aria-expanded", "true");
    this.root.classList.add("aw-is-open");
    try {
      sessionStorage.setItem(`${ROOT_ID}:open`, "1");
    } catch (error) {
      /* not remembered */
    }
    if (this.transcript.length === 0) this.showGreeting();
    this.connect();
    this.scrollToEnd();
    if (moveFocus) this.input.focus();
  }

  close() {
    this.panel.setAttribute("hidden", "");
    this.launcher.setAttribute("aria-expanded", "false");
    this.root.classList.remove("aw-is-open");
    try {
      sessionStorage.removeItem(`${ROOT_ID}:open`);
    } catch (error) {
      /* not remembered */
    }
    this.launcher.focus();
  }

  showGreeting() {
    if (this.config.greeting) this.record({ from: "bot", message: { text: this.config.greeting } });
  }

  // --- connection -------------------------------------------------------------------------

  connect() {
    if (this.socket || !this.serverUrl) return;
    this.setStatus(TEXT.connecting);
    const socket = io(this.serverUrl, { path: "/socket.io", withCredentials: false });
    this.socket = socket;
    socket.on("connect", () => {
      this.confirmed = false;
      const token = this.store.get("token");
      socket.emit("session_request", token ? { resume_token: token } : {});
    });
    socket.on("session_confirm", (data) => {
      if (data && typeof data.resume_token === "string") this.store.set("token", data.resume_token);
      this.confirmed = true;
      this.setStatus("");
      const pending = this.pending.splice(0);
      pending.forEach((text) => socket.emit("user_uttered", { message: text }));
    });
    socket.on("bot_uttered", (message) => this.receive(message));
    socket.on("connect_error", () => this.setStatus(TEXT.unreachable));
    socket.on("disconnect", () => {
      this.confirmed = false;
      this.setStatus(TEXT.offline);
    });
  }

  setStatus(text) {
    this.status.textContent = text;
    this.status.hidden = !text;
  }

  // --- conversation -----------------------------------------------------------------------

  submit() {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = "";
    this.say(text, text);
  }

  say(payload, shown) {
    this.removeQuickReplies();
    this.record({ from: "user", message: { text: shown } });
    this.showTyping(true);
    if (this.socket && this.confirmed) this.socket.emit("user_uttered", { message: payload });
    else {
      this.pending.push(payload);
      this.connect();
    }
  }

  receive(message) {
    if (!message || typeof message !== "object") return;
    this.showTyping(false);
    this.record({ from: "bot", message });
  }

  showTyping(on) {
    clearTimeout(this.typingTimer);
    this.typing.hidden = !on;
    if (on) {
      this.typingTimer = setTimeout(() => {
        this.typing.hidden = true;
        this.setStatus(TEXT.noAnswer);
      }, TYPING_TIMEOUT_MS);
    }
    this.scrollToEnd();
  }

  record(entry) {
    this.transcript.push(entry);
    if (this.transcript.length > MAX_TRANSCRIPT) this.transcript.splice(0, this.transcript.length - MAX_TRANSCRIPT);
    this.store.set("transcript", this.transcript);
    this.render(entry, true);
  }

  restore() {
    const saved = this.store.get("transcript");
    this.transcript = Array.isArray(saved) ? saved.filter((e) => e && typeof e === "object") : [];
    this.transcript.forEach((entry, index) => this.render(entry, index === this.transcript.length - 1));
    this.scrollToEnd();
  }

  render(entry, isLast) {
    const message = entry.message || {};
    const fromUser = entry.from === "user";
    const item = el("div", `aw-msg ${fromUser ? "aw-user" : "aw-bot"}`);
    item.appendChild(el("span", "aw-sr", `${fromUser ? TEXT.you : TEXT.bot} : `));
    const advice = message.custom && message.custom.type === "advice" ? message.custom : null;
    if (advice) {
      item.classList.add("aw-has-plan");
      item.appendChild(renderAdvice(advice));
    } else if (typeof message.text === "string" && message.text) {
      item.appendChild(fromUser ? el("p", "aw-text", message.text) : textWithLinks(message.text));
    } else {
      return; // nothing this widget can show (images, unknown custom payloads)
    }
    this.log.appendChild(item);
    const replies = message.quick_replies || message.buttons;
    if (!fromUser && isLast && Array.isArray(replies) && replies.length) this.showQuickReplies(replies);
    this.scrollToEnd();
  }

  showQuickReplies(replies) {
    this.removeQuickReplies();
    const group = el("div", "aw-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", TEXT.replies);
    replies.forEach((reply) => {
      if (!reply || typeof reply.title !== "string") return;
      const button = el("button", "aw-reply", reply.title);
      button.type = "button";
      button.addEventListener("click", () => {
        this.say(String(reply.payload || reply.title), reply.title);
        this.input.focus();
      });
      group.appendChild(button);
    });
    this.log.appendChild(group);
    this.replies = group;
  }

  removeQuickReplies() {
    if (this.replies) this.replies.remove();
    this.replies = null;
  }

  scrollToEnd() {
    // After layout: a panel that just appeared has no height yet.
    window.requestAnimationFrame(() => {
      this.log.scrollTop = this.log.scrollHeight;
    });
  }
}

function chatIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "28");
  svg.setAttribute("height", "28");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("fill", "currentColor");
  path.setAttribute(
    "d",
    "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z"
  );
  svg.appendChild(path);
  return svg;
}

function boot() {
  const base = currentScriptBase();
  const config = Object.assign({}, DEFAULTS, window.AdvisorWidgetConfig || {});
  const start = () => new AdvisorWidget(config, base).start();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}

boot();
