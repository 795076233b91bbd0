// Agora's own script: small, loaded with the CSP nonce, no inline handlers anywhere.

/* --- notify --- */
(function () {
  "use strict";
  if (!window.htmx) return;

  // The stream's position per URL, as the last event we received says.
  var positions = {};

  // htmx 2's SSE extension opens a fresh EventSource, without Last-Event-ID, once a
  // reconnection has failed (server restarted, proxy answered 502...). Carry the last id
  // in the URL instead, so the server replays exactly what was missed.
  htmx.createEventSource = function (url) {
    var target = new URL(url, window.location.href);
    if (positions[url]) target.searchParams.set("lastEventId", positions[url]);
    var source = new EventSource(target.toString(), { withCredentials: true });
    var remember = function (event) {
      if (event.lastEventId && event.lastEventId !== "error") positions[url] = event.lastEventId;
    };
    ["stream-open", "notification", "stream-reset", "message"].forEach(function (name) {
      source.addEventListener(name, remember);
    });
    return source;
  };

  // A notification event carries JSON; the banner is its server-rendered, escaped HTML.
  htmx.defineExtension("agora-notification", {
    transformResponse: function (text) {
      var payload;
      try {
        payload = JSON.parse(text);
      } catch (e) {
        return "";
      }
      var me = document.body.dataset.userId;
      if (me && payload.actor && String(payload.actor.id) === me) return "";
      var lang = document.documentElement.lang;
      return (payload.html && (payload.html[lang] || payload.html.en)) || "";
    },
  });

  var TOAST_LIFETIME = 12000;
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dismiss]");
    if (button) button.closest(".toast").remove();
  });
  document.addEventListener("htmx:sseMessage", function (event) {
    var box = event.target;
    if (box.id !== "toasts") return;
    var toast = box.lastElementChild;
    if (toast && !toast.dataset.timer) {
      toast.dataset.timer = "1";
      window.setTimeout(function () {
        toast.remove();
      }, TOAST_LIFETIME);
    }
  });
})();
