/*
 * The trial screening chat for a web page. One script tag mounts it:
 *
 *   <script src="https://<chat server>/chat.js" data-bot-url="https://<bot>" defer></script>
 *
 * data-bot-url   the bot's REST channel (POST <bot-url>/webhooks/rest/webhook); default: the one
 *                the chat server was configured with
 * data-target    a CSS selector of the element to mount the chat in; default: right after the tag
 * data-lang      the language of the chat's own text (i18n/<lang>.json); default: the page's lang
 *
 * No dependencies and no build step. The chat's own text comes from i18n/<lang>.json; the bot's
 * messages come from the bot. The conversation lives in the bot's tracker store under a random
 * 128-bit id kept in this browser's localStorage, with a copy of the transcript so that a reload
 * or a closed tab shows the conversation again without sending anything to the bot.
 *
 * Every message carries its own random id. One that got no reply (a timeout, a lost connection, a
 * reload while waiting) may still have reached the bot, so sending it again, by the retry button or
 * as the same answer, reuses its id: the bot then answers with what it already said, not twice.
 *
 * The language: the conversation's once there is one in this browser (kept like its id), else
 * ?lang= in the page's address, else data-lang, else the page's lang (which the chat server sets
 * from the browser's Accept-Language), else the browser's first language, else English. Every
 * message tells the bot the widget's language (metadata.language); every reply says the
 * conversation's (custom.language), and when the person switches it ("English please", "请用中文")
 * the widget's own text follows, and so does the page's (a "trialbot:language" event on the
 * chat's element; page.js listens).
 */
