  // whylm report page, part 1 of 5 (html.rs joins util.js, report.js, chat.js, summary.js and main.js inside one
  // function, so they share its scope): error capture, shared state, colours, numbers, the tooltip, byte slicing.
  // Everything is drawn from the JSON block with DOM calls and textContent (never innerHTML), so untrusted prompt
  // text stays text. State: which level and which selection (-1 = the whole target, t = token t).
  var root = document.documentElement;
  var errors = [];
  function recordError(message) {
    errors.push(String(message));
    root.setAttribute("data-js-errors", errors.join(" | "));
  }
  window.addEventListener("error", function (event) {
    recordError(event.message || "error");
  });
  var consoleError = console.error;
  console.error = function () {
    recordError(Array.prototype.join.call(arguments, " "));
    consoleError.apply(console, arguments);
  };

  var POS = [255, 0, 81];
  var NEG = [0, 139, 251];
  var doc;
  var state = { level: 0, selection: -1 };
  var ui = {};

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function colorFor(value, scale) {
    var a = scale > 0 ? Math.min(1, Math.abs(value) / scale) : 0;
    var c = value >= 0 ? POS : NEG;
    var mix = function (x) { return Math.round(255 + (x - 255) * a); };
    return "rgb(" + mix(c[0]) + ", " + mix(c[1]) + ", " + mix(c[2]) + ")";
  }

  // The same hue and strength as colorFor, as a translucent layer: on a tinted chat bubble a near-zero feature
  // then shows the bubble's colour instead of a white box.
  function overlayFor(value, scale) {
    var a = scale > 0 ? Math.min(1, Math.abs(value) / scale) : 0;
    var c = value >= 0 ? POS : NEG;
    return "rgba(" + c[0] + ", " + c[1] + ", " + c[2] + ", " + a.toFixed(3) + ")";
  }

  function textColorFor(value, scale) {
    var a = scale > 0 ? Math.min(1, Math.abs(value) / scale) : 0;
    return a > 0.65 ? "#fff" : "";
  }

  function maxAbs(values) {
    var m = 0;
    for (var i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
    return m;
  }

  function fmtSigned(v, scale) {
    if (scale !== 0 && Math.abs(scale) < 0.01) return (v >= 0 ? "+" : "") + v.toExponential(2);
    return (v >= 0 ? "+" : "") + v.toFixed(3);
  }

  function fmt(v) {
    if (v !== 0 && Math.abs(v) < 0.001) return v.toExponential(2);
    return v.toFixed(3);
  }

  function sum(values) {
    var s = 0;
    for (var i = 0; i < values.length; i++) s += values[i];
    return s;
  }

  function level() { return doc.levels[state.level]; }

  // Attribution of each feature to the current selection: one column of phi, or the row sums.
  function values(lv, sel) {
    return lv.phi.map(function (row) { return sel < 0 ? sum(row) : row[sel]; });
  }

  // Standard errors; for the whole target the sum over tokens, an upper bound whatever the correlation.
  function stdErrs(lv, sel) {
    if (!lv.std_err) return null;
    return lv.std_err.map(function (row) { return sel < 0 ? sum(row) : row[sel]; });
  }

  function pick(vector, sel) { return sel < 0 ? sum(vector) : vector[sel]; }

  function targetName(sel) {
    return sel < 0 ? "whole target" : JSON.stringify(doc.target_tokens[sel].text);
  }

  // ---- tooltip ----
  function showTip(event, lines) {
    ui.tip.textContent = lines.join("\n");
    ui.tip.style.display = "block";
    var x = Math.min(event.clientX + 14, window.innerWidth - ui.tip.offsetWidth - 8);
    var y = event.clientY + 16;
    if (y + ui.tip.offsetHeight > window.innerHeight - 8) y = event.clientY - ui.tip.offsetHeight - 10;
    ui.tip.style.left = x + "px";
    ui.tip.style.top = y + "px";
  }
  function hideTip() { ui.tip.style.display = "none"; }

  function valueLine(v, se, sel, scale) {
    var s = fmtSigned(v, scale);
    if (se !== null && se !== undefined) s += (sel < 0 ? " ± ≤" : " ± ") + fmt(se);
    return s;
  }

  // Byte offsets (the document's spans) to text: slice the UTF-8 bytes and decode.
  var promptBytes;
  var decoder = new TextDecoder("utf-8");
  function sliceBytes(start, end) { return decoder.decode(promptBytes.subarray(start, end)); }
  function decodeBytes(bytes, start, end) { return decoder.decode(bytes.subarray(start, end)); }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }
