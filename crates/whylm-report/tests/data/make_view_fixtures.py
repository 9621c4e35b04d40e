#!/usr/bin/env python3
"""Writes tests/data/chat_report.json and summary_report.json: hand-chosen attributions in hundredths (so that
the tests can state sums by hand) laid on realistic text, with every byte span computed here."""
import json
import re
import sys

OUT = sys.argv[1]


def pieces(text):
    """A word-ish tokenisation: a leading space stays with its word, punctuation is its own token."""
    return re.findall(r" ?[A-Za-z']+| ?[0-9]+|[^\sA-Za-z0-9]| ", text)


def c(x):
    return round(x / 100.0, 10)


def base_doc(prompt, prefix, suffix, target):
    return {
        "schema_version": 2, "whylm_version": "0.1.0",
        "model": {"name": "SmolLM2-135M-Instruct", "path": "../shared/models/smollm2-135m-instruct/model.gguf",
                  "architecture": "llama"},
        "prompt": prompt, "prefix": prefix, "suffix": suffix,
        "input_tokens": [], "target_tokens": [{"id": 3000 + i, "text": t} for i, t in enumerate(target)],
        "score": "logprob", "masker": "delete", "levels": [], "wall_seconds": 0, "warnings": [],
    }


def level(name, features, phi, base, method, evaluations, reason):
    full = [round(b + sum(row[t] for row in phi), 10) for t, b in enumerate(base)]
    residual = max(abs(sum(row[t] for row in phi) - (full[t] - base[t])) for t in range(len(base)))
    return {"level": name, "features": features, "phi": phi, "base_value": base, "full_value": full,
            "efficiency_residual": residual, "evaluations": evaluations, "method": method,
            "method_reason": reason, "seed": 0}


def chat():
    system = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"
    turns = [("system", system, False), ("user", "My name is Ada.", True),
             ("assistant", "Nice to meet you, Ada!", True), ("user", "What is my name?", True)]
    rendered, messages = "", []
    for role, content, explained in turns:
        rendered += f"<|im_start|>{role}\n"
        messages.append({"role": role, "content": content, "start": len(rendered.encode()),
                         "end": len(rendered.encode()) + len(content.encode()), "explained": explained})
        rendered += content + "<|im_end|>\n"
    rendered += "<|im_start|>assistant\n"
    start, end = messages[1]["start"], messages[3]["end"]
    prefix, prompt, suffix = rendered[:start], rendered[start:end], rendered[end:]
    target = ["Your", " name", " is", " Ada", "."]
    doc = base_doc(prompt, prefix, suffix, target)
    doc["wall_seconds"] = 12.5
    tokens, word_features, turn_features = [], [], []
    for m in messages[1:]:
        lo, hi = m["start"] - start, m["end"] - start
        if tokens:  # the template markup between two explained messages: kept, never a feature
            gap = tokens[-1]["end"]
            for piece, tid in (("<|im_end|>", 2), ("\n", 198), ("<|im_start|>", 1), (m["role"], 520), ("\n", 198)):
                tokens.append({"id": tid, "text": piece, "start": gap, "end": gap + len(piece), "special": True})
                gap += len(piece)
            assert gap == lo, (gap, lo)
        first = len(tokens)
        pos = lo
        for piece in pieces(prompt[lo:hi]):
            tokens.append({"id": 1000 + len(tokens), "text": piece, "start": pos, "end": pos + len(piece),
                           "special": False})
            pos += len(piece)
        assert pos == hi
        turn_features.append({"text": prompt[lo:hi], "start": lo, "end": hi, "tokens": list(range(first, len(tokens)))})
        # words: a run of tokens up to the next one that starts with a space
        word = []
        for i in range(first, len(tokens)):
            if word and tokens[i]["text"].startswith(" "):
                word_features.append(word)
                word = []
            word.append(i)
        word_features.append(word)
    word_features = [{"text": prompt[tokens[w[0]]["start"]:tokens[w[-1]]["end"]], "start": tokens[w[0]]["start"],
                      "end": tokens[w[-1]]["end"], "tokens": w} for w in word_features]
    doc["input_tokens"] = tokens
    # phi in hundredths, rows = words, columns = "Your", " name", " is", " Ada", "."
    word_phi = [
        [5, 5, 0, 10, 0], [20, 30, 5, 30, 0], [0, 0, 5, 5, 0], [10, 5, 0, 205, 5],          # My name is Ada.
        [5, 0, 0, 5, 0], [-5, 0, 0, 0, 0], [5, 0, 0, 10, 0], [0, 0, 5, 5, 0], [0, 5, 0, 90, 0],  # Nice to meet you, Ada!
        [40, 10, 5, 5, 5], [10, 5, 30, -5, 0], [60, 25, 5, 30, 5], [50, 50, 10, 10, 10],     # What is my name?
    ]
    turn_phi = [[30, 40, 10, 250, 5], [10, 5, 5, 120, 0], [160, 90, 50, 30, 20]]
    assert len(word_phi) == len(word_features), [f["text"] for f in word_features]
    for t in range(5):
        assert sum(r[t] for r in word_phi) == sum(r[t] for r in turn_phi), t
    base = [-4.0, -3.5, -2.0, -6.0, -1.5]
    doc["levels"] = [
        level("word", word_features, [[c(v) for v in r] for r in word_phi], base, "exact", 8192,
              "auto: 13 features <= exact limit 20"),
        level("turn", turn_features, [[c(v) for v in r] for r in turn_phi], base, "exact", 8,
              "auto: 3 features <= exact limit 20"),
    ]
    doc["conversation"] = {"rendered": rendered, "template_source": "gguf tokenizer.chat_template",
                           "messages": messages}
    return doc


