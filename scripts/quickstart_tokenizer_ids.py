"""Encodes a few texts with the quickstart's tokenizer folder using Hugging Face `tokenizers` and, when it is
installed, `transformers.AutoTokenizer`, for ReviewTokenizerFilesTest (whose expected ids come from here).

  ./align4j quickstart --output-dir /tmp/qs && python3 scripts/quickstart_tokenizer_ids.py /tmp/qs/sft
"""
import sys
from tokenizers import Tokenizer

TEXTS = ["the film was very good. i loved it<|endoftext|>", "not great , but fun", "zzz good"]
tok = Tokenizer.from_file(sys.argv[1] + "/tokenizer.json")
for text in TEXTS:
    enc = tok.encode(text)
    print("tokenizers  ", repr(text), enc.ids, repr(tok.decode(enc.ids, skip_special_tokens=False)))
try:
    from transformers import AutoTokenizer
except ImportError:
    sys.exit(0)
hf = AutoTokenizer.from_pretrained(sys.argv[1])
print("transformers", type(hf).__name__, "len", len(hf), "eos", hf.eos_token_id, "bos", hf.bos_token_id, "pad", hf.pad_token_id)
for text in TEXTS:
    ids = hf(text)["input_ids"]
    print("transformers", repr(text), ids, repr(hf.decode(ids)))
