"""The seed CRM's built-in lists (all, follow-up, graveyard), shipped as ordinary rules: every
row is on All; the follow_up and graveyard flags keep their lists. An admin may edit, pause or
delete them like any other rule."""

from __future__ import annotations

from typing import Any

BUILTIN_LISTS: list[tuple[str, str, str]] = [
    ("all", "All investors", "Every row of the grid."),
    ("follow_up", "Follow-up", "Rows flagged follow_up."),
    ("graveyard", "Graveyard", "Rows flagged graveyard: passed, or gone quiet."),
]

BUILTIN_RULES: list[dict[str, Any]] = [
    {
        "name": "Everyone is on All",
        "description": "Every row of the grid is on the All list.",
        "condition": True,
        "actions": [{"type": "add_to_list", "list": "all"}],
        "otherwise": [],
    },
    {
        "name": "Follow-up flag keeps the Follow-up list",
        "description": "A row flagged follow_up is on the Follow-up list, and leaves it unflagged.",
        "condition": {"field": "flag.follow_up"},
        "actions": [{"type": "add_to_list", "list": "follow_up"}],
        "otherwise": [{"type": "remove_from_list", "list": "follow_up"}],
    },
    {
        "name": "Graveyard flag keeps the Graveyard list",
        "description": "A row flagged graveyard is on the Graveyard list, and leaves it unflagged.",
        "condition": {"field": "flag.graveyard"},
        "actions": [{"type": "add_to_list", "list": "graveyard"}],
        "otherwise": [{"type": "remove_from_list", "list": "graveyard"}],
    },
]
