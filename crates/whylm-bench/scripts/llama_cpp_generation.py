#!/usr/bin/env python3
"""llama.cpp's side of the `generation` example (crates/whylm-bench/examples/generation.rs), through
llama-cpp-python: the same ChatML question, then NEW_TOKENS greedy tokens, the best of RUNS, prompt pass included.

    python llama_cpp_generation.py MODEL.gguf [NEW_TOKENS [RUNS [THREADS]]]
"""
import sys
import time

import numpy as np

import llama_cpp

PROMPT = b"<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n"


def main():
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    llm = llama_cpp.Llama(model_path=path, n_ctx=512, n_batch=512, n_threads=threads, n_threads_batch=threads,
                          type_k=0, type_v=0, logits_all=True, verbose=False)
    prompt = llm.tokenize(PROMPT, add_bos=True, special=True)
    best = float("inf")
    for _ in range(runs):
        llm.reset()
        start = time.perf_counter()
        llm.eval(prompt)
        for _ in range(n):
            llm.eval([int(np.argmax(llm.scores[llm.n_tokens - 1]))])
        best = min(best, (time.perf_counter() - start) / n)
    print(f"llama.cpp best: {best * 1e3:.2f} ms/token, {1 / best:.1f} tok/s ({len(prompt)} prompt tokens)")


if __name__ == "__main__":
    main()
