  // Part 4 of 5: the summary view, drawn when the document has a summary matrix: the summary's sentences, the
  // document's source sentences and the source × summary matrix. Clicking a summary sentence (in the text or as a
  // column header) colours the document by that column; clicking a source sentence (in the document or as a row
  // header) colours the summary sentences by that row. With neither, the document shows the row sums: support for
  // the whole summary. This view does not depend on the level switch: the matrix belongs to one level.
  var summaryState = { col: -1, row: -1 };

  function summaryLevel() {
    return doc.levels.find(function (lv) { return lv.level === doc.summary.level; });
  }

  function buildSummary() {
    var section = el("section", "summary-view");
    ui.summary = section;
    section.appendChild(el("h2", null, "Summary: click a sentence to see which source sentences it came from"));
    ui.summaryText = el("div", "sumtext");
    ui.summaryText.id = "summary-text";
    section.appendChild(ui.summaryText);
    ui.sourceTitle = el("h2");
    section.appendChild(ui.sourceTitle);
    ui.sourceText = el("div", "srctext");
    ui.sourceText.id = "source-text";
    section.appendChild(ui.sourceText);
    section.appendChild(el("h2", null, "Source " + doc.summary.level +
      " × summary sentence: click a column or a row (★ the largest entry of each column)"));
    ui.matrix = el("div", "heat matrix");
    section.appendChild(ui.matrix);
    drawSummary();
    return section;
  }

  function selectColumn(j) { summaryState = { col: j, row: -1 }; drawSummary(); }
  function selectRow(i) { summaryState = { col: -1, row: i }; drawSummary(); }

  // The row with the largest entry of each column, signed (support raises the score); ties go to the first, as
  // SummaryMatrix::top_source does.
  function bestRows(matrix, columns) {
    var best = [];
    for (var j = 0; j < columns; j++) {
      var b = -1;
      for (var i = 0; i < matrix.length; i++) if (b < 0 || matrix[i][j] > matrix[b][j]) b = i;
      best.push(b);
    }
    return best;
  }

  function drawSummary() {
    var m = doc.summary.matrix;
    var best = bestRows(m, doc.summary.summary_sentences.length);
    drawSourceText(summaryLevel(), m);
    drawSummaryText(m, best);
    drawMatrix(summaryLevel(), m, best);
    root.setAttribute("data-summary-col", String(summaryState.col));
    root.setAttribute("data-summary-row", String(summaryState.row));
  }

  function drawSourceText(lv, m) {
    var col = summaryState.col;
    var vals = m.map(function (row) { return col < 0 ? sum(row) : row[col]; });
    var scale = maxAbs(vals);
    ui.sourceTitle.textContent = "Document by " + lv.level + ", coloured by its support for " +
      (col < 0 ? "the whole summary" : "summary sentence " + (col + 1)) + "; click a sentence to see what it supports";
    var box = ui.sourceText;
    clear(box);
    var order = lv.features.map(function (f, i) { return i; }).sort(function (a, b) {
      return lv.features[a].start - lv.features[b].start || a - b;
    });
    var pos = 0;
    order.forEach(function (i) {
      var f = lv.features[i];
      var start = Math.max(f.start, pos);
      if (f.end <= start) return;
      if (start > pos) box.appendChild(document.createTextNode(sliceBytes(pos, start)));
      var span = el("span", i === summaryState.row ? "src on" : "src", sliceBytes(start, f.end));
      span.setAttribute("data-source", String(i));
      span.setAttribute("data-value", String(vals[i]));
      span.style.backgroundColor = colorFor(vals[i], scale);
      span.style.color = textColorFor(vals[i], scale);
      span.addEventListener("click", function () { selectRow(i); });
      span.addEventListener("mousemove", function (event) {
        showTip(event, [JSON.stringify(f.text), fmtSigned(vals[i], scale) + " to " +
          (col < 0 ? "the whole summary" : "summary sentence " + (col + 1))]);
      });
      span.addEventListener("mouseleave", hideTip);
      box.appendChild(span);
      pos = f.end;
    });
    if (pos < promptBytes.length) box.appendChild(document.createTextNode(sliceBytes(pos, promptBytes.length)));
  }

  // The summary sentences, coloured by the selected row; the one that row supports most is marked.
  function drawSummaryText(m, best) {
    var row = summaryState.row;
    var vals = row < 0 ? null : m[row];
    var scale = vals ? maxAbs(vals) : 0;
    var most = vals ? Math.max.apply(null, vals) : 0;
    clear(ui.summaryText);
    doc.summary.summary_sentences.forEach(function (sent, j) {
      var span = el("span", "ssent", sent.text);
      if (j === summaryState.col) span.classList.add("on");
      span.setAttribute("data-col", String(j));
      if (vals) {
        span.setAttribute("data-value", String(vals[j]));
        span.style.backgroundColor = colorFor(vals[j], scale);
        span.style.color = textColorFor(vals[j], scale);
        if (vals[j] === most) span.classList.add("top");
      }
      span.title = "summary sentence " + (j + 1) + "; its main source: " + JSON.stringify(lvText(best[j]));
      span.addEventListener("click", function () { selectColumn(j); });
      ui.summaryText.appendChild(span);
    });
  }

  function lvText(i) {
    var lv = summaryLevel();
    return i >= 0 && lv.features[i] ? lv.features[i].text : "";
  }

  function drawMatrix(lv, m, best) {
    var sents = doc.summary.summary_sentences;
    var scale = 0;
    m.forEach(function (row) { scale = Math.max(scale, maxAbs(row)); });
    var table = el("table");
    var thead = el("thead");
    var hr = el("tr");
    hr.appendChild(el("th", null, lv.level));
    sents.forEach(function (sent, j) {
      var text = sent.text.trim();
      var label = (j + 1) + ". " + (text.length > 28 ? text.slice(0, 27) + "…" : text);
      var th = el("th", j === summaryState.col ? "on" : null, label);
      th.setAttribute("data-col", String(j));
      th.title = sent.text;
      th.addEventListener("click", function () { selectColumn(j); });
      hr.appendChild(th);
    });
    thead.appendChild(hr);
    table.appendChild(thead);
    var tbody = el("tbody");
    lv.features.forEach(function (f, i) {
      var tr = el("tr", i === summaryState.row ? "on" : null);
      var th = el("th", null, f.text);
      th.setAttribute("data-row", String(i));
      th.title = f.text;
      th.addEventListener("click", function () { selectRow(i); });
      tr.appendChild(th);
      sents.forEach(function (sent, j) {
        var v = m[i][j];
        var td = el("td", j === summaryState.col ? "on" : null, fmtSigned(v, scale));
        if (best[j] === i) td.classList.add("best");
        td.style.backgroundColor = colorFor(v, scale);
        td.style.color = textColorFor(v, scale);
        td.title = JSON.stringify(f.text) + " → summary sentence " + (j + 1) + ": " + fmtSigned(v, scale) +
          (best[j] === i ? " (its largest source)" : "");
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    clear(ui.matrix);
    ui.matrix.appendChild(table);
  }
