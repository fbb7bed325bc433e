/* myorg: live refresh over Server-Sent Events, keyboard shortcuts, small form helpers. */
(function () {
  "use strict";

  /* Reload every live part of the page ([data-live] elements listen for "repo-changed"),
     except one the owner is editing: it is refreshed when the edit ends. */
  function refreshLive() {
    document.querySelectorAll("[data-live]").forEach(function (el) {
      if (el.querySelector(".editing")) {
        el.dataset.stale = "1";
        return;
      }
      el.dataset.stale = "";
      htmx.trigger(el, "repo-changed");
    });
  }

  function showStatus(text) {
    var box = document.getElementById("live-status");
    if (!box) return;
    box.textContent = text;
    box.hidden = !text;
  }

  function connect() {
    var url = document.body.dataset.events;
    if (!url || !window.EventSource) return;
    var source = new EventSource(url);
    var seen = false;
    source.addEventListener("hello", function () {
      if (seen) refreshLive(); /* a reconnect: something may have been missed */
      seen = true;
      showStatus("");
    });
    source.addEventListener("change", refreshLive);
    source.addEventListener("unavailable", function () { showStatus("live updates paused"); });
    source.addEventListener("error", function () { showStatus("reconnecting…"); });
    window.addEventListener("pagehide", function () { source.close(); });
  }

  document.addEventListener("myorg:changed", refreshLive);

  /* Chat: stream a turn's reply (text is only ever set as text, never as HTML), then swap in
     the finished answer rendered by the server. */
  function startStreams(root) {
    root.querySelectorAll("[data-stream]:not([data-started])").forEach(function (box) {
      box.dataset.started = "1";
      var reply = box.querySelector(".reply");
      var source = new EventSource(box.dataset.stream);
      function data(e) { try { return JSON.parse(e.data); } catch (err) { return {}; } }
      function step(text) {
        var span = document.createElement("span");
        span.className = "step";
        span.textContent = text;
        box.appendChild(span);
      }
      source.addEventListener("text", function (e) { reply.textContent += data(e).text || ""; });
      source.addEventListener("tool_start", function (e) { step("→ " + (data(e).tool || "tool")); });
      source.addEventListener("tool", function (e) {
        var d = data(e);
        step((d.status === "ok" ? "✓ " : "• ") + (d.summary || d.tool || ""));
      });
      source.addEventListener("notice", function (e) { step(data(e).text || ""); });
      source.addEventListener("done", function () {
        source.close();
        htmx.ajax("GET", box.dataset.done, { target: box, swap: "outerHTML" });
      });
    });
  }
  document.addEventListener("htmx:load", function (e) { startStreams(e.detail.elt.parentElement || document); });

  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && e.target.id === "chat-text") {
      e.preventDefault();
      e.target.form.requestSubmit();
    }
  });

  document.addEventListener("htmx:afterRequest", function (e) {
    var el = e.detail.elt;
    if (e.detail.successful && el.matches && el.matches("form[data-reset-on-success]")) {
      el.reset();
      var first = el.querySelector("input[type=text]");
      if (first) first.focus();
    }
  });

  /* A row that left edit mode: bring its list up to date if a change came meanwhile. */
  document.addEventListener("htmx:afterSettle", function (e) {
    var live = e.detail.elt.closest && e.detail.elt.closest("[data-live]");
    if (live && live.dataset.stale === "1" && !live.querySelector(".editing")) refreshLive();
    var focus = e.detail.elt.querySelector && e.detail.elt.querySelector("[autofocus]");
    if (focus) focus.focus();
  });

  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("[data-dismiss]");
    if (btn) btn.parentElement.remove();
  });

  /* Keyboard: "/" filter, "n" new task, "g" then a letter to go to a page, Esc cancels. */
  var pendingG = 0;
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  function go(path) { window.location.href = path; }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Escape") {
      var cancel = document.querySelector(".editing button.link");
      if (cancel) cancel.click();
      return;
    }
    if (typing(document.activeElement) || e.defaultPrevented) return;
    if (e.key === "/") {
      var filter = document.getElementById("filter-q");
      e.preventDefault();
      if (filter) filter.focus(); else go("/tasks#filter");
    } else if (e.key === "n") {
      var input = document.getElementById("new-task");
      e.preventDefault();
      if (input) input.focus(); else go("/tasks#new");
    } else if (e.key === "g") {
      pendingG = Date.now();
    } else if (pendingG && Date.now() - pendingG < 1500) {
      pendingG = 0;
      var link = document.querySelector('nav a[data-keys="g ' + e.key + '"]');
      if (link) { e.preventDefault(); link.click(); }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var target = { "#filter": "filter-q", "#new": "new-task" }[window.location.hash];
    if (target && document.getElementById(target)) document.getElementById(target).focus();
    startStreams(document);
    connect();
  });
})();
