"""The probabilistic layer: a Fellegi-Sunter model over comparison levels, run by recordlinkage.

recordlinkage's `Compare` computes the raw comparisons of each candidate pair (exact and
Jaro-Winkler string comparisons, plus three small features of ours: nickname groups, initials and
set overlap). Each comparison then falls into one level (exact, nickname, similar, different, or
missing). A Fellegi-Sunter model with m and u per level is a logistic model over the one-hot
levels: coefficient ln(m/u) per level, intercept logit(prior), a missing value adding nothing. So
recordlinkage's `LogisticRegressionClassifier`, given those coefficients, computes the posterior
match probability. The parameters are data (`data/model.json`), not code.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import recordlinkage as rl
from recordlinkage.base import BaseCompareFeature
from recordlinkage.compare import Exact, String

from crm_resolver.comparison.normalize import Nicknames

Kind = Literal["person", "organization"]

# Jaro-Winkler similarity from which two names count as spelled alike.
FIRST_NAME_SIMILAR = 0.88
LAST_NAME_SIMILAR = 0.92
ORG_NAME_SIMILAR = 0.90
MISSING = "missing"


@dataclass(frozen=True)
class PersonFeatures:
    """What the model compares of a person record (already normalized)."""

    first: str | None = None
    last: str | None = None
    emails: frozenset[str] = frozenset()
    email_locals: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()  # email domains that are not free mail
    orgs: frozenset[str] = frozenset()  # canonical ids of the organizations it belongs to
    phones: frozenset[str] = frozenset()
    city: str | None = None


@dataclass(frozen=True)
class OrgFeatures:
    name: str | None = None
    domains: frozenset[str] = frozenset()


Features = PersonFeatures | OrgFeatures


@dataclass(frozen=True)
class Level:
    name: str
    m: float
    u: float

    @property
    def weight(self) -> float:
        """log2(m/u), the level's share of the match weight."""
        return math.log2(self.m / self.u)


@dataclass(frozen=True)
class Scored:
    probability: float
    match_weight: float
    levels: Mapping[str, str]


@dataclass(frozen=True)
class FeatureDetail:
    feature: str
    level: str
    left: str | None
    right: str | None
    m: float | None
    u: float | None
    weight: float


# -- comparisons recordlinkage does not ship ----------------------------------------------------


class _Nickname(BaseCompareFeature):  # type: ignore[misc]
    name = "nickname"

    def __init__(self, left_on: str, right_on: str, nicknames: Nicknames, label: str) -> None:
        super().__init__(left_on, right_on, label=label)
        self._nicknames = nicknames

    def _compute_vectorized(self, s_left: pd.Series, s_right: pd.Series) -> pd.Series:
        values = [
            -1 if not a or not b else int(self._nicknames.equivalent(a, b))
            for a, b in zip(s_left, s_right, strict=True)
        ]
        return pd.Series(values, index=s_left.index)


class _Initial(BaseCompareFeature):  # type: ignore[misc]
    """1 when one side is a bare initial and the other starts with it ("J" and "Jane")."""

    name = "initial"

    def _compute_vectorized(self, s_left: pd.Series, s_right: pd.Series) -> pd.Series:
        def one(a: str | None, b: str | None) -> int:
            if not a or not b:
                return -1
            if len(a) == 1 or len(b) == 1:
                return int(a[0] == b[0])
            return 0

        return pd.Series([one(a, b) for a, b in zip(s_left, s_right, strict=True)], s_left.index)


class _Overlap(BaseCompareFeature):  # type: ignore[misc]
    """1 when two sets share an element, 0 when they do not, -1 when either is empty."""

    name = "overlap"

    def _compute_vectorized(self, s_left: pd.Series, s_right: pd.Series) -> pd.Series:
        values = [
            -1 if not a or not b else int(bool(a & b)) for a, b in zip(s_left, s_right, strict=True)
        ]
        return pd.Series(values, index=s_left.index)


def _person_compare(nicknames: Nicknames) -> rl.Compare:
    compare = rl.Compare()
    compare.add(Exact("first", "first", missing_value=-1, label="first_exact"))
    compare.add(_Nickname("first", "first", nicknames, label="first_nickname"))
    compare.add(_Initial("first", "first", label="first_initial"))
    compare.add(String("first", "first", method="jarowinkler", missing_value=-1, label="first_jw"))
    compare.add(Exact("last", "last", missing_value=-1, label="last_exact"))
    compare.add(String("last", "last", method="jarowinkler", missing_value=-1, label="last_jw"))
    compare.add(_Overlap("emails", "emails", label="email_shared"))
    compare.add(_Overlap("email_locals", "email_locals", label="email_local"))
    compare.add(_Overlap("domains", "domains", label="domain_shared"))
    compare.add(_Overlap("orgs", "orgs", label="org_shared"))
    compare.add(_Overlap("phones", "phones", label="phone_shared"))
    compare.add(Exact("city", "city", missing_value=-1, label="city_exact"))
    return compare


def _org_compare() -> rl.Compare:
    compare = rl.Compare()
    compare.add(Exact("name", "name", missing_value=-1, label="name_exact"))
    compare.add(String("name", "name", method="jarowinkler", missing_value=-1, label="name_jw"))
    compare.add(_Overlap("domains", "domains", label="domain_shared"))
    return compare


def _pick(conditions: list[tuple[Any, str]], default: str) -> np.ndarray:
    return np.select([c for c, _ in conditions], [name for _, name in conditions], default)


def _person_levels(raw: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "first_name": _pick(
                [
                    (raw["first_exact"] == -1, MISSING),
                    (raw["first_exact"] == 1, "exact"),
                    (raw["first_nickname"] == 1, "nickname"),
                    (raw["first_initial"] == 1, "initial"),
                    (raw["first_jw"] >= FIRST_NAME_SIMILAR, "similar"),
                ],
                "different",
            ),
            "last_name": _pick(
                [
                    (raw["last_exact"] == -1, MISSING),
                    (raw["last_exact"] == 1, "exact"),
                    (raw["last_jw"] >= LAST_NAME_SIMILAR, "similar"),
                ],
                "different",
            ),
            "email": _pick(
                [
                    (raw["email_shared"] == -1, MISSING),
                    (raw["email_shared"] == 1, "shared"),
                    (raw["email_local"] == 1, "local_part"),
                ],
                "different",
            ),
            "email_domain": _overlap_level(raw["domain_shared"]),
            "organization": _overlap_level(raw["org_shared"]),
            "phone": _overlap_level(raw["phone_shared"]),
            "city": _pick(
                [(raw["city_exact"] == -1, MISSING), (raw["city_exact"] == 1, "same")],
                "different",
            ),
        },
        index=raw.index,
    )


def _org_levels(raw: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": _pick(
                [
                    (raw["name_exact"] == -1, MISSING),
                    (raw["name_exact"] == 1, "exact"),
                    (raw["name_jw"] >= ORG_NAME_SIMILAR, "similar"),
                ],
                "different",
            ),
            "domain": _overlap_level(raw["domain_shared"]),
        },
        index=raw.index,
    )


def _overlap_level(column: pd.Series) -> np.ndarray:
    return _pick([(column == -1, MISSING), (column == 1, "shared")], "different")


# -- the model ----------------------------------------------------------------------------------


@dataclass
class _KindModel:
    comparisons: dict[str, list[Level]]
    compare: rl.Compare
    levels: Any  # raw comparisons -> levels
    columns: list[tuple[str, str]] = field(default_factory=list)
    classifier: rl.LogisticRegressionClassifier | None = None

    def ordered_levels(self) -> list[Level]:
        return [lv for levels in self.comparisons.values() for lv in levels]

    def level(self, feature: str, name: str) -> Level | None:
        return next((lv for lv in self.comparisons[feature] if lv.name == name), None)