(function () {
  "use strict";

  var DEFAULT_BOT_URL = "__TRIALBOT_BOT_URL__"; // filled in by the chat server (web/server.py)
  var STORAGE_VERSION = "v1";
  var MAX_TRANSCRIPT = 400; // entries kept in the browser
  var TURN_TIMEOUT_MS = 60000;

  var script = document.currentScript;
  if (!script || !script.src) {
    return;
  }
  var options = script.dataset;
  var assetBase = new URL(".", script.src).href;
  var configuredUrl = DEFAULT_BOT_URL.indexOf("__TRIALBOT") === 0 ? "" : DEFAULT_BOT_URL;
  var botUrl = (options.botUrl || configuredUrl || "").replace(/\/+$/, "");
  var webhookUrl = botUrl + "/webhooks/rest/webhook";
  var keyPrefix = "trialbot." + STORAGE_VERSION + "." + botUrl + ".";
  var SESSION_KEY = keyPrefix + "session";
  var TRANSCRIPT_KEY = keyPrefix + "transcript";
  var UNANSWERED_KEY = keyPrefix + "unanswered";
  var LANGUAGE_KEY = keyPrefix + "language";
  var LANG_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

  // -- storage: the browser's own, or memory when it is unavailable (private mode, sandbox) ----------
  var storage = (function () {
    try {
      var probe = "trialbot.probe";
      window.localStorage.setItem(probe, probe);
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      var memory = {};
      return {
        getItem: function (k) { return Object.prototype.hasOwnProperty.call(memory, k) ? memory[k] : null; },
        setItem: function (k, v) { memory[k] = String(v); },
        removeItem: function (k) { delete memory[k]; }
      };
    }
  })();

  function randomId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function sessionId() {
    var id = storage.getItem(SESSION_KEY);
    if (!/^[0-9a-f]{32}$/.test(id || "")) {
      id = randomId();
      storage.setItem(SESSION_KEY, id);
    }
    return id;
  }

  function loadTranscript() {
    try {
      var entries = JSON.parse(storage.getItem(TRANSCRIPT_KEY) || "[]");
      return Array.isArray(entries) ? entries : [];
    } catch (e) {
      return [];
    }
  }

  function saveTranscript(entries) {
    try {
      storage.setItem(TRANSCRIPT_KEY, JSON.stringify(entries.slice(-MAX_TRANSCRIPT)));
    } catch (e) { /* storage full: the conversation itself is safe in the tracker store */ }
  }

  // The last message sent that got no reply, { message, id }, or null. Kept across a reload, which
  // takes such a message back: sent again, it must keep its id.
  function loadUnanswered() {
    try {
      var sent = JSON.parse(storage.getItem(UNANSWERED_KEY) || "null");
      return sent && typeof sent.message === "string" && /^[0-9a-f]{32}$/.test(sent.id) ? sent : null;
    } catch (e) {
      return null;
    }
  }

  function saveUnanswered(sent) {
    try {
      if (sent) { storage.setItem(UNANSWERED_KEY, JSON.stringify(sent)); } else { storage.removeItem(UNANSWERED_KEY); }
    } catch (e) { /* storage full: a message sent again after a reload would get a new id */ }
  }

  // The conversation's language, as the bot last said it (or as it was started in).
  function loadLanguage() {
    var lang = storage.getItem(LANGUAGE_KEY);
    return LANG_TAG.test(lang || "") ? lang : null;
  }

  function saveLanguage(lang) {
    try { storage.setItem(LANGUAGE_KEY, lang); } catch (e) { /* storage full: the bot still knows it */ }
  }

  // -- text ----------------------------------------------------------------------------------------
  // { lang, strings }: lang is the language the chat server sent (Content-Language: "zh" gets zh-CN).
  function fetchStrings(url, lang) {
    return fetch(url, { credentials: "omit" }).then(function (reply) {
      if (!reply.ok) { throw new Error(url + ": HTTP " + reply.status); }
      var sent = reply.headers.get("Content-Language");
      return reply.json().then(function (strings) { return { lang: sent || lang, strings: strings }; });
    });
  }

  function merged(fallback, strings) {
    var out = {};
    Object.keys(fallback).forEach(function (k) { out[k] = fallback[k]; });
    Object.keys(strings || {}).forEach(function (k) {
      var a = out[k], b = strings[k];
      out[k] = (a && typeof a === "object" && b && typeof b === "object") ? merged(a, b) : b;
    });
    return out;
  }

  // The chat's text in the language closest to lang, English where it lacks a string (or lang has none).
  function loadStrings(lang) {
    return fetchStrings(assetBase + "i18n/en.json", "en").then(function (english) {
      if (lang === "en" || !LANG_TAG.test(lang)) { return english; }
      return fetchStrings(assetBase + "i18n/" + lang + ".json", lang).then(function (loaded) {
        return { lang: loaded.lang, strings: merged(english.strings, loaded.strings) };
      }, function () { return english; });
    });
  }

  var STYLE_WAIT_MS = 3000;

  // The only text the chat has when i18n/en.json itself cannot be loaded.
  var FALLBACK_STRINGS = { errors: { notLoaded: "The chat could not be loaded ({reason})." } };
  var strings = FALLBACK_STRINGS;
  function t(key, params) {
    var value = key.split(".").reduce(function (node, part) {
      return node && typeof node === "object" ? node[part] : undefined;
    }, strings);
    if (typeof value !== "string") { return key; }
    return value.replace(/\{(\w+)\}/g, function (all, name) {
      return params && params[name] !== undefined && params[name] !== null ? String(params[name]) : "";
    });
  }

  // -- DOM helpers ---------------------------------------------------------------------------------
  var uid = 0;
  function nextId(prefix) { uid += 1; return "tb-" + prefix + "-" + uid; }

  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === "class") { el.className = value; }
      else if (name === "text") { el.textContent = value; }
      else if (name.indexOf("on") === 0) { el.addEventListener(name.slice(2), value); }
      else { el.setAttribute(name, value === true ? "" : value); }
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) { return; }
      el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return el;
  }

  function safeUrl(url) {
    return /^https?:\/\//i.test(url || "") ? url : null;
  }

  // Text with its web addresses as links; never parsed as HTML.
  function richText(text) {
    var fragment = document.createDocumentFragment();
    var pattern = /https?:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g;
    var last = 0, match;
    text = text || "";
    while ((match = pattern.exec(text)) !== null) {
      fragment.appendChild(document.createTextNode(text.slice(last, match.index)));
      fragment.appendChild(h("a", { href: match[0], target: "_blank", rel: "noopener noreferrer", text: match[0] }));
      last = match.index + match[0].length;
    }
    fragment.appendChild(document.createTextNode(text.slice(last)));
    return fragment;
  }

  // -- the chat ------------------------------------------------------------------------------------
  var placeholder = null;
  function mountPoint() {
    var target = options.target ? document.querySelector(options.target) : null;
    if (target) { return target; }
    if (!placeholder) {
      // Right after the tag: the chat appears where the tag is.
      placeholder = document.createElement("div");
      script.parentNode.insertBefore(placeholder, script.nextSibling);
    }
    return placeholder;
  }

  function Chat(host, lang) {
    this.host = host;
    this.lang = lang;
    this.transcript = loadTranscript();
    this.busy = false;
    this.lastSent = null;
    this.turns = 0; // replies (or failures) handled so far: lets the page's scripts and tests wait for one
  }

  Chat.prototype.build = function () {
    var self = this;
    var root = this.host.shadowRoot || this.host.attachShadow({ mode: "open" });
    root.innerHTML = "";
    var titleId = nextId("title");
    var hintId = nextId("hint");
    var inputId = nextId("input");

    this.log = h("div", { class: "tb-log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
                          "aria-label": t("chat.log"), tabindex: "0" });
    // Never hidden: screen readers often miss a live region that was hidden; its text changes instead.
    this.typingText = h("span", { class: "tb-typing-text" });
    this.typing = h("div", { class: "tb-typing", role: "status" }, [
      h("span", { class: "tb-dots", "aria-hidden": "true" }, [h("span"), h("span"), h("span")]),
      this.typingText
    ]);
    this.replies = h("div", { class: "tb-replies", role: "group", "aria-label": t("input.suggestions") });
    this.hint = h("p", { class: "tb-hint", id: hintId, text: t("hint.default") });
    this.input = h("input", { class: "tb-input", id: inputId, type: "text", autocomplete: "off",
                              enterkeyhint: "send", "aria-describedby": hintId, placeholder: t("input.placeholder") });
    this.sendButton = h("button", { class: "tb-send", type: "submit", text: t("input.send") });
    this.form = h("form", { class: "tb-form", novalidate: true, onsubmit: function (event) {
      event.preventDefault();
      self.submitTyped();
    } }, [
      h("label", { class: "tb-label", for: inputId, text: t("input.label") }),
      h("div", { class: "tb-row" }, [this.input, this.sendButton]),
      this.hint
    ]);
    this.confirmBox = h("div", { class: "tb-confirm", hidden: true });
    this.toolbarButtons = {
      showFacts: h("button", { type: "button", class: "tb-tool", "data-action": "show-facts", text: t("toolbar.showFacts"),
                               onclick: function () { self.send("/show_facts", t("toolbar.showFactsMessage")); } }),
      startOver: h("button", { type: "button", class: "tb-tool", "data-action": "start-over", text: t("toolbar.startOver"),
                               onclick: function (e) { self.confirm("startOver", e.currentTarget); } }),
      deleteAnswers: h("button", { type: "button", class: "tb-tool tb-tool-danger", "data-action": "delete-answers",
                                   text: t("toolbar.deleteAnswers"),
                                   onclick: function (e) { self.confirm("deleteAnswers", e.currentTarget); } })
    };

    var css = h("link", { rel: "stylesheet", href: assetBase + "chat.css" });
    var shell = h("section", { class: "tb-chat", lang: this.lang, "aria-labelledby": titleId }, [
      h("header", { class: "tb-header" }, [
        h("h2", { class: "tb-title", id: titleId, text: t("chat.title") }),
        h("p", { class: "tb-advice", text: t("chat.notAdvice") }),
        h("div", { class: "tb-toolbar", role: "group", "aria-label": t("toolbar.label") },
          [this.toolbarButtons.showFacts, this.toolbarButtons.startOver, this.toolbarButtons.deleteAnswers]),
        this.confirmBox
      ]),
      this.log,
      this.typing,
      this.replies,
      this.form
    ]);
    // Hidden until styled (no flash of raw markup), but never for long: a slow or stalled
    // stylesheet must not leave the patient without a chat.
    shell.hidden = true;
    function show() { shell.hidden = false; }
    css.addEventListener("load", show);
    css.addEventListener("error", show);
    setTimeout(show, STYLE_WAIT_MS);
    root.appendChild(css);
    root.appendChild(shell);
    this.shell = shell;
    this.root = root;
    this.input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { self.hideConfirm(); }
    });
  };

  // -- rendering -----------------------------------------------------------------------------------
  Chat.prototype.privacyNotice = function () {
    var id = nextId("privacy");
    return h("section", { class: "tb-note tb-privacy", "aria-labelledby": id }, [
      h("h3", { id: id, class: "tb-note-title", text: t("chat.privacyTitle") }),
      h("p", { text: t("chat.privacy") })
    ]);
  };

  Chat.prototype.renderAll = function () {
    this.log.textContent = "";
    this.log.appendChild(this.privacyNotice());
    var self = this;
    this.transcript.forEach(function (entry) { self.log.appendChild(self.renderEntry(entry)); });
    this.showPending();
    this.scrollDown();
  };

  Chat.prototype.renderEntry = function (entry) {
    if (entry.from === "user") {
      return h("div", { class: "tb-msg tb-user" }, [
        h("span", { class: "tb-sr", text: t("chat.fromUser") + " " }),
        h("p", { class: "tb-text", text: entry.text })
      ]);
    }
    if (entry.from === "note") {
      return h("div", { class: "tb-msg tb-system" }, [h("p", { class: "tb-text", text: entry.text })]);
    }
    var custom = entry.custom || {};
    if (custom.verdict && Array.isArray(custom.verdict)) { return this.matchesCard(custom.verdict, entry); }
    if (custom.verdict && typeof custom.verdict === "object") { return this.verdictCard(custom.verdict); }
    var attrs = { class: "tb-msg tb-bot" };
    if (Array.isArray(custom.asks)) {
      attrs["data-asks"] = custom.asks.join(" ");
      attrs["data-answer-type"] = custom.answer_type || "";
    }
    var text = h("p", { class: "tb-text" });
    text.appendChild(richText(entry.text));
    return h("div", attrs, [h("span", { class: "tb-sr", text: t("chat.fromBot") + " " }), text]);
  };

  Chat.prototype.badge = function (status) {
    var icons = { met: "✓", not_met: "✗", unknown: "?" };
    return h("span", { class: "tb-badge tb-badge-" + status }, [
      h("span", { class: "tb-badge-icon", "aria-hidden": "true", text: icons[status] || "" }),
      t("verdict.criterion." + status)
    ]);
  };

  Chat.prototype.criterionRow = function (c) {
    return h("li", { class: "tb-crit", "data-criterion": c.id, "data-status": c.status }, [
      h("p", { class: "tb-crit-explanation" }, [this.badge(c.status), " ", c.explanation || c.text || ""]),
      c.text ? h("details", { class: "tb-crit-wording" }, [
        h("summary", { text: t("verdict.criterion.wording") }),
        h("p", { text: c.text })
      ]) : null
    ]);
  };

  Chat.prototype.criteriaSection = function (key, items, params) {
    var id = nextId("section");
    var self = this;
    return h("section", { class: "tb-section tb-section-" + key, "aria-labelledby": id }, [
      h("h4", { id: id, text: t("verdict.section." + key, params) }),
      h("ul", { class: "tb-criteria" }, items.map(function (c) { return self.criterionRow(c); }))
    ]);
  };

  Chat.prototype.collapsed = function (key, items, params) {
    var self = this;
    return h("details", { class: "tb-section tb-more tb-section-" + key }, [
      h("summary", { text: t("verdict.section." + key, params) }),
      h("ul", { class: "tb-criteria" }, items.map(function (c) { return self.criterionRow(c); }))
    ]);
  };

  Chat.prototype.verdictCard = function (verdict) {
    var status = verdict.status;
    var criteria = Array.isArray(verdict.criteria) ? verdict.criteria : [];
    var trial = verdict.trial || {};
    var titleId = nextId("verdict");
    function pick(test) { return criteria.filter(test); }
    var notMet = pick(function (c) { return c.status === "not_met"; });
    var met = pick(function (c) { return c.status === "met"; });
    var unknownBy = function (who) {
      return pick(function (c) {
        return c.status === "unknown" && (c.to_confirm_by || "patient") === who;
      });
    };
    var open = { patient: unknownBy("patient"), clinician: unknownBy("clinician"), study_team: unknownBy("study_team") };
    var sections = [];
    if (notMet.length) { sections.push(this.criteriaSection("not_met", notMet)); }
    if (status === "not_eligible") {
      var others = notMet.length ? criteria.filter(function (c) { return c.status !== "not_met"; }) : [];
      if (others.length) { sections.push(this.collapsed("others", others, { count: others.length })); }
    } else {
      var self = this;
      ["patient", "clinician", "study_team"].forEach(function (who) {
        if (open[who].length) { sections.push(self.criteriaSection(who, open[who])); }
      });
      if (met.length) { sections.push(this.collapsed("met", met, { count: met.length })); }
    }

    var join = [];
    if (status !== "not_eligible" && (trial.contact || trial.where)) {
      var joinId = nextId("join");
      join.push(h("section", { class: "tb-section tb-join", "aria-labelledby": joinId }, [
        h("h4", { id: joinId, text: t("verdict.howToJoin") }),
        trial.contact ? h("p", { text: trial.contact }) : null,
        trial.where ? h("p", { text: t("verdict.where", { where: trial.where }) }) : null
      ]));
    }
    var url = safeUrl(trial.url);
    if (url) {
      join.push(h("p", { class: "tb-more-info" }, [
        h("a", { href: url, target: "_blank", rel: "noopener noreferrer", "aria-label": t("verdict.moreInfoFor"),
                 text: t("verdict.moreInfo") })
      ]));
    }
    return h("article", { class: "tb-card tb-verdict tb-verdict-" + status, "data-status": status,
                          "data-trial": verdict.trial_id || "", "aria-labelledby": titleId }, [
      h("span", { class: "tb-sr", text: t("chat.fromBot") + " " }),
      h("h3", { id: titleId, class: "tb-verdict-title", text: t("verdict.heading", { status: t("verdict.status." + status) }) }),
      h("p", { class: "tb-verdict-trial", text: t("verdict.trial", { title: trial.title || verdict.title || "", id: verdict.trial_id || "" }) }),
      // a trial with no wording in the chat's language (an imported one) shows its own text as registered
      trial.language && trial.language !== this.lang
        ? h("p", { class: "tb-verdict-language", text: t("verdict.onlyInEnglish") }) : null,
      h("p", { class: "tb-verdict-lead", text: t("verdict.lead." + status) })
    ].concat(sections, join, [h("p", { class: "tb-verdict-advice", text: t("verdict.notAdvice") })]));
  };

  Chat.prototype.matchesCard = function (verdicts, entry) {
    var self = this;
    var titleId = nextId("matches");
    return h("article", { class: "tb-card tb-matches", "aria-labelledby": titleId }, [
      h("span", { class: "tb-sr", text: t("chat.fromBot") + " " }),
      h("h3", { id: titleId, text: t("matches.heading", { count: verdicts.length }) }),
      h("ol", { class: "tb-match-list" }, verdicts.map(function (v) {
        var title = (v.trial && v.trial.title) || v.title || v.trial_id;
        return h("li", { class: "tb-match", "data-trial": v.trial_id, "data-status": v.status }, [
          h("p", { class: "tb-match-title" }, [h("strong", { text: title }), " (" + v.trial_id + ")"]),
          h("p", { class: "tb-match-status tb-verdict-" + v.status, text: t("verdict.status." + v.status) }),
          v.reason ? h("p", { class: "tb-match-reason", text: v.reason }) : null,
          h("button", { type: "button", class: "tb-reply", text: t("matches.details"),
                        "aria-label": t("matches.details") + ": " + v.trial_id,
                        onclick: function () { self.send(v.trial_id, t("matches.detailsMessage", { id: v.trial_id })); } })
        ]);
      })),
      h("p", { class: "tb-verdict-advice", text: t("verdict.notAdvice") })
    ]);
  };

  // What the last turn of the bot offers: its buttons, and a hint for the input.
  Chat.prototype.showPending = function () {
    var lastTurn = [];
    for (var i = this.transcript.length - 1; i >= 0 && this.transcript[i].from !== "user"; i--) {
      lastTurn.unshift(this.transcript[i]);
    }
    var buttons = [], question = null;
    lastTurn.forEach(function (entry) {
      if (entry.buttons && entry.buttons.length) { buttons = entry.buttons; }
      if (entry.custom && Array.isArray(entry.custom.asks)) { question = entry.custom; }
    });
    this.setReplies(buttons);
    this.setHint(question);
  };

  Chat.prototype.setReplies = function (buttons) {
    var self = this;
    this.replies.textContent = "";
    buttons.forEach(function (button) {
      if (!button || typeof button.payload !== "string") { return; }
      self.replies.appendChild(h("button", { type: "button", class: "tb-reply", "data-payload": button.payload,
                                             text: button.title || button.payload, onclick: function () {
        self.send(button.payload, button.title || button.payload);
      } }));
    });
    this.replies.hidden = !this.replies.childNodes.length;
  };

  Chat.prototype.setHint = function (question) {
    var hint = t("hint.default"), placeholder = t("input.placeholder");
    if (question) {
      var type = question.answer_type;
      if (question.asks && question.asks[0] === "consent") {
        hint = t("hint.consent");
      } else if (type === "number") {
        var unit = question.unit ? t("hint.numberUnit", { unit: strings.units && strings.units[question.unit] || question.unit }) : "";
        hint = t("hint.number", { unit: unit });
        placeholder = t("hint.numberPlaceholder");
      } else if (type === "date" || type === "duration") {
        hint = t("hint." + type);
        placeholder = t("hint." + type + "Placeholder");
      } else if (type === "yes_no" || type === "choice" || type === "text") {
        hint = t("hint." + type);
      }
    }
    this.hint.textContent = hint;
    this.input.setAttribute("placeholder", placeholder);
    this.shell && this.shell.setAttribute("data-answer-type", question ? question.answer_type || "" : "");
  };

  Chat.prototype.scrollDown = function () {
    this.log.scrollTop = this.log.scrollHeight;
  };

  // Shows a reply from its start when it is taller than the conversation's view (a verdict card).
  Chat.prototype.scrollToReply = function (first) {
    this.scrollDown();
    if (first && this.log.scrollHeight - first.offsetTop > this.log.clientHeight) {
      this.log.scrollTop = Math.max(0, first.offsetTop - 8);
    }
  };

  Chat.prototype.append = function (entry, persist) {
    if (persist !== false) {
      this.transcript.push(entry);
      saveTranscript(this.transcript);
    }
    var node = this.renderEntry(entry);
    this.log.appendChild(node);
    return node;
  };

  Chat.prototype.setBusy = function (busy) {
    this.busy = busy;
    this.typingText.textContent = busy ? t("chat.typing") : "";
    this.typing.classList.toggle("tb-typing-busy", busy); // shows the dots
    this.log.setAttribute("aria-busy", busy ? "true" : "false");
    this.sendButton.setAttribute("aria-disabled", busy ? "true" : "false");
    var buttons = this.root.querySelectorAll(".tb-reply, .tb-tool");
    Array.prototype.forEach.call(buttons, function (b) { b.setAttribute("aria-disabled", busy ? "true" : "false"); });
    if (busy) { this.scrollDown(); }
  };

  // -- talking to the bot --------------------------------------------------------------------------
  Chat.prototype.post = function (message, messageId) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, TURN_TIMEOUT_MS) : null;
    return fetch(webhookUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: sessionId(), message: message, message_id: messageId,
                             metadata: { language: this.lang } }),
      credentials: "omit",
      signal: controller ? controller.signal : undefined
    }).then(function (reply) {
      clearTimeout(timer);
      // 413 and 400 come with a bot message too: show it like any other reply.
      return reply.json().catch(function () { return null; }).then(function (body) {
        if (Array.isArray(body) && (reply.ok || reply.status === 413 || reply.status === 400)) { return body; }
        var error = new Error("HTTP " + reply.status);
        error.server = true;
        throw error;
      });
    }, function (error) {
      clearTimeout(timer);
      throw error;
    });
  };

  Chat.prototype.botEntries = function (messages) {
    return messages.filter(function (m) { return m && (m.text || m.custom || (m.buttons && m.buttons.length)); })
      .map(function (m) {
        var entry = { from: "bot", text: m.text || "" };
        if (m.buttons && m.buttons.length) {
          entry.buttons = m.buttons.map(function (b) { return { title: b.title, payload: b.payload }; });
        }
        if (m.custom && typeof m.custom === "object") { entry.custom = m.custom; }
        return entry;
      });
  };

  // Sends one message. shown: what the conversation shows as the person's words (null: nothing).
  // options.typed: the text typed (put back if the message could not be sent); options.reset:
  // "startOver" or "delete", what the reply clears; options.auto: not the person's doing (no focus move).
  Chat.prototype.exchange = function (message, shown, options) {
    var self = this;
    options = options || {};
    if (this.busy) { return Promise.resolve(null); }
    this.hideConfirm(true);
    this.clearError();
    if (shown !== null) { this.append({ from: "user", text: shown }); }
    this.setBusy(true); // the suggested answers stay (disabled) until the reply: focus stays on them
    this.lastSent = { message: message, shown: shown, options: options };
    // The same message as one that got no reply is that message sent again (the retry button, the
    // text put back and sent, the same suggested answer): the bot may have it already.
    var unanswered = loadUnanswered();
    var messageId = unanswered && unanswered.message === message ? unanswered.id : randomId();
    saveUnanswered({ message: message, id: messageId });
    return this.post(message, messageId).then(function (messages) {
      saveUnanswered(null);
      var active = self.root.activeElement;
      var entries = self.botEntries(messages);
      return self.followLanguage(entries).then(function () { return self.received(entries, active, shown, options); });
    }, function (error) {
      self.turns += 1;
      self.setBusy(false);
      // The message may not have arrived: take it back, so that the person can send it again.
      if (shown !== null) { self.takeBack(options.typed); }
      self.showPending();
      self.showError(error && error.server ? t("errors.server") : t("errors.network"));
      return null;
    });
  };

  // Shows the bot's reply. active: what had focus when it came (the chat may have been rebuilt since,
  // in the reply's language).
  Chat.prototype.received = function (entries, active, shown, options) {
    var self = this;
    this.turns += 1;
    var moveFocus = !options.auto && (!active || this.replies.contains(active) || !active.isConnected);
    this.setBusy(false);
    var deleted = options.reset === "delete" || entries.some(function (e) { return e.custom && e.custom.deleted; });
    var refused = entries.length && entries.every(function (e) { return e.custom && e.custom.refused; });
    if (refused) {
      // Not passed on to the bot (too long): the question stays open, the text comes back to shorten.
      if (shown !== null) { this.takeBack(options.typed); }
      entries.forEach(function (entry) { self.append(entry, false); });
      this.showPending();
      this.scrollDown();
      if (options.typed) { this.input.focus(); }
      return entries;
    }
    if (deleted) {
      this.forgetLocally(entries);
    } else {
      if (options.reset === "startOver") {
        this.transcript = [];
        saveTranscript(this.transcript);
        this.renderAll();
      }
      var added = entries.map(function (entry) { return self.append(entry); });
      this.showPending();
      this.scrollToReply(added[0]);
    }
    this.restoreFocus(moveFocus);
    return entries;
  };

  // -- the conversation's language -----------------------------------------------------------------
  // The language the bot last said the conversation is in (custom.language of its replies).
  Chat.prototype.conversationLanguage = function () {
    for (var i = this.transcript.length - 1; i >= 0; i--) {
      var custom = this.transcript[i].custom;
      if (custom && typeof custom.language === "string") { return custom.language; }
    }
    return null;
  };

  // When a reply's language is not the conversation's last one, the person switched ("English
  // please", "请用中文", a first message in Chinese): the chat's own text follows, before the reply
  // shows. Only a change is followed: a page in a language the bot does not speak (a French page)
  // keeps its own text around the bot's English.
  Chat.prototype.followLanguage = function (entries) {
    var said = null;
    entries.forEach(function (e) { if (e.custom && typeof e.custom.language === "string") { said = e.custom.language; } });
    var before = this.conversationLanguage();
    if (!said || !before || said === before || said === this.lang || !LANG_TAG.test(said)) { return Promise.resolve(); }
    return this.setLanguage(said);
  };

  // Rebuilds the chat in another language (the conversation stays as it is).
  Chat.prototype.setLanguage = function (lang) {
    var self = this;
    return loadStrings(lang).then(function (loaded) {
      if (loaded.lang === self.lang) { return; }
      strings = loaded.strings;
      self.lang = loaded.lang;
      saveLanguage(self.lang);
      self.build();
      self.renderAll();
      self.setBusy(self.busy);
      self.announceLanguage();
    }, function () { /* the chat keeps its language; the bot's messages are in the new one */ });
  };

  // Tells the page (page.js, or a clinic's own script) the chat's language and its text for the page.
  Chat.prototype.announceLanguage = function () {
    this.host.dispatchEvent(new CustomEvent("trialbot:language", {
      bubbles: true, detail: { lang: this.lang, page: strings.page || {} }
    }));
  };

  // Removes the person's last message from the conversation (and puts typed text back in the box).
  Chat.prototype.takeBack = function (typed) {
    var last = this.transcript[this.transcript.length - 1];
    if (last && last.from === "user") {
      this.transcript.pop();
      saveTranscript(this.transcript);
    }
    var bubbles = this.log.querySelectorAll(".tb-user");
    if (bubbles.length) { bubbles[bubbles.length - 1].remove(); }
    if (typed && !this.input.value) { this.input.value = typed; }
  };

  Chat.prototype.send = function (message, shown, options) {
    if (this.busy) { return Promise.resolve(null); }
    return this.exchange(message, shown, options);
  };

  Chat.prototype.submitTyped = function () {
    var text = this.input.value.trim();
    if (!text || this.busy) { return; }
    this.input.value = "";
    this.exchange(text, text, { typed: text });
  };

  // After a reply, focus goes where the next answer is given when the person was answering with a
  // suggested answer (or focus was lost): the first new suggestion, else the text box. Focus the
  // person put elsewhere while waiting (the text box, a link) stays there.
  Chat.prototype.restoreFocus = function (moveIt) {
    if (!moveIt) { return; }
    var first = this.replies.querySelector(".tb-reply");
    (first || this.input).focus();
  };

  Chat.prototype.showError = function (message) {
    var self = this;
    this.clearError();
    var last = this.lastSent;
    // No role="alert": the log, a live region, announces it already (an alert in it is read twice).
    this.error = h("div", { class: "tb-msg tb-error" }, [
      h("p", { class: "tb-text", text: message }),
      last ? h("button", { type: "button", class: "tb-reply tb-retry", text: t("errors.retry"), onclick: function () {
        self.clearError();
        if (last.options && last.options.typed && self.input.value === last.options.typed) { self.input.value = ""; }
        self.exchange(last.message, last.shown, last.options);
      } }) : null
    ]);
    this.log.appendChild(this.error);
    this.scrollDown();
  };

  Chat.prototype.clearError = function () {
    if (this.error) { this.error.remove(); this.error = null; }
  };

  // -- start over, delete my answers ---------------------------------------------------------------
  Chat.prototype.confirm = function (what, opener) {
    var self = this;
    if (this.busy) { return; }
    this.hideConfirm(true);
    var yes = h("button", { type: "button", class: "tb-confirm-yes", text: t("confirm." + what + "Yes"), onclick: function () {
      self.hideConfirm(true);
      if (what === "deleteAnswers") { self.deleteAnswers(); } else { self.startOver(); }
    } });
    var no = h("button", { type: "button", class: "tb-confirm-no", text: t("confirm.cancel"), onclick: function () {
      self.hideConfirm();
    } });
    var textId = nextId("confirm");
    this.confirmBox.textContent = "";
    this.confirmBox.setAttribute("role", "alertdialog");
    this.confirmBox.setAttribute("aria-labelledby", textId);
    this.confirmBox.appendChild(h("p", { id: textId, text: t("confirm." + what) }));
    this.confirmBox.appendChild(h("div", { class: "tb-row" }, [yes, no]));
    this.confirmBox.hidden = false;
    this.confirmOpener = opener;
    this.confirmBox.onkeydown = function (event) {
      if (event.key === "Escape") { event.preventDefault(); self.hideConfirm(); }
    };
    yes.focus();
  };

  Chat.prototype.hideConfirm = function (keepFocus) {
    if (this.confirmBox.hidden) { return; }
    this.confirmBox.hidden = true;
    this.confirmBox.textContent = "";
    if (!keepFocus && this.confirmOpener) { this.confirmOpener.focus(); }
    this.confirmOpener = null;
  };

  Chat.prototype.startOver = function () {
    this.input.focus();
    this.exchange("/start_over", null, { reset: "startOver" });
  };

  Chat.prototype.deleteAnswers = function () {
    this.input.focus();
    this.exchange("/delete_answers", null, { reset: "delete" });
  };

  // After "delete my answers": nothing stays in this browser, and a new conversation id means
  // nothing here points at the old conversation any more.
  Chat.prototype.forgetLocally = function (entries) {
    var self = this;
    storage.removeItem(TRANSCRIPT_KEY);
    storage.setItem(SESSION_KEY, randomId());
    this.transcript = [];
    this.renderAll();
    entries.forEach(function (entry) { self.append(entry, false); });
    this.append({ from: "note", text: t("after.deleted") }, false);
    this.setReplies([{ title: t("after.newConversation"), payload: "/greet" }]);
    this.setHint(null);
  };

  // -- start ---------------------------------------------------------------------------------------
  Chat.prototype.start = function () {
    // Reloaded before the reply to the person's last message came: whether the bot got it is
    // unknown, so it is taken back and the bot's last question is the open one again.
    var last = this.transcript[this.transcript.length - 1];
    var unanswered = last && last.from === "user";
    if (unanswered) {
      this.transcript.pop();
      saveTranscript(this.transcript);
    }
    this.renderAll();
    if (!botUrl) {
      this.showError(t("errors.noBotUrl"));
      return;
    }
    if (!this.transcript.length) {
      // A new conversation: the bot greets, gives its privacy notice and asks for consent.
      // A reload sends nothing: the conversation is where it was in the tracker store.
      this.exchange("/greet", null, { auto: true });
    } else if (unanswered) {
      this.append({ from: "note", text: t("chat.unanswered") }, false);
      this.scrollDown();
    }
  };

  // See the top of this file. The page's lang stands for Accept-Language: the chat server chose the
  // chat page's from it for the first render, so that the page's own text, its lang and the chat
  // agree from the start; an embedding page's lang is the language its readers read.
  function chosenLanguage(host) {
    var el = host.closest ? host.closest("[lang]") : null;
    var browser = navigator.languages && navigator.languages.length ? navigator.languages[0] : navigator.language;
    var conversation = loadTranscript().length ? loadLanguage() : null;
    var candidates = [conversation, new URLSearchParams(window.location.search).get("lang"), options.lang,
                      el && el.getAttribute("lang"), document.documentElement.lang, browser];
    return candidates.filter(function (lang) { return LANG_TAG.test(lang || ""); })[0] || "en";
  }

  function boot() {
    var host = mountPoint();
    host.classList.add("trialbot-chat-host");
    loadStrings(chosenLanguage(host)).then(function (loaded) {
      strings = loaded.strings;
      saveLanguage(loaded.lang);
      var chat = new Chat(host, loaded.lang);
      host.trialbotChat = chat; // for the page's own scripts and tests
      chat.build();
      chat.announceLanguage();
      chat.start();
    }).catch(function (error) {
      // In the shadow root if the chat got as far as making one: text beside it would not show.
      (host.shadowRoot || host).textContent = t("errors.notLoaded", { reason: error.message });
    });
  }

  if (document.readyState === "loading") {
    if (!options.target) { mountPoint(); }
    document.addEventListener("DOMContentLoaded", boot);
  } else {
    boot();
  }
})();
