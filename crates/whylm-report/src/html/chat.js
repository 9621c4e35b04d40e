  // Part 3 of 5: the chat view, drawn when the document has a conversation. Each message is a bubble coloured by
  // its total attribution to the selected target: the sum of the phi of the current level's features that lie
  // inside its content (conversation.rs computes the same for the terminal). The features inside a bubble are
  // coloured as in the prompt. The reply is the last bubble; its tokens select the target like the target bar.
  var renderedBytes;
  var prefixLength;

  function buildChat() {
    var conv = doc.conversation;
    var encoder = new TextEncoder();
    renderedBytes = encoder.encode(conv.rendered);
    // Feature spans are byte offsets in the prompt, which starts right after the prefix in `rendered`.
    prefixLength = encoder.encode(doc.prefix).length;
    var section = el("section", "chat-view");
    ui.chatTitle = el("h2");
    section.appendChild(ui.chatTitle);
    ui.chat = el("div", "chat");
    ui.chat.id = "chat";
    section.appendChild(ui.chat);
    if (conv.template_source) section.appendChild(el("div", "note", "chat template: " + conv.template_source));
    return section;
  }

  // The features of a level inside each message's content; one that straddles two messages belongs to neither.
  function messageFeatures(lv) {
    return doc.conversation.messages.map(function (m) {
      var inside = [];
      lv.features.forEach(function (f, i) {
        if (f.start + prefixLength >= m.start && f.end + prefixLength <= m.end) inside.push(i);
      });
      return inside;
    });
  }

  function roleClass(role) {
    return /^(system|user|assistant)$/.test(role) ? "role-" + role : "role-other";
  }

  function drawChat() {
    var lv = level();
    var sel = state.selection;
    var vals = values(lv, sel);
    var owned = messageFeatures(lv);
    var totals = owned.map(function (features) {
      return sum(features.map(function (i) { return vals[i]; }));
    });
    var view = {
      lv: lv, sel: sel, vals: vals, errs: stdErrs(lv, sel), featureScale: maxAbs(vals), scale: maxAbs(totals)
    };
    ui.chatTitle.textContent = "Conversation by " + lv.level + ": each message coloured by its attribution to the " +
      (sel < 0 ? "whole target" : "token " + targetName(sel));
    clear(ui.chat);
    doc.conversation.messages.forEach(function (m, k) {
      ui.chat.appendChild(bubble(view, m, k, owned[k], totals[k]));
    });
    ui.chat.appendChild(replyBubble());
  }

  function bubble(view, m, k, features, total) {
    var b = el("div", "bubble " + roleClass(m.role) + (m.explained ? "" : " kept"));
    b.setAttribute("data-message", String(k));
    var head = el("div", "bhead");
    head.appendChild(el("span", "role", m.role));
    var number = el("span", "total", m.explained ? fmtSigned(total, view.scale) : "kept");
    number.title = m.explained
      ? "sum of the attributions of the " + features.length + " " + view.lv.level + " features in this message"
      : "kept: this message was not explained (never masked)";
    head.appendChild(number);
    b.appendChild(head);
    if (m.explained) {
      b.setAttribute("data-total", String(total));
      // At most half strength, so that the features painted inside the bubble stay readable on it.
      b.style.backgroundColor = colorFor(total, 2 * view.scale);
    }
    b.appendChild(bubbleText(view, m, features));
    return b;
  }

  // The message's content with its features painted; text between features (spaces, punctuation) as it is.
  function bubbleText(view, m, features) {
    var lv = view.lv;
    var body = el("div", "btext");
    var order = features.slice().sort(function (a, b) { return lv.features[a].start - lv.features[b].start; });
    var pos = m.start;
    order.forEach(function (i) {
      var f = lv.features[i];
      var start = Math.max(f.start + prefixLength, pos);
      var end = f.end + prefixLength;
      if (end <= start) return;
      if (start > pos) body.appendChild(document.createTextNode(decodeBytes(renderedBytes, pos, start)));
      var span = el("span", "bfeat", decodeBytes(renderedBytes, start, end));
      span.setAttribute("data-feature", String(i));
      span.setAttribute("data-value", String(view.vals[i]));
      span.style.backgroundColor = overlayFor(view.vals[i], view.featureScale);
      span.style.color = textColorFor(view.vals[i], view.featureScale);
      span.addEventListener("mousemove", function (event) {
        showTip(event, [JSON.stringify(f.text),
          valueLine(view.vals[i], view.errs ? view.errs[i] : null, view.sel, view.featureScale)]);
      });
      span.addEventListener("mouseleave", hideTip);
      body.appendChild(span);
      pos = end;
    });
    if (pos < m.end) body.appendChild(document.createTextNode(decodeBytes(renderedBytes, pos, m.end)));
    return body;
  }

  function replyBubble() {
    var b = el("div", "bubble role-assistant reply");
    var head = el("div", "bhead");
    head.appendChild(el("span", "role", "assistant"));
    head.appendChild(el("span", "total", "reply (the explained target): click a token"));
    b.appendChild(head);
    var row = el("div", "rtoks");
    [-1].concat(doc.target_tokens.map(function (t, i) { return i; })).forEach(function (t) {
      var button = el("button", t < 0 ? "rtok all" : "rtok", t < 0 ? "whole target" : doc.target_tokens[t].text);
      var on = t === state.selection;
      button.setAttribute("data-reply", String(t));
      button.setAttribute("aria-pressed", on ? "true" : "false");
      if (on) button.classList.add("on");
      button.addEventListener("click", function () { selectTarget(t); });
      row.appendChild(button);
    });
    b.appendChild(row);
    return b;
  }
