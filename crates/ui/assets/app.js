// Frontline's progressive enhancement: keyboard navigation in the console and live queue
// updates. Every page works without it.
"use strict";

(function () {
  function typing(target) {
    const tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function rows() {
    return Array.from(document.querySelectorAll("tr[data-row]"));
  }

  let selected = -1;

  function select(index) {
    const all = rows();
    if (all.length === 0) return;
    selected = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (row, i) {
      row.classList.toggle("selected", i === selected);
    });
    const link = all[selected].querySelector("a");
    if (link) link.focus();
  }

  function toggleHelp() {
    const help = document.getElementById("keys-help");
    if (!help) return;
    if (help.open) help.close(); else help.showModal();
  }

  // The ticket numbers of the last queue or results page seen, so a ticket page can move
  // to the next or previous ticket of that list.
  const listed = rows().map(function (row) { return row.dataset.id; });
  if (listed.length > 0) {
    try { sessionStorage.setItem("frontline-list", JSON.stringify(listed)); } catch (e) { /* private mode */ }
  }

  function neighbour(step) {
    const here = /^\/console\/tickets\/(\d+)$/.exec(window.location.pathname);
    if (!here) return false;
    let list = [];
    try { list = JSON.parse(sessionStorage.getItem("frontline-list") || "[]"); } catch (e) { return false; }
    const at = list.indexOf(here[1]);
    const to = at >= 0 ? list[at + step] : undefined;
    if (!to) return false;
    window.location.assign("/console/tickets/" + to);
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const key = event.key;
    if (key === "j" || key === "k") {
      if (rows().length === 0) return;
      const current = rows().findIndex(function (row) { return row.contains(document.activeElement); });
      const from = current >= 0 ? current : selected;
      select(key === "j" ? from + 1 : (from < 0 ? 0 : from - 1));
      event.preventDefault();
    } else if (key === "Enter" && selected >= 0 && !(document.activeElement && document.activeElement.tagName === "A")) {
      const link = rows()[selected] && rows()[selected].querySelector("a");
      if (link) { link.click(); event.preventDefault(); }
    } else if (key === "x" && rows().length > 0) {
      const current = rows().findIndex(function (row) { return row.contains(document.activeElement); });
      const row = rows()[current >= 0 ? current : selected];
      const box = row && row.querySelector('input[type="checkbox"]');
      if (box) { box.checked = !box.checked; event.preventDefault(); }
    } else if (key === "r" || key === "n") {
      const reply = document.getElementById("reply-body");
      const kind = document.querySelector('input[name="kind"][value="' + (key === "r" ? "reply" : "note") + '"]');
      if (kind) kind.checked = true;
      if (reply) { reply.focus(); event.preventDefault(); }
    } else if (key === "/" || key === "s") {
      // "/" searches the queue on screen (or the desk when there is none); "s" the desk.
      const search = (key === "/" && document.getElementById("q")) || document.getElementById("top-q");
      if (search) { search.focus(); event.preventDefault(); }
    } else if ((key === "]" || key === "[") && neighbour(key === "]" ? 1 : -1)) {
      event.preventDefault();
    } else if (key === "?") {
      toggleHelp();
      event.preventDefault();
    }
  });

  // Live updates: when the desk changes, fetch this page again and swap the queue and its
  // counts in place, keeping the selected row.
  const queue = document.getElementById("queue");
  if (queue && window.EventSource) {
    const source = new EventSource("/console/live?since=" + encodeURIComponent(queue.dataset.live || ""));
    let busy = false;
    source.addEventListener("changed", function () {
      if (busy) return;
      busy = true;
      fetch(window.location.href, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (!html) return;
          const doc = new DOMParser().parseFromString(html, "text/html");
          const fresh = doc.getElementById("queue");
          const current = document.getElementById("queue");
          if (!fresh || !current) return;
          const focusedId = document.activeElement && document.activeElement.closest("tr[data-row]")
            ? document.activeElement.closest("tr[data-row]").dataset.id : null;
          const checked = Array.from(document.querySelectorAll('input[name="ids"]:checked')).map(function (b) { return b.value; });
          const table = fresh.querySelector("table, .empty");
          const old = current.querySelector("table, .empty");
          if (table && old) old.replaceWith(document.importNode(table, true));
          checked.forEach(function (id) {
            const box = document.querySelector('input[name="ids"][value="' + id + '"]');
            if (box) box.checked = true;
          });
          const title = fresh.querySelector("#queue-title");
          if (title) current.querySelector("#queue-title").replaceWith(document.importNode(title, true));
          doc.querySelectorAll("[data-count]").forEach(function (count) {
            const mine = document.querySelector('[data-count="' + count.dataset.count + '"]');
            if (mine) mine.textContent = count.textContent;
          });
          const status = document.getElementById("live-status");
          if (status) status.textContent = "Queue updated " + new Date().toLocaleTimeString() + ".";
          if (focusedId) {
            const index = rows().findIndex(function (row) { return row.dataset.id === focusedId; });
            if (index >= 0) select(index);
          }
        })
        .catch(function () {})
        .finally(function () { busy = false; });
    });
  }

  // SLA countdowns: a running clock's business time left, counted down each half minute
  // from what the page was served with (the queue's live reload and the next visit bring the
  // desk's own figure back). A clock that runs out turns to "over" and breached.
  function duration(seconds) {
    const minutes = Math.floor(Math.abs(seconds) / 60);
    const d = Math.floor(minutes / 1440), h = Math.floor(minutes / 60) % 24, m = minutes % 60;
    if (d > 0) return d + "d " + h + "h";
    if (h > 0) return h + "h " + (m < 10 ? "0" : "") + m + "m";
    return m > 0 ? m + "m" : "< 1m";
  }
  const served = Date.now();
  window.setInterval(function () {
    const gone = Math.floor((Date.now() - served) / 1000);
    document.querySelectorAll("[data-sla][data-ticking]").forEach(function (cell) {
      if (!cell.dataset.start) cell.dataset.start = String(parseInt(cell.dataset.sla, 10) + gone);
      const left = parseInt(cell.dataset.start, 10) - gone;
      const text = cell.querySelector(".sla-left");
      if (text) text.textContent = duration(left) + (left < 0 ? " over" : " left");
      if (left < 0 && !cell.classList.contains("sla-breached")) {
        cell.className = "sla sla-breached";
        const state = cell.querySelector(".sla-state");
        if (state) state.textContent = "Breached";
      }
    });
  }, 30000);

  // On a ticket: say when someone else changes it, and who, without touching what is being
  // written; the link shows the changes.
  const watched = document.getElementById("ticket-live");
  if (watched && window.EventSource) {
    const url = "/console/live?ticket=" + encodeURIComponent(watched.dataset.ticket) +
      "&since=" + encodeURIComponent(watched.dataset.since || "");
    const source = new EventSource(url);
    const viewers = document.getElementById("ticket-viewers");
    source.addEventListener("viewers", function (event) {
      if (viewers) viewers.textContent = event.data ? "Also viewing this ticket: " + event.data : "";
    });
    source.addEventListener("changed", function () {
      fetch(window.location.pathname, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (!html) return;
          const doc = new DOMParser().parseFromString(html, "text/html");
          // Who: the latest change a person made (the desk's own SLA and rule entries that
          // came with it, or that record an earlier moment, do not say who changed it).
          const people = doc.querySelectorAll(".history li[data-person]");
          const last = people.length ? people[people.length - 1] : doc.querySelector(".history li:last-child");
          const who = last && last.querySelector(".who") ? last.querySelector(".who").textContent : "someone";
          const what = last ? last.textContent.replace(/\s+/g, " ").trim() : "";
          watched.textContent = "";
          const text = document.createElement("span");
          text.textContent = "Changed just now by " + who + " (" + what + "). ";
          const link = document.createElement("a");
          link.href = window.location.pathname;
          link.textContent = "Show the changes";
          watched.append(text, link);
        })
        .catch(function () {});
    });
  }
})();
