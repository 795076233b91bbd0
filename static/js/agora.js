// Agora's own script: small, loaded with the CSP nonce, no inline handlers anywhere.

/* --- notify --- */
(function () {
  "use strict";
  if (!window.htmx) return;

  // The stream's position per URL, as the last event we received says.
  var positions = {};
  // The page's open streams: closed when the page turns out to be gone, and none opened then.
  var sources = [];
  var gone = false;

  // htmx 2's SSE extension opens a fresh EventSource, without Last-Event-ID, once a
  // reconnection has failed (server restarted, proxy answered 502...). Carry the last id
  // in the URL instead, so the server replays exactly what was missed.
  htmx.createEventSource = function (url) {
    var target = new URL(url, window.location.href);
    if (positions[url]) target.searchParams.set("lastEventId", positions[url]);
    var source = new EventSource(target.toString(), { withCredentials: true });
    sources.push(source);
    if (gone) source.close(); // htmx's retry after the page was found gone
    var remember = function (event) {
      if (event.lastEventId && event.lastEventId !== "error") positions[url] = event.lastEventId;
    };
    ["stream-open", "notification", "stream-reset", "message"].forEach(function (name) {
      source.addEventListener(name, remember);
    });
    source.addEventListener("live", applyLive);
    // A stream refused for good (403: the post was deleted, the product taken off sale while
    // we were away, so its channel is no longer readable): fetch the page again to show why.
    source.addEventListener("error", function () {
      if (source.readyState === EventSource.CLOSED) refreshLive();
    });
    // Live events have no history: a (re)connect fetches the page's live parts again, so
    // what changed before the stream opened, or while it was down, is shown too; unless
    // the server says nothing changed since the page was rendered.
    source.addEventListener("stream-open", function (event) {
      if (event.data && event.data.indexOf('"live": "current"') !== -1) {
        document.dispatchEvent(new CustomEvent("agora:live-refreshed"));
      } else {
        refreshLive();
      }
    });
    return source;
  };

  /* --- live pages: fragments rendered by the server, placed by id (see notify/live.py) --- */

  function isBusy(element) {
    // Never replace what the reader is typing into or is editing.
    var active = document.activeElement;
    return !!(active && element.contains(active) && active.matches("input, textarea, select"));
  }

  // What differs between two renderings of the same state: a fresh CSRF token, "2 seconds
  // ago". Replacing for that alone would only disturb the reader.
  function stateOf(element) {
    return element.outerHTML
      .replace(/(name="csrfmiddlewaretoken" value=")[^"]*/g, "$1")
      .replace(/(<time [^>]*>)[^<]*/g, "$1");
  }

  function sameState(current, fragment) {
    return stateOf(current) === stateOf(fragment);
  }

  function place(fragment) {
    var mode = fragment.dataset.live;
    var current = document.getElementById(fragment.id);
    if (mode === "remove") {
      if (current) current.remove();
      return;
    }
    if (mode === "append") {
      // Already here (the reader's own comment, or an event seen twice): nothing to do.
      if (current) return;
      var box = document.getElementById(fragment.dataset.liveInto);
      if (!box) return;
      box.querySelectorAll("[data-live-empty]").forEach(function (empty) {
        empty.remove();
      });
      var added = document.importNode(fragment, true);
      added.classList.add("live-new");
      box.appendChild(added); // below what is there: nothing the reader sees moves
      htmx.process(added);
      return;
    }
    if (!current || isBusy(current) || sameState(current, fragment)) return;
    var node = document.importNode(fragment, true);
    current.replaceWith(node);
    htmx.process(node);
  }

  function placeAll(root) {
    root.querySelectorAll("[data-live][id]").forEach(place);
  }

  function applyLive(event) {
    var payload;
    try {
      payload = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    var html = payload.html && (payload.html[document.documentElement.lang] || payload.html.en);
    if (!html) return;
    var template = document.createElement("template");
    template.innerHTML = html;
    changes += 1;
    placeAll(template.content);
  }

  // The page is gone (deleted, or no longer public): the server's own "not found" in place
  // of what the reader was looking at.
  function showGone(text) {
    var fresh = new DOMParser().parseFromString(text, "text/html");
    var main = document.getElementById("main");
    var notFound = fresh.getElementById("main");
    if (main && notFound) {
      main.replaceWith(document.importNode(notFound, true));
      gone = true;
      // Its channel is refused now: stop asking (a new page opens a stream of its own).
      sources.forEach(function (source) {
        source.close();
      });
    }
    return null;
  }

  // What changed the page since it loaded (live events applied, htmx swaps: the reader's own
  // like, comment...): a refresh fetched before one of them may be older than the page.
  var changes = 0;
  document.addEventListener("htmx:afterSwap", function () {
    changes += 1;
  });

  function refreshLive(attempt) {
    if (!document.querySelector("[data-live][id]")) return;
    attempt = attempt || 0;
    var seen = changes;
    var again = false;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.status === 404) return response.text().then(showGone);
        return response.ok ? response.text() : null;
      })
      .then(function (text) {
        if (!text) return;
        if (changes !== seen && attempt < 3) {
          again = true; // the page changed while this was on its way: ask once more
          return;
        }
        var fresh = new DOMParser().parseFromString(text, "text/html");
        // Removed while we were away: an appended item the fresh page no longer has.
        document.querySelectorAll("[data-live=append][id]").forEach(function (element) {
          var box = fresh.getElementById(element.dataset.liveInto);
          if (box && !fresh.getElementById(element.id)) element.remove();
        });
        placeAll(fresh);
      })
      .catch(function () {})
      .then(function () {
        if (again) refreshLive(attempt + 1);
        else document.dispatchEvent(new CustomEvent("agora:live-refreshed"));
      });
  }

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
