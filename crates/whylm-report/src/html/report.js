  // Part 2 of 5: the page as it is for every document: target bar, prompt, top bars, numbers, heatmap, attention.
  // ---- static layout ----
  function buildLayout() {
    var main = el("main");
    var head = el("header");
    head.appendChild(el("h1", null, "Why did the model write \u201c" + doc.target_tokens.map(function (t) {
      return t.text;
    }).join("").trim().slice(0, 80) + "\u201d?"));
    var meta = el("div", "meta");
    var parts = [
      ["model", doc.model.name + (doc.model.architecture ? " (" + doc.model.architecture + ")" : "")],
      ["score", doc.score], ["masker", doc.masker], ["wall time", doc.wall_seconds.toFixed(2) + " s"]
    ];
    parts.forEach(function (p, i) {
      if (i) meta.appendChild(document.createTextNode(" · "));
      meta.appendChild(document.createTextNode(p[0] + " "));
      meta.appendChild(el("b", null, p[1]));
    });
    head.appendChild(meta);
    main.appendChild(head);

    if (doc.levels.length > 1) {
      ui.levelBar = el("div", "bar levels");
      ui.levelBar.setAttribute("role", "tablist");
      doc.levels.forEach(function (lv, i) {
        var b = el("button", null, lv.level);
        b.setAttribute("data-level", String(i));
        b.addEventListener("click", function () { selectLevel(i); });
        ui.levelBar.appendChild(b);
      });
      main.appendChild(ui.levelBar);
    }

    // The task-specific views come first: they answer the question the reader of a chat or a summary asks.
    if (doc.summary) main.appendChild(buildSummary());
    if (doc.conversation) main.appendChild(buildChat());

    main.appendChild(el("h2", null, "Target — click a token to see what drove it"));
    ui.targets = el("div", "bar targets");
    var all = targetButton(-1, "whole target", "Σ " + fmt(sum(doc.levels[0].full_value)));
    all.classList.add("all");
    ui.targets.appendChild(all);
    doc.target_tokens.forEach(function (t, i) {
      ui.targets.appendChild(targetButton(i, t.text, fmt(doc.levels[0].full_value[i])));
    });
    main.appendChild(ui.targets);

    ui.promptTitle = el("h2");
    main.appendChild(ui.promptTitle);
    ui.prompt = el("div", "prompt");
    ui.prompt.id = "prompt";
    main.appendChild(ui.prompt);
    ui.legend = el("div", "legend");
    main.appendChild(ui.legend);

    var grid = el("div", "grid");
    var left = el("section");
    left.appendChild(el("h2", null, "Largest attributions"));
    ui.bars = el("div", "topbars");
    left.appendChild(ui.bars);
    var right = el("section");
    right.appendChild(el("h2", null, "Numbers"));
    ui.stats = el("div", "stats");
    right.appendChild(ui.stats);
    grid.appendChild(left);
    grid.appendChild(right);
    main.appendChild(grid);

    main.appendChild(el("h2", null, "Every feature × every target token"));
    ui.heat = el("div", "heat");
    main.appendChild(ui.heat);

    if (doc.levels.some(function (lv) { return lv.interactions; })) buildInteractions(main);
    if (doc.refinement) buildRefinement(main);

    if (doc.attention && !buildAttention(main)) {
      var details = el("details");
      details.appendChild(el("summary", null, "Attention of layer " + doc.attention.layer +
        " (mean over heads) from each target position to each input token — not an attribution"));
      ui.attention = el("div", "heat");
      details.appendChild(ui.attention);
      main.appendChild(el("h2", null, "Attention"));
      main.appendChild(details);
      drawAttention();
    }

    if (doc.warnings.length) {
      main.appendChild(el("h2", null, "Warnings"));
      var box = el("div", "warnings");
      var list = el("ul");
      doc.warnings.forEach(function (w) { list.appendChild(el("li", null, w)); });
      box.appendChild(list);
      main.appendChild(box);
    }

    main.appendChild(el("footer", null, "whylm " + doc.whylm_version + " · report schema " + doc.schema_version +
      " · attributions are Shapley-style values of the " + doc.score + " score; red raises it, blue lowers it"));
    ui.tip = el("div");
    ui.tip.id = "tip";
    document.body.appendChild(main);
    document.body.appendChild(ui.tip);
  }

  function targetButton(index, text, score) {
    var b = el("button");
    b.setAttribute("data-target", String(index));
    b.appendChild(el("span", "tok", text));
    b.appendChild(el("span", "score", score));
    b.addEventListener("click", function () { selectTarget(index); });
    return b;
  }

  // ---- views that depend on the state ----
  function drawPrompt() {
    var lv = level();
    var sel = state.selection;
    var vals = values(lv, sel);
    var errs = stdErrs(lv, sel);
    var scale = maxAbs(vals);
    ui.promptTitle.textContent = "Prompt by " + lv.level + ", coloured by attribution to the " +
      (sel < 0 ? "whole target" : "token " + targetName(sel));
    var box = ui.prompt;
    while (box.firstChild) box.removeChild(box.firstChild);
    if (doc.prefix) box.appendChild(el("span", "fixed", doc.prefix));

    // Features in prompt order, with special tokens (no text) shown as chips where they sit. Tokens of a prefix
    // or suffix (chat template) sit at the prompt's ends and are already shown as that greyed text.
    var items = lv.features.map(function (f, i) { return { start: f.start, end: f.end, feature: i }; });
    doc.input_tokens.forEach(function (t) {
      if (!t.special || t.start !== t.end) return;
      if (doc.prefix && t.start === 0) return;
      if (doc.suffix && t.start === promptBytes.length) return;
      items.push({ start: t.start, end: t.start, special: t.text });
    });
    items.sort(function (a, b) {
      return a.start - b.start || (a.special !== undefined ? -1 : 0) - (b.special !== undefined ? -1 : 0);
    });
    var pos = 0;
    var ranked = vals.map(function (v, i) { return i; }).sort(function (a, b) {
      return Math.abs(vals[b]) - Math.abs(vals[a]) || a - b;
    });
    var rank = [];
    ranked.forEach(function (f, r) { rank[f] = r + 1; });
    items.forEach(function (item) {
      var start = Math.max(item.start, pos);
      if (start > pos) box.appendChild(document.createTextNode(sliceBytes(pos, start)));
      if (item.special !== undefined) {
        var chip = el("span", "special", item.special);
        chip.title = "special token: always kept, never a feature";
        box.appendChild(chip);
        return;
      }
      if (item.end <= start) return;
      var i = item.feature;
      var span = el("span", "feat", sliceBytes(start, item.end));
      span.setAttribute("data-feature", String(i));
      span.setAttribute("data-value", String(vals[i]));
      span.style.backgroundColor = colorFor(vals[i], scale);
      span.style.color = textColorFor(vals[i], scale);
      span.addEventListener("mousemove", function (event) {
        var lines = [JSON.stringify(lv.features[i].text),
          valueLine(vals[i], errs ? errs[i] : null, sel, scale) + "  (rank " + rank[i] + " of " + vals.length + ")"];
        if (sel < 0 && doc.target_tokens.length > 1) {
          doc.target_tokens.forEach(function (t, k) {
            lines.push("  " + JSON.stringify(t.text) + " " + fmtSigned(lv.phi[i][k], scale));
          });
        }
        showTip(event, lines);
        highlightRow(i);
      });
      span.addEventListener("mouseleave", function () { hideTip(); highlightRow(-1); });
      box.appendChild(span);
      pos = item.end;
    });
    if (pos < promptBytes.length) box.appendChild(document.createTextNode(sliceBytes(pos, promptBytes.length)));
    if (doc.suffix) box.appendChild(el("span", "fixed", doc.suffix));

    while (ui.legend.firstChild) ui.legend.removeChild(ui.legend.firstChild);
    ui.legend.appendChild(el("span", null, fmtSigned(-scale, scale)));
    ui.legend.appendChild(el("span", "grad"));
    ui.legend.appendChild(el("span", null, fmtSigned(scale, scale)));
    ui.legend.appendChild(el("span", null, "blue lowers the score, red raises it; hover a feature for its value"));
  }

  // Hovering a feature colours the target tokens by that feature's attribution to each of them.
  function highlightRow(feature) {
    var lv = level();
    var buttons = ui.targets.querySelectorAll("button[data-target]");
    var row = feature >= 0 ? lv.phi[feature] : null;
    var scale = row ? maxAbs(row) : 0;
    Array.prototype.forEach.call(buttons, function (b) {
      var t = Number(b.getAttribute("data-target"));
      var v = row ? (t < 0 ? sum(row) : row[t]) : 0;
      b.style.backgroundColor = row && t >= 0 ? colorFor(v, scale) : "";
    });
  }

  function drawBars() {
    var lv = level();
    var sel = state.selection;
    var vals = values(lv, sel);
    var errs = stdErrs(lv, sel);
    var scale = maxAbs(vals);
    var order = vals.map(function (v, i) { return i; }).sort(function (a, b) {
      return Math.abs(vals[b]) - Math.abs(vals[a]) || a - b;
    }).slice(0, 10);
    var box = ui.bars;
    while (box.firstChild) box.removeChild(box.firstChild);
    order.forEach(function (i) {
      var row = el("div", "row");
      var label = el("div", "label", lv.features[i].text);
      label.title = lv.features[i].text;
      var track = el("div", "track");
      track.appendChild(el("div", "zero"));
      var fill = el("div", "fill");
      var width = scale > 0 ? 50 * Math.abs(vals[i]) / scale : 0;
      fill.style.width = width + "%";
      fill.style.left = vals[i] >= 0 ? "50%" : (50 - width) + "%";
      fill.style.backgroundColor = vals[i] >= 0 ? "rgb(255, 0, 81)" : "rgb(0, 139, 251)";
      track.appendChild(fill);
      row.appendChild(label);
      row.appendChild(track);
      var val = el("div", "val", fmtSigned(vals[i], scale));
      if (errs) val.appendChild(el("span", "se", (sel < 0 ? " ± ≤" : " ± ") + fmt(errs[i])));
      row.appendChild(val);
      box.appendChild(row);
    });
  }

  function drawStats() {
    var lv = level();
    var sel = state.selection;
    var base = pick(lv.base_value, sel);
    var full = pick(lv.full_value, sel);
    var total = sum(values(lv, sel));
    var rows = [
      ["Selected", targetName(sel)],
      ["Base value v(∅)", fmt(base), "every feature masked"],
      ["Full value v(N)", fmt(full), "every feature kept"],
      ["Σ attributions", fmt(total), "= full − base when efficient"],
      ["Efficiency residual", fmt(lv.efficiency_residual), "max over target tokens"],
      ["Evaluations", String(lv.evaluations)],
      ["Method", lv.method],
      ["Why this method", lv.method_reason || "—"],
      ["Seed", String(lv.seed)],
      ["Features", lv.features.length + " " + lv.level + (lv.features.length === 1 ? "" : "s")]
    ];
    var table = el("table");
    rows.forEach(function (r) {
      var tr = el("tr");
      tr.appendChild(el("td", null, r[0]));
      var td = el("td", /^[-+0-9]/.test(r[1]) ? "num" : null, r[1]);
      if (r[2]) td.title = r[2];
      tr.appendChild(td);
      table.appendChild(tr);
    });
    while (ui.stats.firstChild) ui.stats.removeChild(ui.stats.firstChild);
    ui.stats.appendChild(table);
  }

  function drawHeatmap() {
    var lv = level();
    var sel = state.selection;
    var seq = values(lv, -1);
    var seqScale = maxAbs(seq);
    var scale = 0;
    lv.phi.forEach(function (row) { scale = Math.max(scale, maxAbs(row)); });
    var table = el("table");
    var thead = el("thead");
    var hr = el("tr");
    hr.appendChild(el("th", null, lv.level));
    var cols = [-1].concat(doc.target_tokens.map(function (t, i) { return i; }));
    cols.forEach(function (t) {
      var th = el("th", t === sel ? "on" : null, t < 0 ? "Σ all" : doc.target_tokens[t].text);
      th.title = "show attributions to the " + targetName(t);
      th.addEventListener("click", function () { selectTarget(t); });
      hr.appendChild(th);
    });
    thead.appendChild(hr);
    table.appendChild(thead);
    var tbody = el("tbody");
    var errsAll = lv.std_err;
    lv.features.forEach(function (f, i) {
      var tr = el("tr");
      var th = el("th", null, f.text);
      th.title = f.text;
      tr.appendChild(th);
      cols.forEach(function (t) {
        var v = t < 0 ? seq[i] : lv.phi[i][t];
        var s = t < 0 ? seqScale : scale;
        var td = el("td", t === sel ? "on" : null, fmtSigned(v, s));
        td.style.backgroundColor = colorFor(v, s);
        td.style.color = textColorFor(v, s);
        var se = errsAll ? (t < 0 ? sum(errsAll[i]) : errsAll[i][t]) : null;
        td.title = JSON.stringify(f.text) + " → " + targetName(t) + ": " + valueLine(v, se, t, s);
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    while (ui.heat.firstChild) ui.heat.removeChild(ui.heat.firstChild);
    ui.heat.appendChild(table);
  }

  function drawAttention() {
    var att = doc.attention.target_to_input;
    var scale = 0;
    att.forEach(function (row) { scale = Math.max(scale, maxAbs(row)); });
    var table = el("table");
    var thead = el("thead");
    var hr = el("tr");
    hr.appendChild(el("th", null, "input token"));
    doc.target_tokens.forEach(function (t) { hr.appendChild(el("th", null, t.text)); });
    thead.appendChild(hr);
    table.appendChild(thead);
    var tbody = el("tbody");
    doc.input_tokens.forEach(function (tok, j) {
      var tr = el("tr");
      tr.appendChild(el("th", null, tok.text));
      doc.target_tokens.forEach(function (t, k) {
        var v = att[k][j];
        var a = scale > 0 ? v / scale : 0;
        var td = el("td", null, v.toFixed(3));
        td.style.backgroundColor = "rgba(90, 70, 200, " + (0.85 * a).toFixed(3) + ")";
        td.style.color = a > 0.65 ? "#fff" : "";
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    ui.attention.appendChild(table);
  }

  function markButtons() {
    Array.prototype.forEach.call(ui.targets.querySelectorAll("button[data-target]"), function (b) {
      var on = Number(b.getAttribute("data-target")) === state.selection;
      b.classList.toggle("on", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
    if (ui.levelBar) {
      Array.prototype.forEach.call(ui.levelBar.querySelectorAll("button[data-level]"), function (b) {
        b.classList.toggle("on", Number(b.getAttribute("data-level")) === state.level);
      });
    }
  }
