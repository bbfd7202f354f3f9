"""A tiny random-init bge-m3, built offline: a Unigram tokenizer trained here, a 2-layer
XLM-RoBERTa, and the colbert and sparse heads BGEM3FlagModel loads beside it. Its vectors mean
nothing; it runs the bge-m3 code path for real without downloading any weights."""

from __future__ import annotations

from pathlib import Path

CORPUS = [
    "Capital call timing for Fund IV was discussed with the endowment's CIO.",
    "The foundation asked for a side letter with an MFN clause and ESG reporting.",
    "K-1 deliveries were late again; the family office wants them by March.",
    "Co-investment rights in the climate deal; they would re-up if terms hold.",
    "Wire instructions, account and routing numbers go to operations only.",
    "We met in Boston after the board meeting to talk about the next close.",
    "Pension fund allocation moved toward secondaries and venture debt.",
    "Reference check on the partner went well; diligence questionnaire sent.",
]


def build_tiny_bge_m3(path: Path, *, hidden: int = 32) -> Path:
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import XLMRobertaConfig, XLMRobertaModel, XLMRobertaTokenizerFast

    path.mkdir(parents=True, exist_ok=True)
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    tokenizer = Tokenizer(models.Unigram())
    tokenizer.normalizer = normalizers.NFKC()
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    trainer = trainers.UnigramTrainer(vocab_size=300, special_tokens=specials, unk_token="<unk>")
    tokenizer.train_from_iterator(CORPUS * 20, trainer)
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", 0), ("</s>", 2)],
    )
    # transformers' constructors are not annotated.
    fast = XLMRobertaTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=tokenizer,
        bos_token="<s>",
        eos_token="</s>",
        sep_token="</s>",
        cls_token="<s>",
        unk_token="<unk>",
        pad_token="<pad>",
        mask_token="<mask>",
        model_max_length=514,
    )
    fast.save_pretrained(str(path))
    config = XLMRobertaConfig(  # type: ignore[no-untyped-call]
        vocab_size=tokenizer.get_vocab_size(),
        hidden_size=hidden,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=hidden * 2,
        max_position_embeddings=520,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
    )
    torch.manual_seed(7)
    XLMRobertaModel(config).save_pretrained(str(path))  # type: ignore[no-untyped-call]
    torch.save(torch.nn.Linear(hidden, hidden).state_dict(), path / "colbert_linear.pt")
    sparse = torch.nn.Linear(hidden, 1)
    with torch.no_grad():
        sparse.bias.fill_(1.0)  # positive weights for (almost) every token, so lexical is not empty
    torch.save(sparse.state_dict(), path / "sparse_linear.pt")
    return path