class MatchModel:
    """Scores pairs of records of one kind; built once from the parameters file."""

    def __init__(self, params: Mapping[str, Any], nicknames: Nicknames) -> None:
        self.prior = float(params["prior"])
        self.nicknames = nicknames
        self._kinds: dict[str, _KindModel] = {
            "person": _KindModel(
                comparisons=_levels_of(params["person"]),
                compare=_person_compare(nicknames),
                levels=_person_levels,
            ),
            "organization": _KindModel(
                comparisons=_levels_of(params["organization"]),
                compare=_org_compare(),
                levels=_org_levels,
            ),
        }
        intercept = math.log(self.prior / (1 - self.prior))
        for kind in self._kinds.values():
            kind.columns = [(f, lv.name) for f, levels in kind.comparisons.items() for lv in levels]
            coefficients = [math.log(lv.m / lv.u) for lv in kind.ordered_levels()]
            classifier = rl.LogisticRegressionClassifier(
                coefficients=coefficients, intercept=intercept
            )
            # Given its coefficients rather than fitted, the kernel needs its classes set.
            classifier.kernel.classes_ = np.array([0, 1])
            kind.classifier = classifier

    @classmethod
    def from_file(cls, path: Path, nicknames: Nicknames) -> MatchModel:
        return cls(json.loads(path.read_text(encoding="utf-8")), nicknames)

    @property
    def prior_weight(self) -> float:
        return math.log2(self.prior / (1 - self.prior))

    def comparisons(self, kind: Kind) -> dict[str, list[Level]]:
        return self._kinds[kind].comparisons

    def score_frames(
        self, kind: Kind, pairs: pd.MultiIndex, left: pd.DataFrame, right: pd.DataFrame
    ) -> pd.DataFrame:
        """Levels and probability of every pair of `pairs` (left index, right index)."""
        model = self._kinds[kind]
        assert model.classifier is not None
        with warnings.catch_warnings():
            # recordlinkage 0.16 on pandas 2.3 warns about its own use of deprecated pandas API.
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            raw = model.compare.compute(pairs, left, right)
            levels = model.levels(raw)
            onehot = pd.DataFrame(
                {
                    f"{feature}={name}": (levels[feature] == name).astype(np.int8)
                    for feature, name in model.columns
                },
                index=levels.index,
            )
            probability = model.classifier.prob(onehot)
        result = levels.copy()
        result["probability"] = probability.clip(0.0, 1.0)
        return result

    def score(self, kind: Kind, left: Features, rights: Sequence[Features]) -> list[Scored]:
        """Score `left` against each of `rights`."""
        if not rights:
            return []
        left_frame = _frame([left])
        right_frame = _frame(rights)
        pairs = pd.MultiIndex.from_arrays([[0] * len(rights), list(range(len(rights)))])
        result = self.score_frames(kind, pairs, left_frame, right_frame)
        comparisons = self._kinds[kind].comparisons
        scored = []
        for row in result.itertuples(index=False):
            levels = {feature: getattr(row, feature) for feature in comparisons}
            scored.append(
                Scored(
                    probability=float(row.probability),
                    match_weight=self.match_weight(kind, levels),
                    levels=levels,
                )
            )
        return scored

    def match_weight(self, kind: Kind, levels: Mapping[str, str]) -> float:
        model = self._kinds[kind]
        total = self.prior_weight
        for feature, name in levels.items():
            level = model.level(feature, name)
            if level is not None:
                total += level.weight
        return total

    def explain(
        self, kind: Kind, left: Features, right: Features, levels: Mapping[str, str]
    ) -> list[FeatureDetail]:
        model = self._kinds[kind]
        details = []
        for feature, name in levels.items():
            level = model.level(feature, name)
            details.append(
                FeatureDetail(
                    feature=feature,
                    level=name,
                    left=_shown(kind, feature, left),
                    right=_shown(kind, feature, right),
                    m=level.m if level else None,
                    u=level.u if level else None,
                    weight=level.weight if level else 0.0,
                )
            )
        return details


def _levels_of(spec: Mapping[str, Mapping[str, Sequence[float]]]) -> dict[str, list[Level]]:
    found: dict[str, list[Level]] = {}
    for feature, levels in spec.items():
        parsed = [Level(name, float(m), float(u)) for name, (m, u) in levels.items()]
        for level in parsed:
            if not (0 < level.m < 1 and 0 < level.u < 1):
                raise ValueError(f"model: {feature}.{level.name}: m and u must be in (0, 1)")
        found[feature] = parsed
    return found


def _frame(rows: Sequence[Features]) -> pd.DataFrame:
    records = []
    for row in rows:
        values = dict(row.__dict__)
        for key, value in values.items():
            if value == "":
                values[key] = None
        records.append(values)
    return pd.DataFrame.from_records(records, index=list(range(len(rows))))


_SHOWN = {
    ("person", "first_name"): "first",
    ("person", "last_name"): "last",
    ("person", "email"): "emails",
    ("person", "email_domain"): "domains",
    ("person", "organization"): "orgs",
    ("person", "phone"): "phones",
    ("person", "city"): "city",
    ("organization", "name"): "name",
    ("organization", "domain"): "domains",
}


def _shown(kind: str, feature: str, features: Features) -> str | None:
    value = getattr(features, _SHOWN[(kind, feature)], None)
    if isinstance(value, frozenset):
        return ", ".join(sorted(value)) or None
    return value or None
