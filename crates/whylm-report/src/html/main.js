  // Part 5 of 5: drawing on each state change, the URL hash, and start-up.
  // A URL hash like "#level=sentence&select=1" clicks the same buttons a reader would, so tests can drive the page.
  function render() {
    markButtons();
    drawPrompt();
    drawBars();
    drawStats();
    drawHeatmap();
    if (ui.chat) drawChat();
    drawAttentionPanel();
    drawInteractions();
    drawRefinement();
    root.setAttribute("data-level", level().level);
    root.setAttribute("data-selection", String(state.selection));
  }

  function selectTarget(index) { state.selection = index; render(); }
  function selectLevel(index) { state.level = index; render(); }

  // "#level=word&select=2" (select=all or a target index; level by name or index) clicks the matching buttons;
  // so do "reply=1" (a token of the chat view's reply bubble, or all), "summary=2" (a summary matrix column) and
  // "source=3" (a row).
  function applyHash() {
    var query = (window.location.hash || "").replace(/^#/, "");
    query.split("&").forEach(function (pair) {
      var kv = pair.split("=");
      var key = decodeURIComponent(kv[0] || "");
      var val = decodeURIComponent(kv[1] || "");
      var button = null;
      if (key === "level" && ui.levelBar) {
        var index = doc.levels.findIndex(function (lv) { return lv.level === val; });
        if (index < 0 && /^\d+$/.test(val)) index = Number(val);
        button = ui.levelBar.querySelector('button[data-level="' + index + '"]');
      } else if (key === "select") {
        var t = val === "all" ? -1 : Number(val);
        button = ui.targets.querySelector('button[data-target="' + t + '"]');
      } else if (key === "reply" && ui.chat) {
        var r = val === "all" ? -1 : Number(val);
        button = ui.chat.querySelector('button[data-reply="' + r + '"]');
      } else if (key === "summary" && ui.summary) {
        button = ui.summary.querySelector('th[data-col="' + Number(val) + '"]');
      } else if (key === "source" && ui.summary) {
        button = ui.summary.querySelector('th[data-row="' + Number(val) + '"]');
      } else if (/^att-(view|layer|head)$/.test(key)) {
        setAttention(key, val);
      } else if (key === "pair" && ui.inter) {
        button = ui.inter.querySelector('td[data-pair="' + val + '"]');
      } else if (key === "expand" && ui.refine) {
        button = ui.refine.querySelector('button[data-expand="' + val + '"]');
      }
      if (button) button.click();
    });
  }

  // Byte offsets (the document's spans) to text: slice the UTF-8 bytes and decode.
  try {
    doc = JSON.parse(document.getElementById("whylm-data").textContent);
    promptBytes = new TextEncoder().encode(doc.prompt);
    buildLayout();
    render();
    applyHash();
    window.addEventListener("hashchange", applyHash);
    root.setAttribute("data-ready", "1");
  } catch (e) {
    recordError(e && e.stack ? e.stack : e);
    var fail = el("p", null, "whylm could not draw this report: " + e);
    document.body.appendChild(fail);
  }
