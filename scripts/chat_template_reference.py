#!/usr/bin/python3
"""Reference renderings of chat templates for align4j's ChatTemplate tests.

Renders with Jinja2 configured exactly as transformers' `_compile_jinja_template` configures it:
ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols]),
`raise_exception`, `strftime_now`, and `tojson` through json.dumps(ensure_ascii=False); variables as
`apply_chat_template` passes them (messages, tools=None, documents=None, add_generation_prompt, the
special tokens). Templates: the ones committed under src/test/resources/text/<name>/ plus small probes of
Jinja features in src/test/resources/text/templates/*.jinja.

    apt-get install -y python3-jinja2      # any jinja2 3.1.x (the committed file records the version)
    /usr/bin/python3 scripts/chat_template_reference.py     (from the repository root)

Writes src/test/resources/text/chat_template_expected.json ("cases": renderings; "qwen3_boundaries": TRL's
prompt/completion split of a preference pair and the assistant turns of an SFT conversation under Qwen3's template).
"""
import json
import os
from datetime import datetime
from itertools import takewhile

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

# Qwen3's thinking switch and think-tag handling: rendered with enable_thinking unset (transformers' default,
# thinking on), True and False; earlier assistant turns lose their <think> block, reasoning_content is used when
# given, tool calls and tool results render as the template writes them.
QWEN3_CONVERSATIONS = {
    "think-multi-turn": [
        {"role": "user", "content": "Is 91 prime?"},
        {"role": "assistant", "content": "<think>\n91 = 7 × 13.\n</think>\n\nNo, 91 = 7 × 13."},
        {"role": "user", "content": "And 97?"},
        {"role": "assistant", "content": "<think>\nNo divisor up to 9.\n</think>\n\nYes, 97 is prime."},
    ],
    "reasoning-content": [
        SYSTEM,
        {"role": "user", "content": "2+3?"},
        {"role": "assistant", "content": "5", "reasoning_content": "\nAdd them.\n"},
        {"role": "user", "content": "Times 2?"},
        {"role": "assistant", "content": "10", "reasoning_content": "5 × 2."},
    ],
    "no-think-last-turn": [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello"},
    ],
    "tool-call": [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": "", "tool_calls": [
            {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]},
        {"role": "tool", "content": "{\"temp\": 21}"},
        {"role": "assistant", "content": "It is 21 °C."},
    ],
}
QWEN3_KWARGS = {"default": {}, "thinking-on": {"enable_thinking": True}, "thinking-off": {"enable_thinking": False}}

# Prompt/completion boundaries of a conversational preference pair, split as TRL's maybe_apply_chat_template
# splits it (prompt rendered with add_generation_prompt; each prompt+completion rendered whole; the prompt is
# their common prefix), and the assistant turns of an SFT conversation: each turn's text runs from the end of
# the conversation before it rendered with add_generation_prompt (or, when that is not how the turn was rendered,
# from its content) through the template's end-of-turn token.
QWEN3_PAIR = {
    "prompt": [
        SYSTEM,
        {"role": "user", "content": "Is 91 prime?"},
        {"role": "assistant", "content": "<think>\n91 = 7 × 13.\n</think>\n\nNo."},
        {"role": "user", "content": "And 97?"},
    ],
    "chosen": [{"role": "assistant", "content": "<think>\nNo divisor up to 9.\n</think>\n\nYes, 97 is prime."}],
    "rejected": [{"role": "assistant", "content": "No, 97 = 7 × 14."}],
}
QWEN3_PAIR_NO_THINK = {
    "prompt": QWEN3_PAIR["prompt"],
    "chosen": [{"role": "assistant", "content": "Yes, 97 is prime."}],
    "rejected": [{"role": "assistant", "content": "No, 97 = 7 × 14."}],
}
# Reasoning only in the rejected completion: with enable_thinking=false TRL's split then leaves the chosen
# completion after a longer prompt than the final one (reproduced as TRL does it).
QWEN3_PAIR_THINK_REJECTED = {
    "prompt": QWEN3_PAIR["prompt"],
    "chosen": QWEN3_PAIR_NO_THINK["chosen"],
    "rejected": [{"role": "assistant", "content": "<think>\n7 × 14 = 98.\n</think>\n\nNo."}],
}
QWEN3_SFT = QWEN3_CONVERSATIONS["think-multi-turn"]
END_OF_TURN = "<|im_end|>"


def trl_pair(source, pair, variables):
    prompt = ENV.from_string(source).render(messages=pair["prompt"], add_generation_prompt=True, **variables)
    out = {}
    for side in ("chosen", "rejected"):
        whole = ENV.from_string(source).render(messages=pair["prompt"] + pair[side], add_generation_prompt=False,
                                               **variables)
        prompt = "".join(a for a, _ in takewhile(lambda x: x[0] == x[1], zip(prompt, whole)))
        out[side] = whole[len(prompt):]
    out["prompt"] = prompt
    return out


def assistant_turns(source, messages, variables):
    def render(msgs, agp):
        return ENV.from_string(source).render(messages=msgs, add_generation_prompt=agp, **variables)
    full = render(messages, False)
    turns = []
    for i, m in enumerate(messages):
        if m["role"] != "assistant":
            continue
        before = render(messages[:i], True)
        visible = m["content"].split("</think>")[-1].strip()  # earlier turns render without their think block
        start = len(before) if full.startswith(before) else full.index(visible, len(render(messages[:i], False)))
        end = full.index(END_OF_TURN, full.index(visible, start)) + len(END_OF_TURN)
        turns.append(full[start:end])
    return {"text": full, "assistant_turns": turns}


def qwen3_boundaries():
    source, tokens = tokenizer_template("qwen3")
    out = []
    for kwargs_name, kwargs in QWEN3_KWARGS.items():
        variables = dict(tokens, tools=None, documents=None, **kwargs)
        pairs = {"no-think": QWEN3_PAIR_NO_THINK, "think": QWEN3_PAIR, "think-rejected": QWEN3_PAIR_THINK_REJECTED}
        for pair_name, pair in pairs.items():
            out.append({"kind": "pair", "name": pair_name + " " + kwargs_name, "kwargs": kwargs, "pair": pair,
                        **trl_pair(source, pair, variables)})
        out.append({"kind": "sft", "name": "think-multi-turn " + kwargs_name, "kwargs": kwargs, "messages": QWEN3_SFT,
                    **assistant_turns(source, QWEN3_SFT, variables)})
    return out


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
    source, tokens = tokenizer_template("qwen3")
    for conv_name, messages in QWEN3_CONVERSATIONS.items():
        for kwargs_name, kwargs in QWEN3_KWARGS.items():
            for agp in (False, True):
                variables = dict(tokens, **kwargs)
                case = {"template": "qwen3", "conversation": conv_name + " " + kwargs_name, "messages": messages,
                        "add_generation_prompt": agp, "variables": variables}
                case.update(render(source, messages, agp, variables))
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
        json.dump({"source": "jinja2 %s (scripts/chat_template_reference.py)" % jinja2.__version__, "cases": cases,
                   "qwen3_boundaries": qwen3_boundaries()},
                  f, ensure_ascii=False, indent=1)
        f.write("\n")
    print("wrote", out, len(cases), "cases")


if __name__ == "__main__":
    main()
