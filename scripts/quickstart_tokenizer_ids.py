"""Encodes a few texts with the quickstart's tokenizer.json using Hugging Face `tokenizers` (the library
`transformers.PreTrainedTokenizerFast` wraps), for ReviewTokenizerFilesTest.

  ./align4j quickstart --output-dir /tmp/qs && python3 scripts/quickstart_tokenizer_ids.py /tmp/qs/sft
"""
import sys
from tokenizers import Tokenizer

tok = Tokenizer.from_file(sys.argv[1] + "/tokenizer.json")
for text in ["the film was very good. i loved it<|endoftext|>", "not great , but fun", "zzz good"]:
    enc = tok.encode(text)
    print(repr(text), enc.ids, repr(tok.decode(enc.ids, skip_special_tokens=False)))
