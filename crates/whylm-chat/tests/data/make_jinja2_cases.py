"""Writes jinja2_cases.json: renderings by Python's jinja2 set up as transformers 5.x sets it up for chat templates
(transformers/utils/chat_template_utils.py, _cached_compile_jinja_template and render_jinja_template): a sandboxed
environment with trim_blocks, lstrip_blocks and loop controls, its tojson filter (json.dumps, ensure_ascii=False),
raise_exception and strftime_now (here frozen at 2026-12-02 09:30), and tools/documents passed as None.

These cases reach what reference.json does not: tools printed with tojson, template switches (enable_thinking),
contents with surrounding whitespace, refusals of other templates, and small templates that use Python-isms.
Run from this folder with jinja2 >= 3.1.6: python3 make_jinja2_cases.py
"""

import datetime
import json
import pathlib

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

# The repository root is four folders up; the reference data sits beside it, as ../shared.
TEMPLATES = pathlib.Path(__file__).resolve().parents[4].parent / "shared" / "chat-templates"
NOW = datetime.datetime(2026, 12, 2, 9, 30)


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])

    def refuse(message):
        raise jinja2.exceptions.TemplateError(message)

    def dumps(value, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    env.filters["tojson"] = dumps
    env.globals["raise_exception"] = refuse
    env.globals["strftime_now"] = lambda fmt: NOW.strftime(fmt)
    return env


def render(source, messages, add_generation_prompt, variables):
    template = environment().from_string(source)
    # transformers takes tools as an argument of its own (None when absent); here it is one of the variables.
    variables = dict(variables)
    tools = variables.pop("tools", None)
    try:
        text = template.render(
            messages=messages, tools=tools, documents=None, add_generation_prompt=add_generation_prompt, **variables
        )
        return {"rendered": text}
    except jinja2.exceptions.TemplateError as e:
        if type(e) is jinja2.exceptions.TemplateError:
            return {"error": str(e)}  # raise_exception: the template refuses, with its own message
        return {"fails": f"{type(e).__name__}: {e}"}
    except Exception as e:  # e.g. tojson of an undefined value
        return {"fails": f"{type(e).__name__}: {e}"}


WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather at a place — now",
        "parameters": {
            "type": "object",
            "properties": {"place": {"type": "string", "description": "City, e.g. \"Zürich\""}},
            "required": ["place"],
        },
    },
}
TOOLS = {"tools": [WEATHER]}
BASE = {"bos_token": "<s>", "eos_token": "</s>"}
QUESTION = [{"role": "user", "content": "Weather in Paris?"}]
SYSTEM_QUESTION = [{"role": "system", "content": "Use tools."}] + QUESTION
PADDED = [{"role": "system", "content": "  Be brief.\n"}, {"role": "user", "content": "\tHi there  "}]
REPEATED = [
    {"role": "user", "content": "Same"},
    {"role": "assistant", "content": "Same"},
    {"role": "user", "content": "Same"},
]
BAD_ORDER = [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]
EMPTY_SYSTEM = [{"role": "system", "content": ""}, {"role": "user", "content": "Hi"}]
NO_THINK = [{"role": "system", "content": "Answer plainly. /no_think"}, {"role": "user", "content": "Hi"}]

FILE_CASES = [
    ("meta-llama-Llama-3.1-8B-Instruct.jinja", QUESTION, TOOLS),
    ("meta-llama-Llama-3.1-8B-Instruct.jinja", SYSTEM_QUESTION, {**TOOLS, "tools_in_user_message": False}),
    ("meta-llama-Llama-3.2-3B-Instruct.jinja", QUESTION, TOOLS),
    ("meta-llama-Llama-3.2-3B-Instruct.jinja", PADDED, {"date_string": "26 Jul 2024"}),
    ("Qwen-Qwen2.5-7B-Instruct.jinja", SYSTEM_QUESTION, TOOLS),
    ("Qwen-Qwen2.5-7B-Instruct.jinja", REPEATED, {}),
    ("mistralai-Mistral-Nemo-Instruct-2407.jinja", SYSTEM_QUESTION, TOOLS),
    ("mistralai-Mistral-Nemo-Instruct-2407.jinja", BAD_ORDER, {}),
    ("mistralai-Mistral-Nemo-Instruct-2407.jinja", [{"role": "system", "content": "S"}] + REPEATED, {}),
    ("HuggingFaceTB-SmolLM3-3B.jinja", REPEATED, {"enable_thinking": False}),
    ("HuggingFaceTB-SmolLM3-3B.jinja", NO_THINK, {}),
    ("google-gemma-2-2b-it.jinja", BAD_ORDER, {}),
    ("google-gemma-2-2b-it.jinja", PADDED[1:], {}),
    ("microsoft-Phi-3.5-mini-instruct.jinja", EMPTY_SYSTEM, {}),
    ("HuggingFaceTB-SmolLM2-135M-Instruct.jinja", PADDED, {}),
]

