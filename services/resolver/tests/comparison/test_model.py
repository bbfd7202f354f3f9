"""The Fellegi-Sunter model: recordlinkage's posterior equals the weights it explains."""

from __future__ import annotations

import math

import pytest

from crm_resolver.comparison.model import MatchModel, OrgFeatures, PersonFeatures
from crm_resolver.comparison.normalize import Nicknames
from crm_resolver.settings import DATA


@pytest.fixture(scope="module")
def model() -> MatchModel:
    return MatchModel.from_file(DATA / "model.json", Nicknames.from_file(DATA / "nicknames.txt"))


def test_the_probability_is_the_posterior_of_the_explained_weights(model: MatchModel) -> None:
    left = PersonFeatures(first="jane", last="doe", orgs=frozenset({"e1"}), city="austin")
    rights = [
        PersonFeatures(first="jane", last="doe", orgs=frozenset({"e1"}), city="austin"),
        PersonFeatures(first="j", last="do", orgs=frozenset({"e2"})),
        PersonFeatures(first="bill", last="smith"),
    ]
    for scored, right in zip(model.score("person", left, rights), rights, strict=True):
        details = model.explain("person", left, right, scored.levels)
        weight = model.prior_weight + sum(d.weight for d in details)
        assert scored.match_weight == pytest.approx(weight)
        assert scored.probability == pytest.approx(2**weight / (1 + 2**weight))
        assert all((d.m is None) == (d.level == "missing") for d in details)


def test_levels_follow_the_comparisons(model: MatchModel) -> None:
    left = PersonFeatures(
        first="william",
        last="chen",
        emails=frozenset({"wchen@birch.example"}),
        domains=frozenset({"birch.example"}),
        phones=frozenset({"125550100"}),
    )
    (scored,) = model.score(
        "person",
        left,
        [
            PersonFeatures(
                first="bill",
                last="chenn",
                emails=frozenset({"bill@birch.example"}),
                domains=frozenset({"birch.example"}),
                phones=frozenset({"125550100"}),
            )
        ],
    )
    assert dict(scored.levels) == {
        "first_name": "nickname",
        "last_name": "similar",
        "email": "different",
        "email_domain": "shared",
        "organization": "missing",
        "phone": "shared",
        "city": "missing",
    }


def test_organizations_compare_by_name_and_domain(model: MatchModel) -> None:
    left = OrgFeatures(name="harbor", domains=frozenset({"harbor.example"}))
    same, other = model.score(
        "organization",
        left,
        [
            OrgFeatures(name="harbor"),
            OrgFeatures(name="cedar", domains=frozenset({"cedar.example"})),
        ],
    )
    assert same.levels == {"name": "exact", "domain": "missing"}
    assert other.levels == {"name": "different", "domain": "different"}
    assert same.probability > 0.5 > other.probability
    assert math.isclose(sum(1 for _ in model.comparisons("organization")), 2)
