// Live countdowns to each obligation's deadline, and the live delivery
// panel. The server renders the same text, so the page reads correctly
// without this script too.
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function human(ms) {
    var suffix = ms < 0 ? "overdue" : "left";
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400); s -= d * 86400;
    if (d >= 14) { return d + " days " + suffix; }
    var h = Math.floor(s / 3600); s -= h * 3600;
    var m = Math.floor(s / 60); s -= m * 60;
    return (d > 0 ? d + "d " : "") + pad(h) + ":" + pad(m) + ":" + pad(s) + " " + suffix;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time.countdown[datetime]").forEach(function (el) {
      var ms = Date.parse(el.getAttribute("datetime")) - now;
      el.textContent = human(ms);
      el.classList.toggle("overdue", ms < 0);
    });
  }

  // Delivery: poll the counts, keep the samples of this page's life, draw
  // people sent over time, and ask the server (the arithmetic of `plan`)
  // when the rest goes out at the measured rate.
  var samples = [];
  function num(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  function measuredRate() {
    var last = samples[samples.length - 1], first = null;
    for (var i = samples.length - 1; i >= 0; i--) {
      if (last.t - samples[i].t > 30000) { break; }
      first = samples[i];
    }
    if (!first || last.t === first.t) { return 0; }
    return (last.done - first.done) * 1000 / (last.t - first.t);
  }
  function draw() {
    var line = document.getElementById("delivery-line");
    if (!line || samples.length === 0) { return; }
    var t0 = samples[0].t, t1 = Math.max(samples[samples.length - 1].t, t0 + 1);
    var top = 1;
    samples.forEach(function (p) { top = Math.max(top, p.toReach); });
    line.setAttribute("points", samples.map(function (p) {
      var x = 40 + 510 * (p.t - t0) / (t1 - t0), y = 120 - 110 * p.done / top;
      return x.toFixed(1) + "," + y.toFixed(1);
    }).join(" "));
    document.getElementById("delivery-max").textContent = num(top) + " to reach";
  }
  function show(rep) {
    var done = 0, toReach = 0;
    rep.channels.forEach(function (c) {
      done += c.done; toReach += c.to_reach;
      var row = document.querySelector('#delivery-rows tr[data-channel="' + c.channel + '"]');
      if (!row) { return; }
      row.querySelector(".to-reach").textContent = num(c.to_reach);
      row.querySelector(".done").textContent = num(c.done);
      row.querySelector(".remaining").textContent = num(c.remaining);
      row.querySelector(".fallback").textContent = num(c.fallback);
    });
    var stopped = document.getElementById("delivery-stopped");
    if (stopped) {
      stopped.textContent = "";
      rep.channels.forEach(function (c) {
        (c.stopped || []).forEach(function (f) {
          var p = document.createElement("p");
          p.appendChild(document.createTextNode("Sending stopped on shard " + f.shard +
            (f.at && !/^0001-/.test(f.at) ? " at " + f.at.replace("T", " ").slice(0, 16) + " UTC" : "") + ": "));
          if (f.error) {
            var b = document.createElement("strong");
            b.textContent = f.error;
            p.appendChild(b);
            p.appendChild(document.createTextNode(": "));
          }
          p.appendChild(document.createTextNode(f.cause));
          stopped.appendChild(p);
        });
      });
    }
    samples.push({ t: Date.now(), done: done, toReach: toReach });
    if (samples.length > 600) { samples.shift(); }
    draw();
    document.getElementById("delivery-rate").textContent = rep.rate > 0 ? rep.rate.toFixed(1) + " a second" : "not measured yet";
    document.getElementById("delivery-finish").textContent = rep.finish ? new Date(rep.finish).toISOString().replace("T", " ").slice(0, 16) + " UTC" : (rep.no_plan || "—");
    var ul = document.getElementById("delivery-deadlines");
    ul.textContent = "";
    rep.deadlines.forEach(function (d) {
      var li = document.createElement("li");
      li.className = d.met ? "met" : "late";
      li.textContent = d.id + ": " + (d.met ? "met, " : "MISSED, ") + d.margin;
      ul.appendChild(li);
    });
  }
  function poll(url) {
    var rate = samples.length > 1 ? measuredRate() : 0;
    fetch(url + "?rate=" + rate, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (rep) { if (rep) { show(rep); } })
      .catch(function () {})
      .finally(function () { setTimeout(function () { poll(url); }, 2000); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick(); setInterval(tick, 1000);
    var live = document.getElementById("delivery");
    if (live) { poll(live.getAttribute("data-live")); }
  });
})();