# Small templates for the Python-isms real templates lean on.
INLINE_CASES = [
    "{{ none }}|{{ true }}|{{ false }}|{{ 1.0 }}|{{ 1e20 }}|{{ 0.1 + 0.2 }}|{{ 7 // 2 }}|{{ 7 / 2 }}|{{ [1, 'a', none] }}",
    "{{ {'a': 1, 'b': [true, none]} }}|{{ none | string }}|{{ 3 | string }}|{{ undefined_name }}|",
    "{{ \"they're bill's 2nd\".title() }}|{{ ' a b  '.split() }}|{{ 'a,b,,c'.split(',') }}|{{ 'x'.upper() }}",
    "{{ '  pad  '.strip() }}|{{ 'xxhixx'.strip('x') }}|{{ '\\n\\nhi'.lstrip('\\n') }}|{{ 'hi  '.rstrip() }}",
    "{{ 'abc'.startswith('a') }}{{ 'abc'.endswith('bc') }}{{ 'abc'.replace('b', 'B') }}{{ 'a-b'.split('-')[-1] }}",
    "{% set d = {'z': 1, 'a': 'é'} %}{{ d | tojson }}|{{ d | tojson(indent=2) }}|{{ d | tojson(sort_keys=true) }}",
    "{{ messages | tojson }}|{{ messages[0] | tojson(separators=(',', ':')) }}|{{ 'q\"\\n' | tojson }}",
    "{% for m in messages %}{% if loop.index0 == 1 %}{% break %}{% endif %}[{{ m.role }}]{% endfor %}",
    "{% for m in messages %}{% if m.role == 'user' %}{% continue %}{% endif %}{{ loop.index }}{{ m.content[:3] }}{% endfor %}",
    "{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + m.content | length %}{% endfor %}{{ ns.n }}",
    "{% for k, v in {'b': 1, 'a': 2}.items() %}{{ k }}={{ v }};{% endfor %}{{ messages | map(attribute='role') | join(',') }}",
    "{{ messages[0].get('content') }}|{{ messages[0].get('name', 'anon') }}|{{ messages[0].name is defined }}",
    "{% if messages[0].tool_calls %}t{% else %}no tools{% endif %}|{{ tools is none }}|{{ documents }}",
    "{{ strftime_now('%Y-%m-%d %H:%M, %A %d %B %Y, %j, %I %p') }}",
    "{{ 'abc' | length }}{{ messages | length }}{{ (messages | last).role }}{{ (messages | first).role | upper }}",
    "{%- for m in messages -%}\n    {{- m.role }}\n    {%- if not loop.last %}, {% endif -%}\n{%- endfor %}\n",
    "  {% if true %}\n  indented\n  {% endif %}\nend\n",
    "{{ raise_exception('Nope: ' ~ messages | length) }}",
    "{{ messages | selectattr('role', 'equalto', 'user') | list | length }}{{ messages | rejectattr('role', 'eq', 'user') | list | length }}",
    "{{ ('%s-%d' | format('a', 3)) }}|{{ '{}+{}'.format(1, 2) }}|{{ 'a' in 'cat' }}|{{ [1,2] + [3] }}",
]
# More Python-isms: operators, filters, tests, macros, loop variables and string methods.
INLINE_CASES += [
    "{{ 'a' ~ none ~ true ~ 1.5 }}",
    "{{ 'x' * 3 }}|{{ 10 % 3 }}|{{ 2 ** 3 }}|{{ 1 / 3 }}|{{ -0.0 }}|{{ 2 | float }}|{{ '3' | int + 1 }}|{{ 3.7 | int }}",
    "{{ [3, 1, 2] | sort }}|{{ [1, 2] | reverse | list }}|{{ [1, 1, 2] | unique | list }}|{{ [1, 2] | sum }}|{{ [4, 2] | max }}",
    "{{ 'abc'[::-1] }}|{{ 'Hello' | lower }}|{{ 'hello world' | capitalize }}|{{ 'hello' | replace('l', 'L') }}|{{ range(3) | list }}",
    "{{ x | default('d') }}|{{ none | default('d') }}|{{ none | default('d', true) }}|{{ '' | default('e', true) }}",
    "{% macro f(x, y=2) %}[{{ x }},{{ y }}]{% endmacro %}{{ f(1) }}{{ f(3, y=4) }}",
    "{{ 'abc' is string }}{{ 1 is number }}{{ [1] is iterable }}{{ {} is mapping }}{{ 'a' is iterable }}{{ none is none }}{{ 1 is string }}",
    "{{ true and 'x' }}|{{ none or 'y' }}|{{ 0 or '' }}|{{ not none }}|{{ 'a' if false }}|{{ [1, 2][5] }}|",
    "{{ 'role' in messages[0] }}|{{ messages[0].keys() | list }}|{{ messages[0].values() | list }}",
    "{{ 'x'.join(['a', 'b']) }}|{{ ' '.join(messages | map(attribute='role')) }}|{{ 'Abc'.lower().islower() }}|{{ 'line1\\nline2' | indent(2) }}",
    "{{ '%s' | format(none) }}|{{ '%s and %s' | format(true, 1.0) }}|{{ 1 == 1.0 }}|{{ 'a' < 'b' }}|{{ dict(a=1) | tojson }}|{{ dict(a=1).a }}",
    "{{ messages | tojson(indent=2) }}",
    "{{ 'abc' | first }}{{ 'abc' | last }}{{ 5 | string | length }}{{ [1, 2] | join }}{{ [1, 2] | join(', ') }}|{{ 'a b c' | wordcount }}",
    "{{ messages | map(attribute='content') | map('length') | list }}|{{ messages | selectattr('content') | list | length }}",
    "{% for m in messages if m.role != 'system' %}{{ loop.index }}/{{ loop.length }}:{{ loop.first }}{{ loop.last }} {% endfor %}",
    "{% for m in messages %}{{ loop.previtem.role if loop.previtem is defined else '-' }}>{{ loop.nextitem.role if not loop.last else '-' }} {% endfor %}",
    "{% set x %}block {{ 1 }}{% endset %}{{ x }}|{{ x | length }}",
    "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% else %}{% set loop_messages = messages %}{% endif %}{{ loop_messages | length }}",
    "{{ (messages | selectattr('role', 'equalto', 'user') | first).content }}|{{ messages | map(attribute='role') | select('equalto', 'user') | list }}",
    "{{ messages[1]['content'] | trim | lower }}|{{ messages[1].content.strip().split()[1] }}|{{ messages[1].content.count('e') }}",
    "{{ 'snake_case_name'.split('_') | map('capitalize') | join('') }}|{{ 'abc'.find('c') }}|{{ 'a.b.c'.rsplit('.', 1) }}",
    "{{ 'ab'.center(6, '*') }}|{{ 'ab'.zfill(4) }}|{{ 'ab'.ljust(4) }}|",
    "{{ messages[0].tool_calls | length }}|{% for t in messages[0].tool_calls %}x{% endfor %}|{{ messages[0].missing is none }}",
    "{{ (messages[0].missing or '') + 'x' }}|{{ messages[0].missing | default('d') }}|{{ messages[5] is defined }}",
    "{% if undefined_var is string %}s{% else %}n{% endif %}{{ undefined_var is mapping }}{{ undefined_var | length }}",
    "{{ undefined_var | trim }}|{{ undefined_var | upper }}|{{ undefined_var ~ 'x' }}|{{ none ~ 'x' }}|{{ messages[5] }}",
    # These fail in jinja2 (undefined values used as values), so they must fail in whylm too.
    "{{ 'a' + undefined_var }}",
    "{{ undefined_var.attr }}",
    "{{ messages[0].missing.deeper }}",
    "{{ undefined_var | tojson }}",
    "{{ messages[0]['content'] + 1 }}",
    "{{ 1000000.0 }}|{{ 1e-5 }}|{{ 123456789.123 }}|{{ 2.5 | round }}|{{ 2.567 | round(2) }}|{{ -3 | abs }}",
]
# What whylm renders differently from jinja2, kept so that the list stays honest: the test checks that these still
# differ, so fixing one means moving it up.
KNOWN_DIFFERENCES = [
    ("{{ messages[0] | items | list }}", "minijinja has no tuples: items print as ['role', 'system'], not ('role', 'system')"),
    ("{{ '%d items' % 3 }}", "minijinja has no printf-style % on strings; use '%d items' | format(3)"),
]
INLINE_MESSAGES = [
    {"role": "system", "content": "Sys"},
    {"role": "user", "content": "Hello there"},
    {"role": "assistant", "content": "Hi!"},
]


