// Live countdowns to each obligation's deadline. The server renders the same
// text, so the page reads correctly without this script too.
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function human(ms) {
    var suffix = ms < 0 ? "overdue" : "left";
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400); s -= d * 86400;
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
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
})();
