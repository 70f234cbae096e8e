/* Lantern's small helpers. Every page works without this file; it only makes things smoother.
   No inline script anywhere (strict CSP), so behaviour hangs off data- attributes. */
(function () {
  "use strict";

  // Quick exit: replace this page in history, so Back does not return here, and drop what htmx or
  // the page kept in session storage on a shared device.
  function quickExit(event) {
    var link = event.target.closest("[data-quick-exit]");
    if (!link) return;
    event.preventDefault();
    try { sessionStorage.clear(); } catch (e) { /* storage may be blocked */ }
    document.body.hidden = true;
    window.location.replace(link.href);
  }
  document.addEventListener("click", quickExit);
  // Escape pressed three times in a row also leaves (a common pattern on safety sites).
  var escapes = 0, escapeTimer = null;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    escapes += 1;
    clearTimeout(escapeTimer);
    escapeTimer = setTimeout(function () { escapes = 0; }, 1200);
    if (escapes >= 3) {
      var link = document.querySelector("[data-quick-exit]");
      if (link) link.click();
    }
  });

  // How much of the top of the screen stays covered by what sticks (the header, and the 911 line on
  // tall screens), so the page scrolls focused fields and linked questions clear of it.
  function measureSticky() {
    var header = document.querySelector(".site-header");
    if (!header) return;
    var banner = document.querySelector(".danger-banner");
    var bottom = header.offsetHeight;
    if (banner && getComputedStyle(banner).position === "sticky") bottom += banner.offsetHeight;
    document.documentElement.style.setProperty("--header-block", header.offsetHeight + "px");
    document.documentElement.style.setProperty("--sticky-block", bottom + "px");
  }
  window.addEventListener("resize", measureSticky);
  document.addEventListener("DOMContentLoaded", measureSticky);
  document.addEventListener("htmx:afterSettle", measureSticky);

  function enhance(root) {
    root.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    root.querySelectorAll("[data-copy]").forEach(function (button) {
      if (!navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var status = root.querySelector("[data-copy-status]");
        navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
          if (status) status.textContent = status.getAttribute("data-copied") || "✓";
        });
      });
    });
    root.querySelectorAll("form[data-steps]").forEach(setUpSteps);
    root.querySelectorAll("[data-file-pick]").forEach(setUpFilePick);
    // After a swap, put focus where the reader's attention should go (errors first, else the new
    // heading), so keyboard and screen-reader users are not left on a control that vanished.
    if (root === document) return;
    var summary = root.querySelector(".error-summary");
    var heading = root.querySelector("h1[tabindex='-1']");
    if (summary) summary.focus();
    else if (heading) heading.focus();
  }

  // On small screens the report form asks one question at a time. Without JS (or on wide
  // screens) every question is on one page.
  function setUpSteps(form) {
    if (form.dataset.stepsReady) return;
    form.dataset.stepsReady = "1";
    var narrow = window.matchMedia("(max-width: 40rem)");
    if (!narrow.matches || form.querySelector(".error-summary")) return;
    var steps = Array.prototype.slice.call(form.querySelectorAll("[data-step]"));
    var actions = form.querySelector(".form-actions");
    var nav = document.createElement("div");
    nav.className = "step-nav";
    var back = makeButton(form.dataset.backLabel || "Back");
    var next = makeButton(form.dataset.nextLabel || "Next");
    var progress = document.createElement("p");
    progress.className = "step-progress";
    progress.setAttribute("aria-live", "polite");
    nav.append(back, progress, next);
    form.insertBefore(nav, actions);
    var current = 0;
    function show(index) {
      current = index;
      steps.forEach(function (step, i) { step.hidden = i !== index; });
      actions.hidden = index !== steps.length - 1;
      back.hidden = index === 0;
      next.hidden = index === steps.length - 1;
      progress.textContent = (form.dataset.stepLabel || "Question {current} of {total}")
        .replace("{current}", index + 1).replace("{total}", steps.length);
    }
    function stepValid(step) { return checkFields(step); }
    next.addEventListener("click", function () {
      if (!stepValid(steps[current])) return;
      show(current + 1);
      var legend = steps[current].querySelector("legend");
      if (legend) { legend.tabIndex = -1; legend.focus(); }
    });
    back.addEventListener("click", function () { show(current - 1); });
    show(0);
  }

  // Our own messages, in the page's language (the browser's bubbles speak the browser's): the same
  // words the server answers with when a form arrives without them (data-required, per question).
  function checkFields(root) {
    var first = null;
    var questions = Array.prototype.slice.call(root.querySelectorAll("[data-required]"));
    if (root.matches && root.matches("[data-required]")) questions.unshift(root);
    questions.forEach(function (question) {
      var controls = Array.prototype.filter.call(question.querySelectorAll("input, select, textarea"), function (c) {
        return c.willValidate;
      });
      var wrong = controls.filter(function (c) { return !c.checkValidity(); });
      if (!wrong.length) return;
      var name = wrong[0].name;
      var error = document.getElementById(name + "-error");
      if (!error) {
        error = document.createElement("p");
        error.className = "field-error";
        error.id = name + "-error";
        error.setAttribute("data-testid", "error-" + name);
        var legend = question.querySelector("legend");
        if (legend) legend.after(error); else question.prepend(error);
      }
      error.textContent = question.getAttribute("data-required");
      controls.forEach(function (c) {
        if (c.name !== name) return;
        c.setAttribute("aria-invalid", "true");
        var described = (c.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        if (described.indexOf(error.id) < 0) c.setAttribute("aria-describedby", described.concat(error.id).join(" "));
      });
      first = first || wrong[0];
    });
    if (first) first.focus();
    return !first;
  }
  window.LanternForms = { check: checkFields };
  // Answered: the message goes, whether this page or the server said it.
  document.addEventListener("change", clearFieldError);
  document.addEventListener("input", clearFieldError);
  function clearFieldError(event) {
    var control = event.target;
    var question = control.closest && control.closest("[data-required]");
    if (!question || !control.name || !control.checkValidity()) return;
    var error = document.getElementById(control.name + "-error");
    if (!error) return;
    question.querySelectorAll("[name='" + control.name + "']").forEach(function (c) {
      c.removeAttribute("aria-invalid");
      var described = (c.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id !== error.id;
      });
      if (described.length) c.setAttribute("aria-describedby", described.join(" "));
      else c.removeAttribute("aria-describedby");
    });
    error.remove();
  }

  // A file control in the page's language: the label is the button; the chosen names are listed.
  function setUpFilePick(pick) {
    var input = pick.querySelector("input[type=file]");
    var names = pick.querySelector("[data-file-names]");
    if (!input || !names || pick.classList.contains("file-pick--ready")) return;
    pick.classList.add("file-pick--ready");
    function show() {
      var files = Array.prototype.map.call(input.files || [], function (file) { return file.name; });
      names.textContent = files.length ? names.getAttribute("data-chosen") + " " + files.join(", ") : names.getAttribute("data-none");
    }
    input.addEventListener("change", show);
    if (input.form) input.form.addEventListener("reset", function () { setTimeout(show, 0); });
    show();
  }

  function makeButton(label) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = label;
    return button;
  }

  // --- Without a network ----------------------------------------------------------------------

  // A page that needs the server (e.g. "I have a code") did not open: say so, and what still works.
  function needsNetwork() {
    var note = document.querySelector("[data-net-notice]");
    if (!note) return;
    note.textContent = note.getAttribute("data-needs-network");
    note.scrollIntoView({ block: "nearest" });
  }

  // The service worker keeps the directory, each need and each school's list (/offline/pages).
  function keptPage(url) {
    if (!window.caches) return Promise.resolve(null);
    return caches.keys().then(function (names) {
      return names.filter(function (name) { return name.indexOf("lantern-pages-") === 0; })
        .reduce(function (found, name) {
          return found.then(function (hit) {
            return hit || caches.open(name).then(function (cache) { return cache.match(url, { ignoreVary: true }); });
          });
        }, Promise.resolve(null));
    });
  }

  // Which kept list answers these filters: none, one need, or one school, each with or without
  // "open now" (worked out here from the hours on each card). Distances and words need the server.
  function keptList(form) {
    var chosen = [];
    var openNow = false;
    new FormData(form).forEach(function (value, name) {
      if (typeof value !== "string" || !value.trim()) return;
      if (name === "open") openNow = true;
      else chosen.push([name, value]);
    });
    var action = form.getAttribute("action");
    if (!chosen.length) return { url: action, openNow: openNow };
    if (chosen.length === 1 && (chosen[0][0] === "need" || chosen[0][0] === "school")) {
      return { url: action + "?" + chosen[0][0] + "=" + encodeURIComponent(chosen[0][1]), openNow: openNow };
    }
    return null;
  }

  function localTime(now, zone) {
    var parts = {};
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone, weekday: "short", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    }).formatToParts(now).forEach(function (part) { parts[part.type] = part.value; });
    return {
      weekday: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(parts.weekday),
      year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
      minutes: (Number(parts.hour) % 24) * 60 + Number(parts.minute)
    };
  }

  function minutesOf(hhmm) {
    var parts = hhmm.split(":");
    return Number(parts[0]) * 60 + Number(parts[1]);
  }

  // The rule of web/resources/hours.py is_open: a span past midnight belongs to the day it started,
  // and a closed day (a holiday) is closed whatever the weekly hours say.
  function isOpen(schedule, now) {
    return schedule.spans.some(function (span) {
      var local = localTime(now, span[3]);
      var opens = minutesOf(span[1]);
      var closes = minutesOf(span[2]);
      var allDay = opens === 0 && (closes === 0 || closes === 23 * 60 + 59);
      var length = allDay ? 1440 : (closes > opens ? closes - opens : closes + 1440 - opens);
      return [0, 1].some(function (back) {
        var day = new Date(Date.UTC(local.year, local.month - 1, local.day - back)).toISOString().slice(0, 10);
        if (span[0].indexOf((local.weekday - back + 7) % 7) < 0 || schedule.closed.indexOf(day) >= 0) return false;
        var start = opens - back * 1440;
        return local.minutes >= start && local.minutes < start + length;
      });
    });
  }

  // Keep only the places open at this moment; their badges (kept earlier) are said again for now.
  function onlyOpenNow(results, openLabel) {
    var now = new Date();
    var shown = 0;
    results.querySelectorAll("[data-hours]").forEach(function (card) {
      var schedule = JSON.parse(card.getAttribute("data-hours"));
      var open = schedule.spans.length > 0 && isOpen(schedule, now);
      card.hidden = !open;
      if (!open) return;
      shown += 1;
      var badge = card.querySelector(".badge--closed");
      if (badge) { badge.className = "badge badge--open"; badge.textContent = openLabel; }
    });
    results.querySelectorAll("section").forEach(function (section) {
      section.hidden = !section.querySelector("[data-hours]:not([hidden])");
    });
    // The counts were the kept list's; the note says how many are open now.
    results.querySelectorAll("[data-testid=results-count], [data-testid=results-cut], [data-testid=no-results]")
      .forEach(function (node) { node.hidden = true; });
    return shown;
  }

  function filterOffline(form) {
    var note = document.querySelector("[data-offline-note]");
    var kept = keptList(form);
    (kept ? keptPage(kept.url) : Promise.resolve(null))
      .then(function (response) { return response ? response.text() : null; })
      .then(function (html) {
        var results = document.getElementById("resource-results");
        var copy = html && new DOMParser().parseFromString(html, "text/html").getElementById("resource-results");
        if (!copy || !results) {
          if (note) note.textContent = form.getAttribute("data-offline-needs-network");
          return;
        }
        results.replaceChildren.apply(results, Array.prototype.map.call(copy.childNodes, function (node) {
          return document.importNode(node, true);
        }));
        var text = form.getAttribute("data-offline-kept");
        if (kept.openNow) {
          var label = form.querySelector("label[for=open]");
          var shown = onlyOpenNow(results, label ? label.textContent.trim() : "");
          text = form.getAttribute("data-offline-open-now").replace("{count}", shown);
        }
        history.replaceState(history.state, "", kept.url + (kept.openNow ? (kept.url.indexOf("?") < 0 ? "?" : "&") + "open=now" : ""));
        if (note) note.textContent = text;
      });
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var form = elt && elt.closest ? elt.closest("form[data-offline-filters]") : null;
    if (!form || navigator.onLine) return;
    event.preventDefault();
    filterOffline(form);
  });

  // When a send fails (no network, a server error, too many tries), say so plainly next to the
  // form: never leave someone thinking a report went when it did not.
  function sendFailed(event) {
    var elt = event.detail.elt;
    var verb = event.detail.requestConfig && event.detail.requestConfig.verb;
    var tooMany = event.detail.xhr && event.detail.xhr.status === 429;
    if (verb === "get" && !tooMany) {
      // Nothing was being sent: a page or a list could not be fetched.
      var filters = elt && elt.closest ? elt.closest("form[data-offline-filters]") : null;
      if (filters) filterOffline(filters);
      else if (event.type !== "htmx:responseError") needsNetwork();
      return;
    }
    var form = elt && elt.closest ? elt.closest("form") : null;
    if (!form) return;
    var note = form.querySelector(".send-error");
    if (!note) {
      note = document.createElement("p");
      note.className = "send-error";
      note.setAttribute("role", "alert");
      note.setAttribute("data-testid", "send-error");
      form.insertBefore(note, form.firstChild);
    }
    note.textContent = document.body.getAttribute(tooMany ? "data-too-many" : "data-send-error");
    note.scrollIntoView({ block: "center" });
  }
  document.addEventListener("htmx:responseError", sendFailed);
  document.addEventListener("htmx:sendError", sendFailed);
  document.addEventListener("htmx:timeout", sendFailed);

  // Pages replace each other in the browser's history (base.html), so the browser's Back leaves
  // Lantern. Inside it, "back to the list" returns to the list the person came from; it is kept in
  // memory only, never in storage, so nothing of it outlives the tab.
  var lastList = null;
  function rememberList() {
    if (/\/resources$/.test(location.pathname)) lastList = location.pathname + location.search;
    var back = document.querySelector("a[data-back-to-list]");
    if (back && lastList && lastList !== back.getAttribute("href")) {
      back.setAttribute("href", lastList);
      back.textContent = back.getAttribute("data-back-to-list");
    }
  }
  document.addEventListener("DOMContentLoaded", rememberList);
  document.addEventListener("htmx:afterSettle", rememberList);
  document.addEventListener("htmx:replacedInHistory", rememberList);

  // A boosted page load swaps the body's children only; keep <body id> naming the page shown.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.boosted) return;
    var match = /<body[^>]*\sid="([^"]*)"/.exec(event.detail.xhr.responseText);
    if (match) document.body.id = match[1];
  });

  // The community form's proof-of-work (web/help/flood.py): solved in a Web Worker while the person
  // types; a send waits for it (about a second on a Chromebook). Without workers the form still sends.
  var solving = new WeakMap();
  function startProofOfWork(root) {
    var forms = root.matches && root.matches("form[data-pow]") ? [root] : root.querySelectorAll("form[data-pow]");
    Array.prototype.forEach.call(forms, function (form) {
      var challenge = form.querySelector("input[name=pow_challenge]");
      var nonce = form.querySelector("input[name=pow_nonce]");
      if (!challenge || !nonce || solving.has(form) || !window.Worker) return;
      var worker = new Worker(form.getAttribute("data-pow"));
      solving.set(form, new Promise(function (resolve) {
        worker.onmessage = function (event) { nonce.value = event.data.nonce; worker.terminate(); resolve(); };
        worker.onerror = function () { worker.terminate(); resolve(); };
      }));
      worker.postMessage({ challenge: challenge.value });
    });
  }
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.target.closest ? event.target.closest("form[data-pow]") : null;
    var nonce = form && form.querySelector("input[name=pow_nonce]");
    if (!form || !nonce || nonce.value || !solving.has(form)) return;
    event.preventDefault();
    solving.get(form).then(function () { event.detail.issueRequest(true); });
  });

  document.addEventListener("DOMContentLoaded", function () { enhance(document); startProofOfWork(document); });
  document.addEventListener("htmx:load", function (event) { startProofOfWork(event.detail.elt); });
  document.addEventListener("htmx:load", function (event) { enhance(event.detail.elt); });
})();