def main():
    cases = []
    for name, messages, extra in FILE_CASES:
        source = (TEMPLATES / name).read_text(encoding="utf-8")
        for agp in (True, False):
            variables = {**BASE, **extra}
            case = {"template": name, "messages": messages, "add_generation_prompt": agp}
            case["variables_json"] = {key: json.dumps(value, ensure_ascii=False) for key, value in variables.items()}
            case.update(render(source, messages, agp, variables))
            cases.append(case)
    for source in INLINE_CASES:
        case = {"source": source, "messages": INLINE_MESSAGES, "add_generation_prompt": False}
        case["variables_json"] = {key: json.dumps(value) for key, value in BASE.items()}
        case.update(render(source, INLINE_MESSAGES, False, BASE))
        cases.append(case)
    for source, why in KNOWN_DIFFERENCES:
        case = {"source": source, "messages": INLINE_MESSAGES, "add_generation_prompt": False, "known_difference": why}
        case["variables_json"] = {}
        case.update(render(source, INLINE_MESSAGES, False, {}))
        cases.append(case)
    out = pathlib.Path(__file__).with_name("jinja2_cases.json")
    out.write_text(json.dumps(cases, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(cases)} cases, {sum('fails' in c for c in cases)} that jinja2 fails to render")


if __name__ == "__main__":
    main()
