/* Live SLA countdowns, and the viewer's time zone for the server.
 *
 * Loaded as a file (with the CSP nonce): the policy allows no inline script. Every second it
 * rewrites each [data-due] element from its ISO deadline, so rows that htmx swaps in later
 * count down too without re-binding anything. */
(function () {
  "use strict";

  var COOKIE = "tz";

  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) return decodeURIComponent(parts[i].slice(eq + 1));
    }
    return null;
  }

  /* The server shows "your time" in the zone named by the `tz` cookie (UTC until it is set).
   * Set it from the browser; if this page was drawn in another zone, draw it again once. */
  function rememberZone() {
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      return;
    }
    if (!zone) return;
    if (readCookie(COOKIE) !== zone) {
      document.cookie = COOKIE + "=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
    }
    var page = document.querySelector("[data-viewer-zone]");
    if (!page || page.getAttribute("data-viewer-zone") === zone) return;
    var guard = "pactline-tz-reload:" + zone;
    // Once per zone and tab: if the cookie cannot be stored the page must not reload forever.
    if (readCookie(COOKIE) === zone && !window.sessionStorage.getItem(guard)) {
      window.sessionStorage.setItem(guard, "1");
      window.location.reload();
    }
  }

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function format(ms, dayUnit) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400);
    s -= d * 86400;
    var h = Math.floor(s / 3600);
    s -= h * 3600;
    var m = Math.floor(s / 60);
    s -= m * 60;
    var hms = pad(h) + ":" + pad(m) + ":" + pad(s);
    return d ? d + dayUnit + " " + hms : hms;
  }

  var HOUR = 3600 * 1000;

  function tick() {
    var now = Date.now();
    var clocks = document.querySelectorAll("[data-due]");
    for (var i = 0; i < clocks.length; i++) {
      var el = clocks[i];
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) continue;
      var left = due - now;
      var template = el.getAttribute(left >= 0 ? "data-left" : "data-overdue") || "{time}";
      el.textContent = template.replace("{time}", format(left, el.getAttribute("data-day") || "d"));
      el.classList.toggle("countdown-overdue", left < 0);
      el.classList.toggle("countdown-soon", left >= 0 && left < HOUR);
    }
  }

  rememberZone();
  tick();
  window.setInterval(tick, 1000);
})();
