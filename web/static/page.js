/*
 * The chat page follows the chat's language. The page is served in the language of ?lang= or the
 * browser's Accept-Language; the conversation may be in another (kept from an earlier visit, or
 * switched by the person: "English please", "请用中文"). The chat says so in a "trialbot:language"
 * event with its text for the page, and the page's lang, title and text change with it.
 */
(function () {
  "use strict";

  document.addEventListener("trialbot:language", function (event) {
    var detail = event.detail || {};
    var page = detail.page || {};
    if (!detail.lang) { return; }
    document.documentElement.lang = detail.lang;
    if (typeof page.title === "string") { document.title = page.title; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-text]"), function (el) {
      var value = page[el.getAttribute("data-text")];
      if (typeof value === "string") { el.textContent = value; }
    });
  });
})();
