#!/usr/bin/env python3
"""llama.cpp's side of `whylm bench`'s real-model section, through llama-cpp-python.

Reads one JSON job on stdin and prints one JSON object on stdout. Jobs:
  {"quantize": {"src": F32_OR_F16_GGUF, "dst": PATH, "ftype": a key of FTYPES, "threads": N}}
      -> {"ok": true}
  {"model": GGUF, "threads": N, "header": [ids], "rows": [[ids after the header]],
   "target_len": T, "gen_prompt": [ids], "gen_tokens": G, "repeats": R, "gen_repeats": GR}
      -> {"s_per_eval_reused": s, "s_per_eval_fresh": s, "gen_tokens_per_s": t, "gen_ids": [...],
          "logprobs": [[T values per row, header reused]]}
Scoring is as whylm's: every row is header + row, teacher-forced, and the natural-log
probabilities of the row's last T tokens are read (f32 KV cache, logits for every token).
"Reused" evaluates the header once and, per row, cuts the KV cache back to the header
(llama-cpp-python's eval drops cache cells past n_tokens); "fresh" evaluates each row whole.
Times are the best of R passes over all rows.
"""
import ctypes
import json
import sys
import time

import numpy as np

import llama_cpp

# llama.cpp's LLAMA_FTYPE_MOSTLY_* values (llama.h); the same names as LLAMA_CPP_FTYPES in llama_cpp.rs.
FTYPES = {
    "F32": 0, "F16": 1, "Q4_0": 2, "Q4_1": 3, "Q8_0": 7, "Q5_0": 8, "Q5_1": 9, "Q2_K": 10, "Q3_K_S": 11,
    "Q3_K_M": 12, "Q3_K_L": 13, "Q4_K_S": 14, "Q4_K_M": 15, "Q5_K_S": 16, "Q5_K_M": 17, "Q6_K": 18,
}


def quantize(job):
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = FTYPES[job["ftype"]]
    params.nthread = int(job.get("threads", 2))
    rc = llama_cpp.llama_model_quantize(job["src"].encode(), job["dst"].encode(), ctypes.byref(params))
    return {"ok": rc == 0, "rc": int(rc)}


def target_logprobs(llm, start, count):
    """Log-probs of the tokens at positions start .. start+count-1 (each predicted by the one before)."""
    out = []
    for pos in range(start, start + count):
        logits = np.asarray(llm.scores[pos - 1], dtype=np.float64)
        m = logits.max()
        lse = m + np.log(np.exp(logits - m).sum())
        out.append(float(logits[llm.input_ids[pos]] - lse))
    return out


def score_pass(llm, header, rows, t, reuse):
    results = []
    if reuse:
        llm.reset()
        llm.eval(header)
    for row in rows:
        if reuse:
            llm.n_tokens = len(header)
        else:
            llm.reset()
            row = header + row
        llm.eval(row)
        results.append(target_logprobs(llm, llm.n_tokens - t, t))
    return results


def best_time(repeats, f):
    best, value = float("inf"), None
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        value = f()
        best = min(best, time.perf_counter() - start)
    return best, value


def generate(llm, prompt, n):
    llm.reset()
    llm.eval(prompt)
    ids = []
    for _ in range(n):
        nxt = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        ids.append(nxt)
        llm.eval([nxt])
    return ids


def score(job):
    threads = int(job.get("threads", 2))
    llm = llama_cpp.Llama(
        model_path=job["model"],
        n_ctx=512,
        n_batch=512,
        n_threads=threads,
        n_threads_batch=threads,
        type_k=0,
        type_v=0,
        logits_all=True,
        verbose=False,
    )
    header, rows, t = job["header"], job["rows"], int(job["target_len"])
    repeats = int(job.get("repeats", 2))
    score_pass(llm, header, rows[:2], t, True)  # warm-up
    reused, logprobs = best_time(repeats, lambda: score_pass(llm, header, rows, t, True))
    fresh, _ = best_time(repeats, lambda: score_pass(llm, header, rows, t, False))
    n = int(job["gen_tokens"])
    gen_repeats = int(job.get("gen_repeats", repeats))
    gen_s, gen_ids = best_time(gen_repeats, lambda: generate(llm, job["gen_prompt"], n))
    return {
        "s_per_eval_reused": reused / len(rows),
        "s_per_eval_fresh": fresh / len(rows),
        "gen_tokens_per_s": n / gen_s,
        "gen_ids": gen_ids,
        "logprobs": logprobs,
    }


def main():
    job = json.load(sys.stdin)
    try:
        result = quantize(job["quantize"]) if "quantize" in job else score(job)
    except Exception as e:  # reported to whylm as one line
        result = {"error": f"{type(e).__name__}: {e}"}
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
