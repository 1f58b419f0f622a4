#!/usr/bin/python3
"""Reference renderings of chat templates for align4j's ChatTemplate tests.

Renders with Jinja2 configured exactly as transformers' `_compile_jinja_template` configures it:
ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols]),
`raise_exception`, `strftime_now`, and `tojson` through json.dumps(ensure_ascii=False); variables as
`apply_chat_template` passes them (messages, tools=None, documents=None, add_generation_prompt, the
special tokens). Templates: the ones committed under src/test/resources/text/<name>/ plus small probes of
Jinja features in src/test/resources/text/templates/*.jinja.

    apt-get install -y python3-jinja2      # Debian's jinja2 3.1.2
    /usr/bin/python3 scripts/chat_template_reference.py     (from the repository root)

Writes src/test/resources/text/chat_template_expected.json.
"""
import json
import os
from datetime import datetime

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = "src/test/resources/text"


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(fmt):
    return datetime.now().strftime(fmt)


ENV = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
ENV.filters["tojson"] = tojson
ENV.globals["raise_exception"] = raise_exception
ENV.globals["strftime_now"] = strftime_now


def token_string(value):
    return value["content"] if isinstance(value, dict) else value


def tokenizer_template(name):
    config = json.load(open(os.path.join(ROOT, name, "tokenizer_config.json"), encoding="utf-8"))
    jinja_file = os.path.join(ROOT, name, "chat_template.jinja")
    source = open(jinja_file, encoding="utf-8").read() if os.path.exists(jinja_file) else config["chat_template"]
    tokens = {k: token_string(config.get(k)) for k in ("bos_token", "eos_token", "unk_token", "pad_token")}
    return source, {k: v for k, v in tokens.items() if v is not None}


SYSTEM = {"role": "system", "content": "You are a helpful assistant. Answer briefly."}
CONVERSATIONS = {
    "single-user": [{"role": "user", "content": "What color is the sky?"}],
    "system-prompt": [SYSTEM, {"role": "user", "content": "  Name a prime number.  "}],
    "multi-turn": [
        {"role": "user", "content": "Hi there!"},
        {"role": "assistant", "content": "Hello! How can I help?"},
        {"role": "user", "content": "Translate 'chat' into French, please.\n"},
        {"role": "assistant", "content": " Le mot est « chat » 🐱."},
    ],
    "system-multi-turn": [
        SYSTEM,
        {"role": "user", "content": "2+2?"},
        {"role": "assistant", "content": "4"},
        {"role": "user", "content": "日本語で答えて。"},
    ],
    "thinking": [
        {"role": "user", "content": "Is 91 prime?"},
        {"role": "assistant", "content": "<think>\n91 = 7 × 13.\n</think>\n\nNo, 91 = 7 × 13."},
    ],
    "alternation-broken": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}],
}

FEATURE_MESSAGES = [
    SYSTEM,
    {"role": "user", "content": "Hello, \"quoted\" and ünïcode ✓"},
    {"role": "assistant", "content": "  padded answer\n\n"},
    {"role": "user", "content": "a.b.c"},
]


def render(source, messages, add_generation_prompt, variables):
    try:
        text = ENV.from_string(source).render(
            messages=messages, tools=None, documents=None, add_generation_prompt=add_generation_prompt, **variables
        )
        return {"expected": text}
    except jinja2.exceptions.TemplateError as e:
        return {"error": str(e)}


def main():
    cases = []
    for name in ("qwen3", "llama3", "llama2"):
        source, tokens = tokenizer_template(name)
        for conv_name, messages in CONVERSATIONS.items():
            for agp in (False, True):
                case = {"template": name, "conversation": conv_name, "messages": messages,
                        "add_generation_prompt": agp, "variables": tokens}
                case.update(render(source, messages, agp, tokens))
                cases.append(case)
    feature_dir = os.path.join(ROOT, "templates")
    for file in sorted(os.listdir(feature_dir)):
        source = open(os.path.join(feature_dir, file), encoding="utf-8").read()
        variables = {"bos_token": "<s>", "eos_token": "</s>", "flag": True, "nothing": None}
        for agp in (False, True):
            case = {"template": "templates/" + file, "conversation": "features", "messages": FEATURE_MESSAGES,
                    "add_generation_prompt": agp, "variables": variables}
            case.update(render(source, FEATURE_MESSAGES, agp, variables))
            cases.append(case)
    out = os.path.join(ROOT, "chat_template_expected.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"source": "jinja2 %s (scripts/chat_template_reference.py)" % jinja2.__version__, "cases": cases},
                  f, ensure_ascii=False, indent=1)
        f.write("\n")
    print("wrote", out, len(cases), "cases")


if __name__ == "__main__":
    main()