def summary():
    sentences = ["The river flooded the town on Monday.", " Heavy rain had fallen for three days.",
                 " Two hundred homes were evacuated.", " The mayor opened the school as a shelter.",
                 " Nobody was hurt.", " Repairs are expected to take months."]
    prompt = "".join(sentences)
    prefix, suffix = "Summarise the article in three sentences.\n\n", "\n\nSummary:"
    summary_sentences = [" The town flooded after rain.", " Homes were evacuated.", " Nobody was hurt."]
    target = [p for s in summary_sentences for p in pieces(s)]
    doc = base_doc(prompt, prefix, suffix, target)
    doc["task"] = "summarise"
    doc["wall_seconds"] = 3.25
    tokens, features, pos = [], [], 0
    for s in sentences:
        first = len(tokens)
        for piece in pieces(s):
            tokens.append({"id": 1000 + len(tokens), "text": piece, "start": pos, "end": pos + len(piece),
                           "special": False})
            pos += len(piece)
        features.append({"text": s, "start": pos - len(s), "end": pos, "tokens": list(range(first, len(tokens)))})
    doc["input_tokens"] = tokens
    # matrix in hundredths: source sentence x summary sentence
    matrix = [[120, 10, 5], [60, 5, 0], [10, 150, 5], [5, 40, -10], [-5, 0, 180], [0, -10, 10]]
    spans, t = [], 0
    for s in summary_sentences:
        n = len(pieces(s))
        spans.append((t, t + n))
        t += n
    phi = [[0] * len(target) for _ in features]
    for i, row in enumerate(matrix):
        for j, k in enumerate(row):
            lo, hi = spans[j]
            # later tokens of a sentence get larger shares (integer hundredths); the rounding remainder goes to the first
            n = hi - lo
            share = [k * (w + 1) // (n * (n + 1) // 2) for w in range(n)]
            share[0] += k - sum(share)
            for w in range(n):
                phi[i][lo + w] = share[w]
    for i, row in enumerate(matrix):
        for j, k in enumerate(row):
            assert sum(phi[i][spans[j][0]:spans[j][1]]) == k
    base = [round(-3.0 - 0.25 * t, 10) for t in range(len(target))]
    doc["levels"] = [level("sentence", features, [[c(v) for v in r] for r in phi], base, "exact", 64,
                           "auto: 6 features <= exact limit 20")]
    doc["summary"] = {"level": "sentence",
                      "summary_sentences": [{"text": s, "first_target": a, "end_target": b}
                                            for s, (a, b) in zip(summary_sentences, spans)],
                      "matrix": [[c(v) for v in r] for r in matrix]}
    return doc


for name, doc in (("chat_report.json", chat()), ("summary_report.json", summary())):
    with open(f"{OUT}/{name}", "w") as f:
        text = json.dumps(doc, indent=1, ensure_ascii=False)
        # lists of numbers on one line each, so that a matrix reads as rows
        text = re.sub(r"\[[-0-9.e,\s]*\]", lambda m: re.sub(r"\s+", " ", m.group(0)).replace("[ ", "[").replace(" ]", "]"), text)
        f.write(text + "\n")
