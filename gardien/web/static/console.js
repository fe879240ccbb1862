// Gardien console: keyboard work on the moderation queue, bulk selection, live claims (SSE).
// Plain JavaScript, no build step: progressive enhancement. Without it the queue's buttons are
// plain forms that post and come back; with it they (and the keys) go through the JSON API with
// the CSRF header, and the page never reloads.
(function () {
  "use strict";
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

  async function api(method, url, body) {
    const response = await fetch(url, {
      method,
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf() },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const message = (data.error && data.error.message) || response.statusText;
      throw Object.assign(new Error(message), { status: response.status });
    }
    return data;
  }

  function initQueue(list) {
    const me = list.dataset.me;
    const text = JSON.parse(document.getElementById("queue-text").textContent);
    const status = document.getElementById("status");
    const ruleSelect = document.getElementById("rule");
    const bulk = document.getElementById("bulk");
    let current = null;

    const items = () => Array.from(list.querySelectorAll("li.item:not(.done)"));
    const say = (message) => { status.textContent = message; };

    function focusItem(item) {
      if (!item) return;
      if (current) current.classList.remove("current");
      current = item;
      item.classList.add("current");
      item.focus({ preventScroll: true });
      item.scrollIntoView({ block: "nearest" });
    }

    function move(step) {
      const all = items();
      if (!all.length) return;
      const at = current ? all.indexOf(current) : -1;
      focusItem(all[Math.min(all.length - 1, Math.max(0, at + step))] || all[0]);
    }

    function selected() { return items().filter((item) => item.querySelector("input.select").checked); }

    function refreshBulk() {
      const count = selected().length;
      bulk.hidden = count === 0 && !bulk.querySelector(".error");
      document.getElementById("bulk-count").textContent = count + " " + text.selected;
    }

    let loading = false;
    async function loadMore() {
      if (loading || !list.dataset.next || items().length > 10) return;
      loading = true;
      const query = new URLSearchParams({ cursor: list.dataset.next });
      if (list.dataset.community) query.set("community", list.dataset.community);
      try {
        const response = await fetch("/console/queue/items?" + query, { credentials: "same-origin" });
        if (response.ok) {
          const known = new Set(Array.from(list.children, (li) => li.id));
          const holder = document.createElement("ol");
          holder.innerHTML = await response.text();
          for (const li of Array.from(holder.children)) if (!known.has(li.id)) list.appendChild(li);
          list.dataset.next = response.headers.get("X-Next-Cursor") || "";
          const more = document.getElementById("more");
          if (more && !list.dataset.next) more.hidden = true;
          document.getElementById("empty").hidden = items().length > 0;
          if (!current) focusItem(items()[0]);
        }
      } finally { loading = false; }
    }

    function finish(item, message) {
      const next = items()[items().indexOf(item) + 1] || items()[items().indexOf(item) - 1];
      item.classList.add("done");
      item.classList.remove("current");
      item.hidden = true;
      if (item === current) { current = null; focusItem(next); }
      if (!items().length) document.getElementById("empty").hidden = false;
      if (message) say(message);
      refreshBulk();
      loadMore();
    }

    function verdict(action, item) {
      const own = item && item.querySelector("select.rule");
      const rule = ruleSelect.value || (own && own.value) || (item && item.dataset.rule) || "";
      return { action, rule };
    }

    async function act(action) {
      const chosen = selected();
      if (chosen.length) {
        const community = chosen[0].dataset.community;
        const same = chosen.filter((item) => item.dataset.community === community);
        const body = Object.assign(verdict(action, same[0]), { community, items: same.map((i) => Number(i.dataset.item)) });
        try {
          const result = await api("POST", "/api/v1/moderation/bulk", body);
          for (const done of result.done) finish(document.getElementById("item-" + done.item));
          say(result.done.length + " " + text.done + (result.refused.length ? " · " + result.refused.map((r) => r.message).join("; ") : ""));
        } catch (error) { say(text.failed + ": " + error.message); }
        return;
      }
      if (!current) return;
      const item = current;
      try {
        await api("POST", "/api/v1/moderation/items/" + item.dataset.item + "/actions", verdict(action, item));
        finish(item, "#" + item.dataset.post + " " + text.done + ": " + action);
      } catch (error) {
        say((error.status === 422 && action !== "approve" ? text.no_rule + " " : "") + text.failed + ": " + error.message);
      }
    }

    async function claim() {
      if (!current) return;
      const item = current;
      const mine = item.classList.contains("mine");
      try {
        await api("POST", "/api/v1/moderation/items/" + item.dataset.item + (mine ? "/release" : "/claim"));
        item.classList.toggle("mine", !mine);
      } catch (error) { say(text.failed + ": " + error.message); }
    }

    document.addEventListener("keydown", (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const tag = (event.target.tagName || "").toLowerCase();
      if (tag === "input" && event.target.type !== "checkbox" || tag === "textarea" || tag === "select") return;
      const keys = {
        j: () => move(1), k: () => move(-1),
        x: () => { if (current) { const box = current.querySelector("input.select"); box.checked = !box.checked; refreshBulk(); } },
        a: () => act("approve"), h: () => act("hide"), r: () => act("remove"), w: () => act("warn"),
        c: () => claim(),
        o: () => { if (current) window.location.href = "/console/posts/" + current.dataset.post; },
      };
      const handler = keys[event.key];
      if (handler) { event.preventDefault(); handler(); }
    });

    list.addEventListener("click", (event) => {
      const item = event.target.closest("li.item");
      if (!item) return;
      if (event.target.matches("input.select")) { refreshBulk(); return; }
      if (item !== current) focusItem(item);
      const button = event.target.closest("button[data-act]");
      if (button) { event.preventDefault(); act(button.dataset.act); }
    });
    bulk.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-act]");
      if (button) { event.preventDefault(); act(button.dataset.act); }
    });

    // Live: others' claims and verdicts arrive as Server-Sent Events.
    if (window.EventSource) {
      const community = list.dataset.community;
      const source = new EventSource("/api/v1/queues/moderation/events" + (community ? "?community=" + encodeURIComponent(community) : ""));
      source.addEventListener("item", (message) => {
        const event = JSON.parse(message.data);
        const item = document.getElementById("item-" + event.item);
        if (!item || event.actor === me) return;
        const badge = item.querySelector("[data-claim]");
        if (event.action === "item.claim") {
          item.classList.add("claimed");
          badge.textContent = text.held_by + " " + event.actor.replace(/^user:/, "");
        } else if (event.action === "item.release") {
          item.classList.remove("claimed");
          badge.textContent = "";
        } else if (!item.classList.contains("done")) {
          finish(item, "#" + item.dataset.post + " " + text.done + " · " + event.actor.replace(/^user:/, ""));
        }
      });
    }
    refreshBulk();
    focusItem(items()[0]);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const list = document.getElementById("queue");
    if (list) initQueue(list);
  });
})();
