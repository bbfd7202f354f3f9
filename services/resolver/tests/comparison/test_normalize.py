"""Names, addresses and domains as resolution compares them."""

from __future__ import annotations

import pytest

from crm_resolver.comparison.normalize import (
    FreeMail,
    Nicknames,
    fold,
    normalize_domain,
    normalize_email,
    org_name_key,
    person_name,
    phone_key,
)
from crm_resolver.settings import DATA


@pytest.mark.parametrize(
    ("given", "first", "last"),
    [
        ({"first": "Jürgen", "last": "Müller"}, "jurgen", "muller"),
        ({"first": "Dr. Jane", "last": "Doe, PhD"}, "jane", "doe"),
        ({"display": "Dr Jane Q. van der Berg Jr."}, "jane", "vanderberg"),
        ({"display": "Doe, Jane"}, "jane", "doe"),
        ({"display": "Jane Doe, CFA"}, "jane", "doe"),
        ({"display": "Дмитрий Иванов"}, "dmitriy", "ivanov"),
        ({"display": "Søren O'Brien"}, "soren", "obrien"),
        ({"display": "jane@example.com"}, "", ""),
        ({"display": "Cher"}, "cher", ""),
    ],
)
def test_names_fold_and_lose_titles_and_suffixes(
    given: dict[str, str], first: str, last: str
) -> None:
    name = person_name(**given)
    assert (name.first, name.last) == (first, last)


def test_nicknames_make_given_names_equivalent() -> None:
    nicknames = Nicknames.from_file(DATA / "nicknames.txt")
    assert nicknames.equivalent("bill", "william")
    assert nicknames.equivalent("bill", "will")  # both forms of william
    assert nicknames.equivalent("peggy", "margaret")
    assert not nicknames.equivalent("bill", "robert")
    assert not nicknames.equivalent("", "bill")


@pytest.mark.parametrize(
    ("address", "normalized"),
    [
        ("Jane.Doe+crm@GoogleMail.com", "janedoe@gmail.com"),
        ("<jane.doe@harbor.example>", "jane.doe@harbor.example"),
        ("j.doe+news@harbor.example", "j.doe@harbor.example"),
        ("not an address", None),
        ("@harbor.example", None),
        ("jane@localhost", None),
    ],
)
def test_addresses_normalize_to_the_mailbox_they_reach(
    address: str, normalized: str | None
) -> None:
    assert normalize_email(address) == normalized


def test_free_mail_covers_the_listed_domains_and_their_hosts() -> None:
    free = FreeMail.from_file(DATA / "free_mail_domains.txt")
    assert len(free) > 150
    assert "gmail.com" in free
    assert "mail.yahoo.co.uk" in free
    assert "harbor.example" not in free
    assert "co.uk" not in free


def test_domains_come_from_urls_and_organization_names_lose_legal_forms() -> None:
    assert normalize_domain("https://www.Harbor.example/about") == "harbor.example"
    assert normalize_domain("harbor.example") == "harbor.example"
    assert normalize_domain("not a domain") is None
    assert org_name_key("The Harbor Group, L.L.C.") == "harbor"
    assert org_name_key("Smith & Sons Holdings Ltd") == "smith sons"
    assert fold("  Crème   Brûlée ") == "creme brulee"
    assert phone_key("+1 (212) 555-0100") == phone_key("212.555.0100") == "125550100"
